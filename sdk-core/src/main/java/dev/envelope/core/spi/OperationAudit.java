package dev.envelope.core.spi;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptionMaterials;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Collects what one encrypt or decrypt learned as it went (suite, message id, keys, cache, KMS calls), and emits
 * exactly one {@link AuditEvent} when it ends, successful or not. Not thread-safe: one per operation.
 */
public final class OperationAudit {
  private final Auditor auditor;
  private final AuditEvent.Operation operation;
  private final Instant time = Instant.now();
  private final long startNanos = System.nanoTime();
  private Map<String, String> context;
  private AlgorithmSuite suite;
  private byte[] messageId;
  private List<String> wrappingKeyIds = List.of();
  private int kmsCalls;
  private boolean cacheHit;
  private boolean recorded;

  OperationAudit(Auditor auditor, AuditEvent.Operation operation, Map<String, String> context) {
    this.auditor = auditor;
    this.operation = operation;
    this.context = context;
  }

  public void materials(EncryptionMaterials m) {
    suite = m.suite();
    wrappingKeyIds = m.wrappingKeyIds();
    kmsCalls = m.kmsCalls();
    cacheHit = m.cacheHit();
  }

  public void materials(DecryptionMaterials m) {
    suite = m.suite();
    wrappingKeyIds = m.wrappingKeyIds();
    kmsCalls = m.kmsCalls();
    cacheHit = m.cacheHit();
  }

  public void message(AlgorithmSuite suite, byte[] messageId) {
    this.suite = suite;
    this.messageId = messageId;
  }

  /** The context to report: on decrypt, the verified one replaces the expected one once known. */
  public void context(Map<String, String> context) {
    this.context = context;
  }

  /**
   * Records success. A sink that fails makes the operation fail: an unrecorded key use is not accepted silently.
   */
  public void success(long bytes) {
    if (recorded) {
      return;
    }
    recorded = true;
    try {
      auditor.sink().record(event(AuditEvent.Outcome.SUCCESS, null, bytes));
    } catch (RuntimeException e) {
      throw new EnvelopeException("Audit sink failed to record a " + operation + "; the operation is treated as "
          + "failed", e);
    }
  }

  /** Records failure; a failing sink is added to {@code error} as suppressed, never hides it. */
  public void failure(Throwable error, long bytes) {
    if (recorded) {
      return;
    }
    recorded = true;
    if (error instanceof NoKeyringCouldDecryptException e) {
      kmsCalls = Math.max(kmsCalls, e.kmsCalls()); // failed Decrypt requests are key uses too
    }
    try {
      auditor.sink().record(event(AuditEvent.Outcome.FAILURE, error.getClass().getSimpleName(), bytes));
    } catch (RuntimeException e) {
      error.addSuppressed(e);
    }
  }

  private AuditEvent event(AuditEvent.Outcome outcome, String errorClass, long bytes) {
    return AuditEvent.builder()
        .time(time)
        .operation(operation)
        .outcome(outcome)
        .errorClass(errorClass)
        .suite(suite == null ? null : String.format("0x%04X", suite.id() & 0xFFFF))
        .messageId(messageId == null ? null : Base64.getEncoder().encodeToString(messageId))
        .wrappingKeyIds(wrappingKeyIds)
        .encryptionContext(auditor.presentContext(context))
        .byteCount(bytes)
        .cacheHit(cacheHit)
        .kmsCalls(kmsCalls)
        .duration(Duration.ofNanos(System.nanoTime() - startNanos))
        .resource(auditor.resource())
        .build();
  }
}
