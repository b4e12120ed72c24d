package dev.envelope.core.audit;

import java.util.List;
import java.util.Objects;

/**
 * Where audit events go. Implementations are thread-safe.
 *
 * <p>A sink that cannot record an event throws an unchecked exception. For a successful operation the event is
 * recorded after the operation happened, so the write already took place (an S3 object or DynamoDB item is
 * stored, a message was produced); the operation is then reported as failed with {@link AuditSinkException},
 * whose cause is the sink's exception, in every module and format: an unrecorded key use is not silently
 * accepted. For a failed operation, the sink's exception is added as suppressed to the operation's own error.
 */
public interface AuditSink {
  void record(AuditEvent event);

  /**
   * The sink that drops every event: always the same instance, so that an operation recorded nowhere does not
   * spend time building its event.
   */
  static AuditSink none() {
    return NoAuditSink.INSTANCE;
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
