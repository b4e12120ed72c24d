package dev.envelope.localaws.internal;

import java.io.IOException;

/**
 * A request body refused while it streams through (bad chunk signature, checksum mismatch, cut short): thrown from
 * the body's stream so that the upload to the store fails, and carrying the error to answer with.
 */
public final class RejectedBody extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Reply.Answer answer;

  public RejectedBody(Reply.Answer answer, String message) {
    super(message);
    this.answer = answer;
  }

  public Reply.Answer answer() {
    return answer;
  }

  /** The first {@code RejectedBody} in {@code e}'s cause chain, or null. */
  public static RejectedBody in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RejectedBody r) {
        return r;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof RejectedBody r) {
          return r;
        }
      }
    }
    return null;
  }
}
