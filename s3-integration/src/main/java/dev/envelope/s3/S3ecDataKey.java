package dev.envelope.s3;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A data key for one S3EC-format object: the plaintext key (zeroed by {@link #destroy()}), its wrapped form, the
 * wrapping algorithm's metadata name, and the map stored beside it (the KMS encryption context, or the raw
 * keyrings' material description).
 */
public final class S3ecDataKey {
  private final byte[] plaintextKey;
  private final byte[] encryptedKey;
  private final String wrappingAlgorithm;
  private final Map<String, String> description;
  private final String keyId;
  private final int kmsCalls;

  public S3ecDataKey(byte[] plaintextKey, byte[] encryptedKey, String wrappingAlgorithm,
      Map<String, String> description, String keyId, int kmsCalls) {
    this.plaintextKey = Objects.requireNonNull(plaintextKey, "plaintextKey").clone();
    this.encryptedKey = Objects.requireNonNull(encryptedKey, "encryptedKey").clone();
    this.wrappingAlgorithm = Objects.requireNonNull(wrappingAlgorithm, "wrappingAlgorithm");
    this.description = Map.copyOf(description);
    this.keyId = Objects.requireNonNull(keyId, "keyId");
    this.kmsCalls = kmsCalls;
  }

  public byte[] plaintextKey() {
    return plaintextKey.clone();
  }

  public byte[] encryptedKey() {
    return encryptedKey.clone();
  }

  /** {@code kms+context}, {@code AES/GCM} or {@code RSA-OAEP-SHA1}. */
  public String wrappingAlgorithm() {
    return wrappingAlgorithm;
  }

  /** Stored as {@code x-amz-matdesc} (V2) or {@code x-amz-t} / {@code x-amz-m} (V3). */
  public Map<String, String> description() {
    return description;
  }

  /** The wrapping key, for audit events and errors. */
  public String keyId() {
    return keyId;
  }

  public int kmsCalls() {
    return kmsCalls;
  }

  public void destroy() {
    Arrays.fill(plaintextKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "S3ecDataKey[" + wrappingAlgorithm + ", key=" + keyId + "]"; // never the key bytes
  }
}
