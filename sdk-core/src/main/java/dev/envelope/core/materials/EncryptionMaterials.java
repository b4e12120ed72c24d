package dev.envelope.core.materials;

import dev.envelope.core.AlgorithmSuite;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything needed to encrypt one message: the suite, the full encryption context (the caller's pairs plus
 * {@code aws-crypto-public-key} for signed suites), which context keys are authenticated but not stored, the
 * plaintext data key, its encrypted copies, and the signing key of signed suites. Keyrings return a new instance
 * with their additions ({@link #toBuilder()}).
 *
 * <p>Immutable, except that the data key is destroyed by the encryptor when the message is done.
 */
public final class EncryptionMaterials {
  private final AlgorithmSuite suite;
  private final Map<String, String> encryptionContext;
  private final Set<String> requiredContextKeys;
  private final List<EncryptedDataKey> encryptedDataKeys;
  private final DataKey dataKey;
  private final PrivateKey signingKey;
  private final List<String> wrappingKeyIds;
  private final int kmsCalls;
  private final int keyStoreCalls;
  private final boolean cacheHit;

  private EncryptionMaterials(Builder b) {
    this.suite = Objects.requireNonNull(b.suite, "suite");
    this.encryptionContext = Map.copyOf(b.encryptionContext);
    this.requiredContextKeys = Set.copyOf(b.requiredContextKeys);
    this.encryptedDataKeys = List.copyOf(b.encryptedDataKeys);
    this.dataKey = b.dataKey;
    this.signingKey = b.signingKey;
    this.wrappingKeyIds = List.copyOf(b.wrappingKeyIds);
    this.kmsCalls = b.kmsCalls;
    this.keyStoreCalls = b.keyStoreCalls;
    this.cacheHit = b.cacheHit;
    if (dataKey != null && dataKey.length() != suite.dataKeyLength()) {
      throw new IllegalArgumentException("data key is " + dataKey.length() + " bytes; " + suite + " needs "
          + suite.dataKeyLength());
    }
    if (suite.isSigned() != (signingKey != null)) {
      throw new IllegalArgumentException(suite.isSigned()
          ? "suite " + suite + " signs: a signing key is required"
          : "suite " + suite + " does not sign: no signing key expected");
    }
    for (String key : requiredContextKeys) {
      if (!encryptionContext.containsKey(key)) {
        throw new IllegalArgumentException("required encryption context key '" + key + "' is not in the context");
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public AlgorithmSuite suite() {
    return suite;
  }

  /** The full encryption context, including {@code aws-crypto-public-key} for signed suites. */
  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  /** Keys of the context that are authenticated but not stored in the message. */
  public Set<String> requiredContextKeys() {
    return requiredContextKeys;
  }

  public List<EncryptedDataKey> encryptedDataKeys() {
    return encryptedDataKeys;
  }

  /** The plaintext data key, absent until a keyring generates or is given one. */
  public Optional<DataKey> dataKey() {
    return Optional.ofNullable(dataKey);
  }

  /** The ephemeral signing key of signed suites. */
  public Optional<PrivateKey> signingKey() {
    return Optional.ofNullable(signingKey);
  }

  /** Ids of the wrapping keys that produced the encrypted data keys (KMS key ARNs, raw namespace/name). */
  public List<String> wrappingKeyIds() {
    return wrappingKeyIds;
  }

  /** Calls made to KMS to produce these materials (0 for raw keyrings and cache hits). */
  public int kmsCalls() {
    return kmsCalls;
  }

  /** Key store calls (DynamoDB reads of branch keys) made to produce these materials. */
  public int keyStoreCalls() {
    return keyStoreCalls;
  }

  /** Whether these materials came from a cache rather than from the keyring. */
  public boolean cacheHit() {
    return cacheHit;
  }

  @Override
  public String toString() {
    return "EncryptionMaterials[suite=" + suite + ", contextKeys=" + encryptionContext.keySet()
        + ", encryptedDataKeys=" + encryptedDataKeys.size() + ", wrappingKeyIds=" + wrappingKeyIds + "]";
  }

  /** Builder; {@link #build()} checks the invariants. */
  public static final class Builder {
    private AlgorithmSuite suite;
    private Map<String, String> encryptionContext = Map.of();
    private Set<String> requiredContextKeys = Set.of();
    private final List<EncryptedDataKey> encryptedDataKeys = new ArrayList<>();
    private DataKey dataKey;
    private PrivateKey signingKey;
    private final List<String> wrappingKeyIds = new ArrayList<>();
    private int kmsCalls;
    private int keyStoreCalls;
    private boolean cacheHit;

    private Builder() {}

    private Builder(EncryptionMaterials m) {
      suite = m.suite;
      encryptionContext = m.encryptionContext;
      requiredContextKeys = m.requiredContextKeys;
      encryptedDataKeys.addAll(m.encryptedDataKeys);
      dataKey = m.dataKey;
      signingKey = m.signingKey;
      wrappingKeyIds.addAll(m.wrappingKeyIds);
      kmsCalls = m.kmsCalls;
      keyStoreCalls = m.keyStoreCalls;
      cacheHit = m.cacheHit;
    }

    /** The suite of the message. Required. */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = suite;
      return this;
    }

    /** The context to store and authenticate. Empty by default. */
    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = Objects.requireNonNull(encryptionContext, "encryptionContext");
      return this;
    }

    /** Context keys authenticated but not stored. Empty by default. */
    public Builder requiredContextKeys(Set<String> requiredContextKeys) {
      this.requiredContextKeys = Objects.requireNonNull(requiredContextKeys, "requiredContextKeys");
      return this;
    }

    /** The plaintext data key. None by default: the first keyring generates it. */
    public Builder dataKey(DataKey dataKey) {
      this.dataKey = dataKey;
      return this;
    }

    /** The ECDSA key of signed suites. None by default; required for signed suites. */
    public Builder signingKey(PrivateKey signingKey) {
      this.signingKey = signingKey;
      return this;
    }

    /** Adds an encrypted copy of the data key, made with the wrapping key {@code wrappingKeyId}. */
    public Builder addEncryptedDataKey(EncryptedDataKey edk, String wrappingKeyId) {
      encryptedDataKeys.add(Objects.requireNonNull(edk, "edk"));
      wrappingKeyIds.add(Objects.requireNonNull(wrappingKeyId, "wrappingKeyId"));
      return this;
    }

    /** Replaces the encrypted data keys (used by caches and tests). */
    public Builder encryptedDataKeys(List<EncryptedDataKey> edks, List<String> keyIds) {
      encryptedDataKeys.clear();
      encryptedDataKeys.addAll(edks);
      wrappingKeyIds.clear();
      wrappingKeyIds.addAll(keyIds);
      return this;
    }

    /** Adds KMS requests a keyring made to the count, which starts at 0. */
    public Builder addKmsCalls(int calls) {
      this.kmsCalls += calls;
      return this;
    }

    /** Sets the count of KMS requests made. 0 by default. */
    public Builder kmsCalls(int calls) {
      this.kmsCalls = calls;
      return this;
    }

    /** Adds key store calls (a branch key read from DynamoDB) to those counted for audit. */
    public Builder addKeyStoreCalls(int calls) {
      this.keyStoreCalls += calls;
      return this;
    }

    public Builder keyStoreCalls(int calls) {
      this.keyStoreCalls = calls;
      return this;
    }

    /** Whether the materials came from a cache. False by default. */
    public Builder cacheHit(boolean cacheHit) {
      this.cacheHit = cacheHit;
      return this;
    }

    public EncryptionMaterials build() {
      return new EncryptionMaterials(this);
    }
  }
}
