package dev.envelope.core.spi;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.AuditSinkException;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptionMaterials;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one way Envelope and its adapters emit {@link AuditEvent}s: where events go, how context values appear, and
 * the resource named. {@link #start} opens the {@link Recording} of one operation, which emits exactly one event.
 * Immutable and thread-safe.
 */
public record AuditRecorder(AuditSink sink, ContextInAudit contextMode, String resource) {
  public AuditRecorder {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(contextMode, "contextMode");
  }

  /** Whether no event is recorded ({@link AuditSink#none()}): then what only an event would show need not be built. */
  public boolean silent() {
    return sink == AuditSink.none();
  }

  public AuditRecorder withResource(String newResource) {
    return new AuditRecorder(sink, contextMode, newResource);
  }

  /** Starts the record of one operation; exactly one event is emitted when it ends. */
  public Recording start(AuditEvent.Operation operation, Map<String, String> context) {
    return new Recording(this, operation, context);
  }

  /** The context as the audit trail shows it: values per {@link #contextMode}, ESDK-reserved keys left out. */
  public Map<String, String> presentContext(Map<String, String> context) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (e.getKey().startsWith("aws-crypto-")) {
        continue; // the ephemeral public key of signed suites: noise in an audit trail
      }
      String value = switch (contextMode) {
        case PLAIN -> e.getValue();
        case HASHED -> hash(e.getValue());
        case KEYS_ONLY -> "";
      };
      out.put(e.getKey(), value);
    }
    return out;
  }

  private static String hash(String value) {
    try {
      byte[] digest = JcaPerThread.digest("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * What one operation learned as it went (suite, message id, keys, cache, KMS calls), emitted as exactly one
   * event by the first of {@link #success} or {@link #failure}; later calls do nothing. Thread-safe: an operation
   * may end on another thread than the one that started it (a stream closed elsewhere).
   */
  public static final class Recording {
    private final AuditRecorder recorder;
    private final AuditEvent.Operation operation;
    private final Instant time = Instant.now();
    private final long startNanos = System.nanoTime();
    private Map<String, String> context;
    private String suite;
    private byte[] messageId;
    private List<String> wrappingKeyIds = List.of();
    private int kmsCalls;
    private int keyStoreCalls;
    private boolean cacheHit;
    private boolean recorded;

    private Recording(AuditRecorder recorder, AuditEvent.Operation operation, Map<String, String> context) {
      this.recorder = recorder;
      this.operation = operation;
      this.context = context == null ? Map.of() : context;
    }

    public synchronized Recording materials(EncryptionMaterials m) {
      return keys(m.suite(), m.wrappingKeyIds(), m.kmsCalls(), m.keyStoreCalls(), m.cacheHit());
    }

    public synchronized Recording materials(DecryptionMaterials m) {
      return keys(m.suite(), m.wrappingKeyIds(), m.kmsCalls(), m.keyStoreCalls(), m.cacheHit());
    }

    /** A re-wrap: the keys that unwrapped the data key, then those that wrapped it, and the calls of both. */
    public synchronized Recording rewrapped(DecryptionMaterials from, EncryptionMaterials to) {
      List<String> keyIds = new ArrayList<>(from.wrappingKeyIds());
      keyIds.addAll(to.wrappingKeyIds());
      return keys(to.suite(), List.copyOf(keyIds), from.kmsCalls() + to.kmsCalls(),
          from.keyStoreCalls() + to.keyStoreCalls(), from.cacheHit());
    }

    private Recording keys(AlgorithmSuite s, List<String> keyIds, int calls, int storeCalls, boolean hit) {
      suite = suiteId(s);
      wrappingKeyIds = keyIds;
      kmsCalls = calls;
      keyStoreCalls = storeCalls;
      cacheHit = hit;
      return this;
    }

    /**
     * A key used outside a materials manager (the S3 Encryption Client formats wrap their own keys): its id, the
     * KMS calls it took (added to those recorded so far) and the id the trail shows for its content cipher.
     */
    public synchronized Recording wrappingKey(String keyId, int calls, String contentAlgorithm) {
      wrappingKeyIds = List.of(keyId);
      kmsCalls += calls;
      suite = contentAlgorithm;
      return this;
    }

    /**
     * What a format outside the message format (the AWS Database Encryption SDK's items) learned: its suite as the
     * trail shows it, its message id, the keys that wrapped its data key and the calls they made.
     */
    public synchronized Recording item(String suiteId, byte[] id, List<String> keyIds, int calls, int storeCalls) {
      suite = suiteId;
      messageId = id;
      wrappingKeyIds = List.copyOf(keyIds);
      kmsCalls += calls;
      keyStoreCalls += storeCalls;
      return this;
    }

    public synchronized Recording message(AlgorithmSuite s, byte[] id) {
      suite = suiteId(s);
      messageId = id;
      return this;
    }

    /** The context to report: on decrypt, the verified one replaces the expected one once known. */
    public synchronized Recording context(Map<String, String> newContext) {
      context = Map.copyOf(newContext);
      return this;
    }

    /**
     * Records success. A sink that fails makes the operation fail with {@link AuditSinkException}, whose message
     * says that the operation itself already happened.
     */
    public void success(long bytes) {
      AuditEvent event;
      synchronized (this) {
        if (recorded) {
          return;
        }
        recorded = true;
        if (recorder.sink() == AuditSink.none()) {
          return;
        }
        event = event(AuditEvent.Outcome.SUCCESS, null, bytes);
      }
      try {
        recorder.sink().record(event);
      } catch (RuntimeException e) {
        throw new AuditSinkException("Audit sink failed to record a successful " + operation
            + (recorder.resource() == null ? "" : " of " + recorder.resource()) + " ("
            + e.getClass().getSimpleName() + "). The " + operation + " itself completed: anything it wrote (an "
            + "S3 object, a DynamoDB item) is stored. It is reported as failed because its key use went "
            + "unrecorded; fix the sink, then decide whether to keep or remove what was written.", e);
      }
    }

    /** Records failure; a failing sink is added to {@code error} as suppressed, never hides it. */
    public void failure(Throwable error, long bytes) {
      AuditEvent event;
      synchronized (this) {
        if (recorded) {
          return;
        }
        recorded = true;
        if (error instanceof NoKeyringCouldDecryptException e) {
          kmsCalls = Math.max(kmsCalls, e.kmsCalls()); // failed Decrypt requests are key uses too
          keyStoreCalls = Math.max(keyStoreCalls, e.keyStoreCalls());
        }
        if (recorder.sink() == AuditSink.none()) {
          return;
        }
        event = event(AuditEvent.Outcome.FAILURE, error.getClass().getSimpleName(), bytes);
      }
      try {
        recorder.sink().record(event);
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
          .suite(suite)
          .messageId(messageId == null ? null : Base64.getEncoder().encodeToString(messageId))
          .wrappingKeyIds(wrappingKeyIds)
          .encryptionContext(recorder.presentContext(context))
          .byteCount(bytes)
          .cacheHit(cacheHit)
          .kmsCalls(kmsCalls)
          .keyStoreCalls(keyStoreCalls)
          .duration(Duration.ofNanos(System.nanoTime() - startNanos))
          .resource(recorder.resource())
          .build();
    }

    private static String suiteId(AlgorithmSuite s) {
      return s == null ? null : "0x" + HexFormat.of().withUpperCase().toHexDigits(s.id());
    }
  }
}
