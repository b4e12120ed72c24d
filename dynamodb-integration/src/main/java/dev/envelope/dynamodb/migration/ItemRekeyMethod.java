package dev.envelope.dynamodb.migration;

/** How {@link TableMigration.Builder#rekeyFrom} moves a DB-ESDK item to new wrapping keys. */
public enum ItemRekeyMethod {
  /**
   * Decrypt the item and encrypt it again under a new data key, written back whole (a PutItem conditional on the
   * header read). The old data key no longer reads the item: the method for a key that leaked.
   */
  REENCRYPT,
  /**
   * Keep the data key and every stored value; write a new {@code aws_dbe_head} and {@code aws_dbe_foot} (an
   * UpdateItem of those two attributes, conditional on both as read) after verifying the item. No attribute is
   * decrypted, beacons stay valid, and a concurrent change to an unsigned attribute is kept. Whoever unwrapped the
   * data key before can still read the item: the method to retire a key, not to recover from a leak. Items of
   * Envelope's first format, and tables with multi-tenant beacons, are re-encrypted as with {@link #REENCRYPT}.
   */
  HEADER
}
