package dev.envelope.core.materials;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the encryptor asks a materials manager for: the caller's encryption context, the suite it asked for (if
 * any), the commitment policy, and the plaintext length when known (caching needs it to count bytes).
 */
public final class EncryptionRequest {
  private final Map<String, String> encryptionContext;
  private final AlgorithmSuite suite;
  private final CommitmentPolicy commitmentPolicy;
  private final long plaintextLength;
  private final Set<String> requiredContextKeys;

  private EncryptionRequest(Builder b) {
    this.encryptionContext = Map.copyOf(b.encryptionContext);
    this.suite = b.suite;
    this.commitmentPolicy = Objects.requireNonNull(b.commitmentPolicy, "commitmentPolicy");
    this.plaintextLength = b.plaintextLength;
    this.requiredContextKeys = Set.copyOf(b.requiredContextKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .encryptionContext(encryptionContext)
        .suite(suite)
        .commitmentPolicy(commitmentPolicy)
        .plaintextLength(plaintextLength)
        .requiredContextKeys(requiredContextKeys);
  }

  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  public Optional<AlgorithmSuite> suite() {
    return Optional.ofNullable(suite);
  }

  public CommitmentPolicy commitmentPolicy() {
    return commitmentPolicy;
  }

  /** The plaintext length, or empty for a stream of unknown length. */
  public OptionalLong plaintextLength() {
    return plaintextLength < 0 ? OptionalLong.empty() : OptionalLong.of(plaintextLength);
  }

  /** Context keys to authenticate without storing them in the message. */
  public Set<String> requiredContextKeys() {
    return requiredContextKeys;
  }

  /** Builder. */
  public static final class Builder {
    private Map<String, String> encryptionContext = Map.of();
    private AlgorithmSuite suite;
    private CommitmentPolicy commitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
    private long plaintextLength = -1;
    private Set<String> requiredContextKeys = Set.of();

    private Builder() {}

    /** The caller's encryption context. Empty by default. */
    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = Objects.requireNonNull(encryptionContext, "encryptionContext");
      return this;
    }

    /** The suite the caller asks for. None by default: the materials manager chooses (0x0578). */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = suite;
      return this;
    }

    /** The caller's commitment policy. {@code REQUIRE_ENCRYPT_REQUIRE_DECRYPT} by default. */
    public Builder commitmentPolicy(CommitmentPolicy commitmentPolicy) {
      this.commitmentPolicy = commitmentPolicy;
      return this;
    }

    /** Plaintext length in bytes, or -1 when unknown. -1 by default. */
    public Builder plaintextLength(long plaintextLength) {
      this.plaintextLength = plaintextLength < 0 ? -1 : plaintextLength;
      return this;
    }

    /** Context keys that must be present and are not stored in the message. Empty by default. */
    public Builder requiredContextKeys(Set<String> requiredContextKeys) {
      this.requiredContextKeys = Objects.requireNonNull(requiredContextKeys, "requiredContextKeys");
      return this;
    }

    public EncryptionRequest build() {
      return new EncryptionRequest(this);
    }
  }
}
