package dev.envelope.dynamodb;

/**
 * What the item encryptor does with one attribute. The names and meanings are those of the AWS Database
 * Encryption SDK, so a configuration reads the same in both.
 */
public enum CryptoAction {
  /** Encrypted (stored as Binary) and covered by the item signature. Never allowed on key attributes. */
  ENCRYPT_AND_SIGN('e'),
  /** Stored as written and covered by the item signature. Key attributes always get this action. */
  SIGN_ONLY('s'),
  /**
   * As {@link #SIGN_ONLY}, and the value is also part of the encryption context the keyrings bind (and KMS logs):
   * the DB-ESDK format's version 2. Only in that format.
   */
  SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT('c'),
  /** Stored as written and not signed: free to change (TTL, counters, attributes other writers own). */
  DO_NOTHING('-');

  private final char legendChar;

  CryptoAction(char legendChar) {
    this.legendChar = legendChar;
  }

  /** The byte recorded for a signed attribute in the item header's legend. */
  public char legendChar() {
    return legendChar;
  }

  /** Whether the attribute is covered by the item signature. */
  public boolean isSigned() {
    return this != DO_NOTHING;
  }

  static CryptoAction fromLegend(int b) {
    return switch (b) {
      case 'e' -> ENCRYPT_AND_SIGN;
      case 's' -> SIGN_ONLY;
      case 'c' -> SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT;
      default -> null;
    };
  }
}
