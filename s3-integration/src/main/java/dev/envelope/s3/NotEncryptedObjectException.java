package dev.envelope.s3;

import dev.envelope.core.NotEncryptedException;

/**
 * The object carries no encryption metadata of any format this client reads, and plaintext reads are not enabled.
 * Reading plaintext silently would let anyone who can write to the bucket substitute data.
 */
public class NotEncryptedObjectException extends NotEncryptedException {
  private static final long serialVersionUID = 1L;

  public NotEncryptedObjectException(String message) {
    super(message);
  }
}
