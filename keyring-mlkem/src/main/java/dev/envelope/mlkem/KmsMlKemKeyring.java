package dev.envelope.mlkem;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.spi.KmsErrors;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.EncapsulateResponse;
import software.amazon.awssdk.services.kms.model.EncapsulationAlgorithmSpec;

/**
 * <b>Experimental.</b> The AWS KMS ML-KEM keyring after the draft specification (revision C, see
 * {@link MlKemWrapping}): data keys wrapped under a key derived from an ML-KEM shared secret of a KMS key of usage
 * {@code ENCAPSULATE_DECAPSULATE}, encapsulated by KMS {@code Encapsulate} or locally with the key's public key
 * (then encrypting needs no KMS call), decapsulated by KMS {@code Decapsulate}. Provider id {@code aws-kms-ml-kem},
 * provider info the key ARN. No AWS library implements this keyring yet, so nothing here is tested against one: the
 * format may change when one ships; {@code keyring-mlkem/kat/ml-kem-keyring-kat.json} pins ours. Immutable and
 * thread-safe.
 */
public final class KmsMlKemKeyring extends MlKemKeyringBase {
  /** The provider id of the EDKs this keyring writes. */
  public static final String PROVIDER_ID = "aws-kms-ml-kem";
  static final String LABEL = "AWS-KMS-ML-KEM-KEY-DERIVATION";

  private final KmsClient kms;
  private final String keyArn;
  private final MlKemEngine.EncapsulationKey localKey;
  private final List<String> grantTokens;
  private final SecureRandom random = new SecureRandom();

  private KmsMlKemKeyring(Builder b) {
    super(PROVIDER_ID, LABEL, b.keyArn, b.set, b.keyArn);
    this.kms = b.kms;
    this.keyArn = b.keyArn;
    this.localKey = b.publicKey == null ? null : MlKem.engine().encapsulationKey(b.publicKey, b.set);
    this.grantTokens = List.copyOf(b.grantTokens);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  MlKem.Encapsulated encapsulate() {
    if (localKey != null) {
      return localKey.encapsulate(random);
    }
    try {
      EncapsulateResponse r = kms.encapsulate(b -> b.keyId(keyArn)
          .encapsulationAlgorithm(EncapsulationAlgorithmSpec.ML_KEM).grantTokens(grantTokens));
      byte[] ciphertext = r.sharedSecretCiphertextBlob().asByteArray();
      if (ciphertext.length != parameterSet().ciphertextLength()) {
        throw new EnvelopeException("KMS Encapsulate with " + keyArn + " returned a " + ciphertext.length
            + "-byte ciphertext: the key is not " + parameterSet().standardName() + " as configured");
      }
      return new MlKem.Encapsulated(r.sharedSecret().asByteArray(), ciphertext);
    } catch (SdkException e) {
      throw KmsErrors.translate("Encapsulate", keyArn, e);
    }
  }

  @Override
  int encapsulateKmsCalls() {
    return localKey == null ? 1 : 0;
  }

  @Override
  byte[] decapsulate(byte[] kemCiphertext) {
    try {
      return kms.decapsulate(b -> b.keyId(keyArn).encapsulationAlgorithm(EncapsulationAlgorithmSpec.ML_KEM)
          .sharedSecretCiphertextBlob(SdkBytes.fromByteArray(kemCiphertext)).grantTokens(grantTokens))
          .sharedSecret().asByteArray();
    } catch (SdkException e) {
      throw KmsErrors.translate("Decapsulate", keyArn, e);
    }
  }

  @Override
  int decapsulateKmsCalls() {
    return 1;
  }

  @Override
  String cannotEncapsulate() {
    return localKey == null && kms == null ? "it has neither a KMS client nor the key's public key" : null;
  }

  @Override
  public String toString() {
    return "KmsMlKemKeyring[" + keyArn + ", " + parameterSet().standardName() + (localKey != null
        ? ", local encapsulation" : "") + "]";
  }

  /** Builder: the key ARN and the parameter set are required, and a KMS client unless only encrypting locally. */
  public static final class Builder {
    private KmsClient kms;
    private String keyArn;
    private MlKemParameterSet set;
    private byte[] publicKey;
    private List<String> grantTokens = List.of();

    private Builder() {}

    public Builder kmsClient(KmsClient kms) {
      this.kms = Objects.requireNonNull(kms, "kms");
      return this;
    }

    /** The KMS ML-KEM key (a key ARN, not an alias: it is written into each EDK and compared on decrypt). */
    public Builder keyArn(String keyArn) {
      this.keyArn = keyArn;
      return this;
    }

    public Builder parameterSet(MlKemParameterSet set) {
      this.set = Objects.requireNonNull(set, "set");
      return this;
    }

    /**
     * Encapsulate locally with the key's public key (DER SubjectPublicKeyInfo, as KMS {@code GetPublicKey} gives
     * it) instead of calling KMS {@code Encapsulate}.
     */
    public Builder localEncapsulation(byte[] subjectPublicKeyInfo) {
      this.publicKey = subjectPublicKeyInfo.clone();
      return this;
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = List.copyOf(grantTokens);
      return this;
    }

    public KmsMlKemKeyring build() {
      if (keyArn == null || !keyArn.startsWith("arn:") || !keyArn.contains(":key/")) {
        throw new IllegalArgumentException("keyArn must be a KMS key ARN, not an alias or an empty value: " + keyArn);
      }
      Objects.requireNonNull(set, "parameterSet");
      if (kms == null && publicKey == null) {
        throw new IllegalArgumentException("Give a KMS client (to decrypt, and to encapsulate in KMS), or the key's "
            + "public key for local encapsulation");
      }
      return new KmsMlKemKeyring(this);
    }
  }
}
