package dev.envelope.dynamodb.internal.dbe;

/** A value or item the DB-ESDK format cannot represent, with the AWS library's reason where it gives one. */
public final class DbeFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DbeFormatException(String message) {
    super(message);
  }
}
