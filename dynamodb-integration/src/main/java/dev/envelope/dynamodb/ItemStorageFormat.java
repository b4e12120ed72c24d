package dev.envelope.dynamodb;

/**
 * How items are stored. Both are read whatever a table is configured to write, so a table can move from one to the
 * other item by item.
 */
public enum ItemStorageFormat {
  /**
   * The AWS Database Encryption SDK for DynamoDB's format (3.9.0), byte for byte: {@code aws_dbe_head} and
   * {@code aws_dbe_foot}, suites 0x6700 (table suite 0x0478) and 0x6701 (0x0578), intermediate key wrapping. Items
   * are read and written by that library in every language. Needs a keyring (not a materials manager) and no
   * extra encryption context or default action, as in the AWS library.
   */
  DB_ESDK,
  /** Envelope's own first format ({@code env_head}, {@code env_sig}): smaller and faster, read only by Envelope. */
  ENVELOPE_V1
}
