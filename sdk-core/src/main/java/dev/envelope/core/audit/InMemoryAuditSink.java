package dev.envelope.core.audit;

import java.util.ArrayList;
import java.util.List;

/** Keeps events in memory, for tests and demos. Thread-safe. */
public final class InMemoryAuditSink implements AuditSink {
  private final List<AuditEvent> events = new ArrayList<>();

  @Override
  public synchronized void record(AuditEvent event) {
    events.add(event);
  }

  /** A snapshot of the events recorded so far, oldest first. */
  public synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  public synchronized void clear() {
    events.clear();
  }
}
