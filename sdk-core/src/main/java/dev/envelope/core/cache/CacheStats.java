package dev.envelope.core.cache;

/**
 * Counters of a {@link CachingMaterialsManager} since it was built. {@code keyringCallsSaved} is the number of
 * hits: each one is a call to the delegate (a keyring, and for KMS keyrings at least one KMS request) that did not
 * happen; {@code kmsCallsSaved} counts the KMS requests those calls would have made.
 */
public record CacheStats(
    long encryptHits,
    long encryptMisses,
    long decryptHits,
    long decryptMisses,
    long bypasses,
    long kmsCallsSaved) {

  /** Calls to the delegate materials manager that the cache made unnecessary. */
  public long keyringCallsSaved() {
    return encryptHits + decryptHits;
  }

  /** Calls made to the delegate: misses plus requests that could not be cached. */
  public long keyringCalls() {
    return encryptMisses + decryptMisses + bypasses;
  }
}
