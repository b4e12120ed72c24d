package dev.envelope.core;

/**
 * The bytes are not a well-formed message: truncated, an unknown version or suite, a length over a limit,
 * bytes after the end. Nothing was authenticated yet, or the structure itself is wrong.
 */
public class MalformedMessageException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
