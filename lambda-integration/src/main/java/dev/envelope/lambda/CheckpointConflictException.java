package dev.envelope.lambda;

/**
 * A checkpoint was saved by another run since this run loaded it (overlapping scheduled invocations). Nothing is
 * lost: the documents this run archived are recognized by their archives on the next run.
 */
public class CheckpointConflictException extends DocumentProcessingException {
  private static final long serialVersionUID = 1L;

  public CheckpointConflictException(String message) {
    super(message);
  }
}
