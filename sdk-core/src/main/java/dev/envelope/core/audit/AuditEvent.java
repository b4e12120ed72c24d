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
    private Duration duration = Duration.ZERO;
    private String resource;

    private Builder() {}

    public Builder time(Instant time) {
      this.time = time;
      return this;
    }

    public Builder operation(Operation operation) {
      this.operation = operation;
      return this;
    }

    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    public Builder errorClass(String errorClass) {
      this.errorClass = errorClass;
      return this;
    }

    public Builder suite(String suite) {
      this.suite = suite;
      return this;
    }

    public Builder messageId(String messageId) {
      this.messageId = messageId;
      return this;
    }

    public Builder wrappingKeyIds(List<String> wrappingKeyIds) {
      this.wrappingKeyIds = Objects.requireNonNull(wrappingKeyIds, "wrappingKeyIds");
      return this;
    }

    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = Objects.requireNonNull(encryptionContext, "encryptionContext");
      return this;
    }

    public Builder byteCount(long byteCount) {
      this.byteCount = byteCount;
      return this;
    }

    public Builder cacheHit(boolean cacheHit) {
      this.cacheHit = cacheHit;
      return this;
    }

    public Builder kmsCalls(int kmsCalls) {
      this.kmsCalls = kmsCalls;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
