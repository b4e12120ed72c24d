package dev.envelope.core.materials;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the decryptor asks a materials manager for: the message's suite, its encrypted data keys, the context
 * stored in its header, and the context the caller reproduced (pairs it expects, including any that were
 * authenticated but not stored).
 */
public final class DecryptionRequest {
  private final AlgorithmSuite suite;
  private final CommitmentPolicy commitmentPolicy;
  private final List<EncryptedDataKey> encryptedDataKeys;
  private final Map<String, String> storedContext;
  private final Map<String, String> reproducedContext;

  private DecryptionRequest(Builder b) {
    this.suite = Objects.requireNonNull(b.suite, "suite");
    this.commitmentPolicy = Objects.requireNonNull(b.commitmentPolicy, "commitmentPolicy");
    this.encryptedDataKeys = List.copyOf(b.encryptedDataKeys);
    this.storedContext = Map.copyOf(b.storedContext);
    this.reproducedContext = Map.copyOf(b.reproducedContext);
  }

  public static Builder builder() {
    return new Builder();
  }

  public AlgorithmSuite suite() {
    return suite;
  }

  public CommitmentPolicy commitmentPolicy() {
    return commitmentPolicy;
  }

  public List<EncryptedDataKey> encryptedDataKeys() {
    return encryptedDataKeys;
  }

  /** The encryption context stored in the message header. */
  public Map<String, String> storedContext() {
    return storedContext;
  }

  /** The encryption context the caller expects; empty when the caller checks nothing. */
  public Map<String, String> reproducedContext() {
    return reproducedContext;
  }

  /** Builder. */
  public static final class Builder {
    private AlgorithmSuite suite;
    private CommitmentPolicy commitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
    private List<EncryptedDataKey> encryptedDataKeys = List.of();
    private Map<String, String> storedContext = Map.of();
    private Map<String, String> reproducedContext = Map.of();

    private Builder() {}

    /** The suite named in the message header. Required. */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = suite;
      return this;
    }

    /** The caller's commitment policy. {@code REQUIRE_ENCRYPT_REQUIRE_DECRYPT} by default. */
    public Builder commitmentPolicy(CommitmentPolicy commitmentPolicy) {
      this.commitmentPolicy = commitmentPolicy;
      return this;
    }

    /** The encrypted data keys of the message. Empty by default. */
    public Builder encryptedDataKeys(List<EncryptedDataKey> encryptedDataKeys) {
      this.encryptedDataKeys = Objects.requireNonNull(encryptedDataKeys, "encryptedDataKeys");
      return this;
    }

    /** The context stored in the message. Empty by default. */
    public Builder storedContext(Map<String, String> storedContext) {
      this.storedContext = Objects.requireNonNull(storedContext, "storedContext");
      return this;
    }

    /** The context the caller supplied (required keys not stored in the message). Empty by default. */
    public Builder reproducedContext(Map<String, String> reproducedContext) {
      this.reproducedContext = Objects.requireNonNull(reproducedContext, "reproducedContext");
      return this;
    }

    public DecryptionRequest build() {
      return new DecryptionRequest(this);
    }
  }
}
