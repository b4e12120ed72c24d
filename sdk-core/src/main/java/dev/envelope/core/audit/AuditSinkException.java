package dev.envelope.core.audit;

import dev.envelope.core.EnvelopeException;

/**
 * The {@link AuditSink} failed to record a successful operation, so the operation is reported as failed: a key use
 * nobody recorded is not accepted silently. The operation itself had already happened when the sink was called:
 * an S3 object or DynamoDB item was written, a message was produced, a data key was unwrapped. Whether to undo a
 * write is the caller's decision; retrying repeats it. The cause is the sink's own exception.
 */
public class AuditSinkException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public AuditSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
