package dev.envelope.core.materials;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted under one wrapping key, as stored in the message header: provider id (UTF-8, e.g.
 * {@code aws-kms} or a raw keyring's namespace), provider info (e.g. a KMS key ARN or a raw key name plus IV)
 * and the ciphertext. Immutable; arrays are copied in and out. Not secret.
 */
public final class EncryptedDataKey {
  /** Largest value of each of the three length-prefixed fields. */
  public static final int MAX_FIELD_LENGTH = 0xFFFF;

  private final String providerId;
  private final byte[] providerInfo;
  private final byte[] ciphertext;

  private EncryptedDataKey(String providerId, byte[] providerInfo, byte[] ciphertext) {
    this.providerId = providerId;
    this.providerInfo = providerInfo;
    this.ciphertext = ciphertext;
  }

  public static EncryptedDataKey of(String providerId, byte[] providerInfo, byte[] ciphertext) {
    Objects.requireNonNull(providerId, "providerId");
    Objects.requireNonNull(providerInfo, "providerInfo");
    Objects.requireNonNull(ciphertext, "ciphertext");
    checkLength("providerId", providerId.getBytes(StandardCharsets.UTF_8).length);
    checkLength("providerInfo", providerInfo.length);
    checkLength("ciphertext", ciphertext.length);
    return new EncryptedDataKey(providerId, providerInfo.clone(), ciphertext.clone());
  }

  private static void checkLength(String field, int length) {
    if (length > MAX_FIELD_LENGTH) {
      throw new IllegalArgumentException(field + " is " + length + " bytes, over the format's 65535");
    }
  }

  public String providerId() {
    return providerId;
  }

  public byte[] providerInfo() {
    return providerInfo.clone();
  }

  /** Provider info decoded as UTF-8, as KMS keyrings store the key ARN. */
  public String providerInfoAsString() {
    return new String(providerInfo, StandardCharsets.UTF_8);
  }

  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptedDataKey other
        && providerId.equals(other.providerId)
        && Arrays.equals(providerInfo, other.providerInfo)
        && Arrays.equals(ciphertext, other.ciphertext);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * providerId.hashCode() + Arrays.hashCode(providerInfo)) + Arrays.hashCode(ciphertext);
  }

  @Override
  public String toString() {
    return "EncryptedDataKey[providerId=" + providerId + ", providerInfo=" + providerInfo.length
        + " bytes, ciphertext=" + ciphertext.length + " bytes]";
  }
}
