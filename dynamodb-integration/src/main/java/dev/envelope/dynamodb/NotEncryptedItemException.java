package dev.envelope.dynamodb;

import dev.envelope.core.NotEncryptedException;

/**
 * An item of an encrypted table was read without the header and signature attributes: it was written by a client
 * that does not encrypt, or those attributes were removed. Tables being migrated can allow such reads with
 * {@link TableConfig.Builder#plaintextOverride(PlaintextOverride)} (or {@code allowPlaintextReads}).
 */
public class NotEncryptedItemException extends NotEncryptedException {
  private static final long serialVersionUID = 1L;

  public NotEncryptedItemException(String message) {
    super(message);
  }
}
