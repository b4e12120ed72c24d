package dev.envelope.core;

/**
 * Data that should be encrypted was read without any encryption metadata this library recognises: an S3 object
 * ({@code dev.envelope.s3.NotEncryptedObjectException}) or a DynamoDB item
 * ({@code dev.envelope.dynamodb.NotEncryptedItemException}) written by a client that does not encrypt, or
 * stripped of its metadata. Reading it as plaintext silently would let anyone who can write the data substitute
 * it, so each adapter refuses unless its plaintext-reads option is on (for migrations). Catch this type to handle
 * the case the same way for every adapter.
 */
public class NotEncryptedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public NotEncryptedException(String message) {
    super(message);
  }
}
