package dev.envelope.dynamodb.migration;

/**
 * What a {@link TableMigration} did, so far or in all: items scanned, rewritten from plaintext and from Envelope's
 * first format, found already in the target format, writes that lost a race with a concurrent writer (the item
 * was read again, never overwritten), and items that could not be read (left as they were).
 */
public record MigrationResult(long scanned, long fromPlaintext, long fromEnvelopeV1, long alreadyCurrent,
    long conflicts, long failed) {
  /** Items rewritten into the target format. */
  public long rewritten() {
    return fromPlaintext + fromEnvelopeV1;
  }

  @Override
  public String toString() {
    return scanned + " scanned: " + fromPlaintext + " encrypted from plaintext, " + fromEnvelopeV1 + " rewritten from "
        + "ENVELOPE_V1, " + alreadyCurrent + " already in the DB-ESDK format, " + conflicts + " concurrent changes "
        + "re-read, " + failed + " unreadable";
  }
}
