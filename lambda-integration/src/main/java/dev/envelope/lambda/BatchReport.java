package dev.envelope.lambda;

import java.util.List;

/**
 * The result of one run over a batch of documents (a scheduled listing, a mounted directory, an explicit list of
 * keys): how many were archived, found archived already, left unchanged since the checkpoint, deferred to the
 * next run (the invocation was running out of time), or dropped from the checkpoint because their file is gone;
 * and each failure with its reason. A failed document stays out of the checkpoint and is tried again next run.
 * JavaBean getters, so that Lambda's serializer writes it as the invocation's result. Immutable.
 */
public final class BatchReport {
  private final List<DocumentOutcome> outcomes;
  private final int unchanged;
  private final int deferred;
  private final int deleted;
  private final boolean checkpointSaved;

  BatchReport(List<DocumentOutcome> outcomes, int unchanged, int deferred, int deleted, boolean checkpointSaved) {
    this.outcomes = List.copyOf(outcomes);
    this.unchanged = unchanged;
    this.deferred = deferred;
    this.deleted = deleted;
    this.checkpointSaved = checkpointSaved;
  }

  /** Every document this run looked at, in order. */
  public List<DocumentOutcome> outcomes() {
    return outcomes;
  }

  public int getArchived() {
    return count(DocumentOutcome.Status.ARCHIVED);
  }

  public int getAlreadyArchived() {
    return count(DocumentOutcome.Status.ALREADY_ARCHIVED);
  }

  /** Failures, each "s3://bucket/key: reason". */
  public List<String> getFailures() {
    return outcomes.stream().filter(o -> !o.ok()).map(o -> o.source() + ": " + o.detail()).toList();
  }

  public int getUnchanged() {
    return unchanged;
  }

  public int getDeferred() {
    return deferred;
  }

  public int getDeleted() {
    return deleted;
  }

  /**
   * Whether this run's checkpoint was stored. False when another run stored one in between (the documents this
   * run archived are recognized by their archives next time) or when the run had no checkpoint.
   */
  public boolean isCheckpointSaved() {
    return checkpointSaved;
  }

  private int count(DocumentOutcome.Status status) {
    return (int) outcomes.stream().filter(o -> o.status() == status).count();
  }

  /** One line for a log: the counts, and the failed documents' names. */
  @Override
  public String toString() {
    return "archived " + getArchived() + ", already archived " + getAlreadyArchived() + ", unchanged " + unchanged
        + ", deferred " + deferred + ", deleted " + deleted + ", failed " + getFailures().size()
        + (getFailures().isEmpty() ? "" : " " + getFailures()) + (checkpointSaved ? "" : "; checkpoint not saved");
  }
}
