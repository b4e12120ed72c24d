package dev.envelope.core;

/**
 * The encryption context the caller expected does not match the one the message was made with, or a required
 * context key is missing. Names the keys that differ, never their values.
 */
public class EncryptionContextMismatchException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EncryptionContextMismatchException(String message) {
    super(message);
  }
}
