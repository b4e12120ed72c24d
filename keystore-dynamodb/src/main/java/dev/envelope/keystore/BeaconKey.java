package dev.envelope.keystore;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The beacon key of a branch key (the key store's {@code beacon:ACTIVE} item): the 32 bytes searchable encryption
 * derives its beacon keys from, and the branch key's custom encryption context. It has no versions. The key bytes
 * are never printed; {@link #destroy()} zeroes them.
 */
public final class BeaconKey {
  private final String branchKeyId;
  private final byte[] key;
  private final Map<String, String> encryptionContext;

  BeaconKey(String branchKeyId, byte[] key, Map<String, String> encryptionContext) {
    this.branchKeyId = Objects.requireNonNull(branchKeyId, "branchKeyId");
    this.key = key.clone();
    this.encryptionContext = Map.copyOf(encryptionContext);
  }

  public String branchKeyId() {
    return branchKeyId;
  }

  /** A copy of the 32 key bytes; the caller zeroes it when done. */
  public byte[] key() {
    return key.clone();
  }

  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  public void destroy() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "BeaconKey[" + branchKeyId + "]";
  }
}
