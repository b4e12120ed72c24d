package dev.envelope.core.audit;

import java.util.List;
import java.util.Objects;

/**
 * Where audit events go. Implementations are thread-safe. A sink that cannot record an event throws an unchecked
 * exception, and the operation that produced the event fails with it: an unrecorded key use is not silently
 * accepted.
 */
public interface AuditSink {
  void record(AuditEvent event);

  /** A sink that drops every event. */
  static AuditSink none() {
    return event -> { };
  }

  /** A sink that records each event in every one of {@code sinks}, in order. */
  static AuditSink combine(AuditSink... sinks) {
    List<AuditSink> all = List.of(sinks);
    all.forEach(s -> Objects.requireNonNull(s, "sink"));
    return event -> {
      for (AuditSink sink : all) {
        sink.record(event);
      }
    };
  }
}
