package dev.envelope.core;

/**
 * Root of every failure Envelope reports. Unchecked, like the AWS SDK's exceptions.
 *
 * <p>Messages name the key, the resource and the fix where they are known; they never hold plaintext, data keys
 * or encryption-context values. Subtypes say what a caller can act on.
 */
public class EnvelopeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeException(String message) {
    super(message);
  }

  public EnvelopeException(String message, Throwable cause) {
    super(message, cause);
  }
}
