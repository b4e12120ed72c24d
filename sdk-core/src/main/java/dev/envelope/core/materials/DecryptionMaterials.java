package dev.envelope.core.materials;

import dev.envelope.core.AlgorithmSuite;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything needed to decrypt one message: the suite, the full encryption context (stored pairs plus the
 * reproduced pairs that were authenticated but not stored), the plaintext data key once a keyring decrypted it,
 * and the verification key of signed suites.
 *
 * <p>Immutable, except that the data key is destroyed by the decryptor when the message is done.
 */
public final class DecryptionMaterials {
  private final AlgorithmSuite suite;
  private final Map<String, String> encryptionContext;
  private final Set<String> requiredContextKeys;
  private final DataKey dataKey;
  private final PublicKey verificationKey;
  private final List<String> wrappingKeyIds;
  private final int kmsCalls;
  private final int keyStoreCalls;
  private final boolean cacheHit;

  private DecryptionMaterials(Builder b) {
    this.suite = Objects.requireNonNull(b.suite, "suite");
    this.encryptionContext = Map.copyOf(b.encryptionContext);
    this.requiredContextKeys = Set.copyOf(b.requiredContextKeys);
    this.dataKey = b.dataKey;
    this.verificationKey = b.verificationKey;
    this.wrappingKeyIds = List.copyOf(b.wrappingKeyIds);
    this.kmsCalls = b.kmsCalls;
    this.keyStoreCalls = b.keyStoreCalls;
    this.cacheHit = b.cacheHit;
    if (dataKey != null && dataKey.length() != suite.dataKeyLength()) {
      throw new IllegalArgumentException("data key is " + dataKey.length() + " bytes; " + suite + " needs "
          + suite.dataKeyLength());
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

  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  public Set<String> requiredContextKeys() {
    return requiredContextKeys;
  }

  public Optional<DataKey> dataKey() {
    return Optional.ofNullable(dataKey);
  }

  public Optional<PublicKey> verificationKey() {
    return Optional.ofNullable(verificationKey);
  }

  /** The wrapping key that decrypted the data key (empty until one did). */
  public List<String> wrappingKeyIds() {
    return wrappingKeyIds;
  }

  public int kmsCalls() {
    return kmsCalls;
  }

  /** Key store calls (DynamoDB reads of branch keys) made to produce these materials. */
  public int keyStoreCalls() {
    return keyStoreCalls;
  }

  public boolean cacheHit() {
    return cacheHit;
  }

  @Override
  public String toString() {
    return "DecryptionMaterials[suite=" + suite + ", contextKeys=" + encryptionContext.keySet()
        + ", wrappingKeyIds=" + wrappingKeyIds + ", dataKey=" + (dataKey == null ? "absent" : "present") + "]";
  }

  /** Builder; {@link #build()} checks the invariants. */
  public static final class Builder {
    private AlgorithmSuite suite;
    private Map<String, String> encryptionContext = Map.of();
    private Set<String> requiredContextKeys = Set.of();
    private DataKey dataKey;
    private PublicKey verificationKey;
    private final List<String> wrappingKeyIds = new ArrayList<>();
    private int kmsCalls;
    private int keyStoreCalls;
    private boolean cacheHit;

    private Builder() {}

    private Builder(DecryptionMaterials m) {
      suite = m.suite;
      encryptionContext = m.encryptionContext;
      requiredContextKeys = m.requiredContextKeys;
      dataKey = m.dataKey;
      verificationKey = m.verificationKey;
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

    /** The verified context. Empty by default. */
    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = Objects.requireNonNull(encryptionContext, "encryptionContext");
      return this;
    }

    /** Context keys that were authenticated but not stored. Empty by default. */
    public Builder requiredContextKeys(Set<String> requiredContextKeys) {
      this.requiredContextKeys = Objects.requireNonNull(requiredContextKeys, "requiredContextKeys");
      return this;
    }

    /**
     * Sets the decrypted data key and the wrapping key that decrypted it. None by default: no keyring has decrypted
     * yet.
     */
    public Builder dataKey(DataKey dataKey, String wrappingKeyId) {
      this.dataKey = Objects.requireNonNull(dataKey, "dataKey");
      this.wrappingKeyIds.clear();
      this.wrappingKeyIds.add(Objects.requireNonNull(wrappingKeyId, "wrappingKeyId"));
      return this;
    }

    /** The ECDSA public key of signed suites. None by default; required for signed suites. */
    public Builder verificationKey(PublicKey verificationKey) {
      this.verificationKey = verificationKey;
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

    public DecryptionMaterials build() {
      return new DecryptionMaterials(this);
    }
  }
}
