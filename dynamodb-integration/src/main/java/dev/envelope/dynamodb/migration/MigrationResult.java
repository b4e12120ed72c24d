package dev.envelope.dynamodb.migration;

/**
 * What a {@link TableMigration} did, so far or in all: items scanned, rewritten from plaintext and from Envelope's
 * first format, moved to new wrapping keys ({@link TableMigration.Builder#rekeyFrom}), found already in the target
 * format (and on the target keys), writes that lost a race with a concurrent writer (the item was read again, never
 * overwritten), and items that could not be read (left as they were).
 */
public record MigrationResult(long scanned, long fromPlaintext, long fromEnvelopeV1, long rekeyed,
    long alreadyCurrent, long conflicts, long failed) {
  /** Items rewritten: into the target format or onto the new keys. */
  public long rewritten() {
    return fromPlaintext + fromEnvelopeV1 + rekeyed;
  }

  @Override
  public String toString() {
    return scanned + " scanned: " + fromPlaintext + " encrypted from plaintext, " + fromEnvelopeV1 + " rewritten from "
        + "ENVELOPE_V1, " + rekeyed + " re-keyed, " + alreadyCurrent + " already current, " + conflicts + " concurrent changes "
        + "re-read, " + failed + " unreadable";
  }
}
