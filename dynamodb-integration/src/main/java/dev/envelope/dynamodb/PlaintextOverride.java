package dev.envelope.dynamodb;

/**
 * What a table does with items that carry no encryption, as the AWS Database Encryption SDK's
 * {@code PlaintextOverride} (same names): the steps of moving a table that holds plaintext items to encryption, or
 * back. Every mode reads encrypted items of either format.
 */
public enum PlaintextOverride {
  /**
   * Writes items in plaintext and reads plaintext items as they are: the first step of a migration, so that every
   * reader is upgraded before any item is encrypted.
   */
  FORCE_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ,
  /** Encrypts every write and still reads plaintext items: while the table's items are being encrypted. */
  FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ,
  /** Encrypts every write and refuses plaintext items: the default, and the end of a migration. */
  FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ;

  /** Whether items without encryption are returned as they are. */
  public boolean readsPlaintext() {
    return this != FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ;
  }

  /** Whether writes are stored without encryption. */
  public boolean writesPlaintext() {
    return this == FORCE_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ;
  }
}
