package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;

/**
 * The object carries no encryption metadata of any format this client reads, and plaintext reads are not enabled.
 * Reading plaintext silently would let anyone who can write to the bucket substitute data.
 */
public class NotEncryptedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public NotEncryptedException(String message) {
    super(message);
  }
}
