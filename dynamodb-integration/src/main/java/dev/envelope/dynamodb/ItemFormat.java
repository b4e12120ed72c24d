package dev.envelope.dynamodb;

/**
 * Names of the two attributes every encrypted item carries (the format is described in the module README).
 * Short on purpose: attribute names count towards DynamoDB's item size and its read and write units.
 */
public final class ItemFormat {
  /** Binary: format version, suite, message id, encrypted data keys, the legend of signed attributes, commitment. */
  public static final String HEADER_ATTRIBUTE = "env_head";
  /** Binary: key-binding tag, HMAC over the canonical item, and the ECDSA signature of signed suites. */
  public static final String SIGNATURE_ATTRIBUTE = "env_sig";

  private ItemFormat() {}

  /** Whether {@code attributeName} is one of the two reserved names. */
  public static boolean isReserved(String attributeName) {
    return HEADER_ATTRIBUTE.equals(attributeName) || SIGNATURE_ATTRIBUTE.equals(attributeName);
  }
}
