package dev.envelope.core;

/**
 * A cryptographic check failed: the header or a frame tag, the key commitment, or the trailing signature.
 * The message was tampered with, or was decrypted with materials it was not made with. Discard any plaintext
 * already released by a stream.
 */
public class AuthenticationFailedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public AuthenticationFailedException(String message) {
    super(message);
  }

  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
