package dev.envelope.lambda;

import java.util.Objects;

/**
 * What became of one document in a run: archived now, found archived already (a retry, a replay, a crash before
 * the checkpoint), or failed, with a reason that names the document and the cause, never its content.
 *
 * @param source the document
 * @param status what happened
 * @param detail why it failed (exception type and message), or null
 * @param retryable whether trying again may succeed (throttling, an unreachable service), as opposed to a document
 *     that cannot be processed as it is (tampered, corrupt, refused by {@code process})
 */
public record DocumentOutcome(ObjectRef source, Status status, String detail, boolean retryable) {
  /** What happened to a document. */
  public enum Status {
    ARCHIVED,
    ALREADY_ARCHIVED,
    FAILED
  }

  public DocumentOutcome {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(status, "status");
  }

  static DocumentOutcome archived(ObjectRef source) {
    return new DocumentOutcome(source, Status.ARCHIVED, null, false);
  }

  static DocumentOutcome alreadyArchived(ObjectRef source) {
    return new DocumentOutcome(source, Status.ALREADY_ARCHIVED, null, false);
  }

  static DocumentOutcome failed(ObjectRef source, String detail, boolean retryable) {
    return new DocumentOutcome(source, Status.FAILED, detail, retryable);
  }

  /** Whether the document is archived (now or before). */
  public boolean ok() {
    return status != Status.FAILED;
  }
}
