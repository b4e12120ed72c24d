package dev.envelope.lambda;

import dev.envelope.core.EnvelopeException;

/** A document could not be processed or archived; the message names the object, never its content. */
public class DocumentProcessingException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public DocumentProcessingException(String message) {
    super(message);
  }
}
