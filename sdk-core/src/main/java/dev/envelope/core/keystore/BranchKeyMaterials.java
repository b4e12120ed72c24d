package dev.envelope.core.keystore;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One version of a branch key, as a {@link BranchKeyStore} returns it: the branch key id, the version (a lowercase
 * UUID string), the 32 key bytes, the custom encryption context the key was created with (without the
 * {@code aws-crypto-ec:} prefix), and what the read cost: KMS calls and key store calls (DynamoDB reads). The key
 * bytes are never printed; {@link #destroy()} zeroes them. Thread-safe to read; destroy must not race with readers.
 */
public final class BranchKeyMaterials {
  /** Length of every branch key. */
  public static final int KEY_LENGTH = 32;

  private final String branchKeyId;
  private final String version;
  private final byte[] key;
  private final Map<String, String> encryptionContext;
  private final int kmsCalls;
  private final int keyStoreCalls;

  private BranchKeyMaterials(String branchKeyId, String version, byte[] key, Map<String, String> encryptionContext,
      int kmsCalls, int keyStoreCalls) {
    this.branchKeyId = branchKeyId;
    this.version = version;
    this.key = key;
    this.encryptionContext = encryptionContext;
    this.kmsCalls = kmsCalls;
    this.keyStoreCalls = keyStoreCalls;
  }

  /**
   * Materials holding a copy of {@code key}.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes or the version not a lowercase UUID
   */
  public static BranchKeyMaterials of(String branchKeyId, String version, byte[] key,
      Map<String, String> encryptionContext, int kmsCalls, int keyStoreCalls) {
    Objects.requireNonNull(branchKeyId, "branchKeyId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("branch key " + branchKeyId + " version " + version + " is " + key.length
          + " bytes, not " + KEY_LENGTH);
    }
    BranchKeyVersions.toBytes(version); // checks the form
    return new BranchKeyMaterials(branchKeyId, version, key.clone(), Map.copyOf(encryptionContext), kmsCalls,
        keyStoreCalls);
  }

  public String branchKeyId() {
    return branchKeyId;
  }

  /** The version: a lowercase hyphenated UUID, as the AWS key store writes it. */
  public String version() {
    return version;
  }

  /** A copy of the 32 key bytes; the caller zeroes it when done. */
  public byte[] key() {
    return key.clone();
  }

  /** The custom encryption context of the branch key (keys without the {@code aws-crypto-ec:} prefix). */
  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  /** KMS calls the read that produced these materials made (0 for a copy from a cache). */
  public int kmsCalls() {
    return kmsCalls;
  }

  /** Key store (DynamoDB) calls the read that produced these materials made (0 for a copy from a cache). */
  public int keyStoreCalls() {
    return keyStoreCalls;
  }

  /** An independent copy that records no calls (what a cache hands out). */
  public BranchKeyMaterials copyWithoutCalls() {
    return new BranchKeyMaterials(branchKeyId, version, key.clone(), encryptionContext, 0, 0);
  }

  /** Zeroes the key bytes. */
  public void destroy() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "BranchKeyMaterials[" + branchKeyId + " version " + version + "]";
  }
}
