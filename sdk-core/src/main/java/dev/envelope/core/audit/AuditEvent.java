package dev.envelope.core.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One use of a data key: an encrypt or a decrypt, successful or not. Holds no plaintext and no key material:
 * wrapping key ids, the message id and the encryption context (values plain, hashed or left out, as configured)
 * are not secret. Immutable.
 */
public final class AuditEvent {
  /**
   * What was done. ENCRYPT and DECRYPT use a data key; the adapters also record the object operations that use
   * none (HEAD, DELETE) or both (COPY, a decrypt and re-encrypt), so that the trail shows every access.
   */
  public enum Operation {
    ENCRYPT, DECRYPT, HEAD, DELETE, COPY,
    /**
     * A data key unwrapped and wrapped again under other keys, its ciphertext untouched (re-keying); the wrapping
     * key ids are the keys that unwrapped it, then the keys that wrapped it.
     */
    REWRAP,
    /** An adapter's work on decrypted content (the Lambda document handler's {@code process}); no key is used. */
    PROCESS
  }

  /** How it ended. */
  public enum Outcome { SUCCESS, FAILURE }

  private final Instant time;
  private final Operation operation;
  private final Outcome outcome;
  private final String errorClass;
  private final String suite;
  private final String messageId;
  private final List<String> wrappingKeyIds;
  private final Map<String, String> encryptionContext;
  private final long byteCount;
  private final boolean cacheHit;
  private final int kmsCalls;
  private final int keyStoreCalls;
  private final Duration duration;
  private final String resource;

  private AuditEvent(Builder b) {
    this.time = Objects.requireNonNull(b.time, "time");
    this.operation = Objects.requireNonNull(b.operation, "operation");
    this.outcome = Objects.requireNonNull(b.outcome, "outcome");
    this.errorClass = b.errorClass;
    this.suite = b.suite;
    this.messageId = b.messageId;
    this.wrappingKeyIds = List.copyOf(b.wrappingKeyIds);
    this.encryptionContext = Map.copyOf(b.encryptionContext);
    this.byteCount = b.byteCount;
    this.cacheHit = b.cacheHit;
    this.kmsCalls = b.kmsCalls;
    this.keyStoreCalls = b.keyStoreCalls;
    this.duration = Objects.requireNonNull(b.duration, "duration");
    this.resource = b.resource;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Instant time() {
    return time;
  }

  public Operation operation() {
    return operation;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Simple class name of the failure, e.g. {@code AuthenticationFailedException}. */
  public Optional<String> errorClass() {
    return Optional.ofNullable(errorClass);
  }

  /** The algorithm suite id as {@code 0x0578}, when known. */
  public Optional<String> suite() {
    return Optional.ofNullable(suite);
  }

  /** The message id, base64, when known. */
  public Optional<String> messageId() {
    return Optional.ofNullable(messageId);
  }

  /** The wrapping keys used: every key that wrapped the data key on encrypt, the one that unwrapped it on decrypt. */
  public List<String> wrappingKeyIds() {
    return wrappingKeyIds;
  }

  /** Context keys with their values as configured: plain, {@code sha256:<hex>}, or left out. */
  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  /** Plaintext bytes encrypted or decrypted (so far, for a failure). */
  public long byteCount() {
    return byteCount;
  }

  public boolean cacheHit() {
    return cacheHit;
  }

  public int kmsCalls() {
    return kmsCalls;
  }

  /** Calls to a branch key store (DynamoDB reads) the operation made; 0 for keyrings without one. */
  public int keyStoreCalls() {
    return keyStoreCalls;
  }

  public Duration duration() {
    return duration;
  }

  /** What the adapter was working on, e.g. {@code s3://bucket/key}. */
  public Optional<String> resource() {
    return Optional.ofNullable(resource);
  }

  @Override
  public String toString() {
    return "AuditEvent[" + operation + " " + outcome + (errorClass == null ? "" : " " + errorClass)
        + ", suite=" + suite + ", keys=" + wrappingKeyIds + ", bytes=" + byteCount + ", resource=" + resource + "]";
  }

  /** Builder. */
  public static final class Builder {
    private Instant time;
    private Operation operation;
    private Outcome outcome;
    private String errorClass;
    private String suite;
    private String messageId;
    private List<String> wrappingKeyIds = List.of();
    private Map<String, String> encryptionContext = Map.of();
    private long byteCount;
    private boolean cacheHit;
    private int kmsCalls;
    private int keyStoreCalls;
    private Duration duration = Duration.ZERO;
    private String resource;

    private Builder() {}

    /** When the operation started. Required. */
    public Builder time(Instant time) {
      this.time = time;
      return this;
    }

    /** What was done. Required. */
    public Builder operation(Operation operation) {
      this.operation = operation;
      return this;
    }

    /** Success or failure. Required. */
    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    /** The failure's exception class (simple name). None by default. */
    public Builder errorClass(String errorClass) {
      this.errorClass = errorClass;
      return this;
    }

    /** The algorithm suite as {@code 0xNNNN}. None by default. */
    public Builder suite(String suite) {
      this.suite = suite;
      return this;
    }

    /** The message id, base64. None by default. */
    public Builder messageId(String messageId) {
      this.messageId = messageId;
      return this;
    }

    /** The wrapping keys used. Empty by default. */
    public Builder wrappingKeyIds(List<String> wrappingKeyIds) {
      this.wrappingKeyIds = Objects.requireNonNull(wrappingKeyIds, "wrappingKeyIds");
      return this;
    }

    /** The context as the audit trail shows it (never plain unless asked). Empty by default. */
    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = Objects.requireNonNull(encryptionContext, "encryptionContext");
      return this;
    }

    /** Plaintext bytes processed. 0 by default. */
    public Builder byteCount(long byteCount) {
      this.byteCount = byteCount;
      return this;
    }

    /** Whether the materials came from a cache. False by default. */
    public Builder cacheHit(boolean cacheHit) {
      this.cacheHit = cacheHit;
      return this;
    }

    /** KMS requests made, failed ones included. 0 by default. */
    public Builder kmsCalls(int kmsCalls) {
      this.kmsCalls = kmsCalls;
      return this;
    }

    public Builder keyStoreCalls(int keyStoreCalls) {
      this.keyStoreCalls = keyStoreCalls;
      return this;
    }

    /** How long the operation took. Zero by default. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** What was encrypted or decrypted, e.g. {@code s3://bucket/key}. None by default. */
    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
