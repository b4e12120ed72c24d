package dev.envelope.s3.internal;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.spi.Auditor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One audit event for an object operation the Envelope facade does not record itself: S3EC-format encrypts and
 * decrypts, HEAD, DELETE, COPY. Exactly one event: the first of {@link #success} or {@link #failure} wins.
 * Thread-safe.
 */
public final class S3Audit {
  private final Auditor auditor;
  private final AuditEvent.Operation operation;
  private final String resource;
  private final Instant time = Instant.now();
  private final long start = System.nanoTime();
  private volatile Map<String, String> context = Map.of();
  private volatile List<String> keyIds = List.of();
  private volatile String suite;
  private volatile int kmsCalls;
  private boolean recorded;

  public S3Audit(Auditor auditor, AuditEvent.Operation operation, String resource) {
    this.auditor = auditor;
    this.operation = operation;
    this.resource = resource;
  }

  public S3Audit context(Map<String, String> newContext) {
    this.context = Map.copyOf(newContext);
    return this;
  }

  public S3Audit key(String keyId, int calls, String suiteId) {
    this.keyIds = List.of(keyId);
    this.kmsCalls += calls;
    this.suite = suiteId;
    return this;
  }

  public synchronized void success(long bytes) {
    if (!recorded) {
      recorded = true;
      auditor.sink().record(event(AuditEvent.Outcome.SUCCESS, null, bytes));
    }
  }

  public synchronized void failure(Throwable error, long bytes) {
    if (!recorded) {
      recorded = true;
      try {
        auditor.sink().record(event(AuditEvent.Outcome.FAILURE, error.getClass().getSimpleName(), bytes));
      } catch (RuntimeException e) {
        error.addSuppressed(e);
      }
    }
  }

  private AuditEvent event(AuditEvent.Outcome outcome, String errorClass, long bytes) {
    return AuditEvent.builder().time(time).operation(operation).outcome(outcome).errorClass(errorClass)
        .suite(suite).wrappingKeyIds(keyIds).encryptionContext(auditor.presentContext(context)).byteCount(bytes)
        .kmsCalls(kmsCalls).duration(Duration.ofNanos(System.nanoTime() - start)).resource(resource).build();
  }
}
