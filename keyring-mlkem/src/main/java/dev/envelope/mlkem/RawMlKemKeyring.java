package dev.envelope.mlkem;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/**
 * <b>Experimental.</b> An ML-KEM keyring with local keys, for users without KMS: the KMS ML-KEM keyring's EDK
 * ({@link MlKemWrapping}) with a key namespace as provider id (like the raw AES keyring's) and a key name in the
 * provider info; label {@code ENVELOPE-RAW-ML-KEM-KEY-DERIVATION}. The public key encrypts, the private key
 * decrypts. No AWS library has such a keyring. ML-KEM is the JDK's on JDK 24 and later, Bouncy Castle's before
 * ({@code -Denvelope.mlkem.implementation=jdk|bouncycastle} chooses); key pairs are generated with Bouncy Castle.
 * Immutable and thread-safe.
 */
public final class RawMlKemKeyring extends MlKemKeyringBase {
  static final String LABEL = "ENVELOPE-RAW-ML-KEM-KEY-DERIVATION";

  private final String keyId;
  private final MlKemEngine engine;
  private final MlKemEngine.EncapsulationKey publicKey;
  private final MlKemEngine.DecapsulationKey privateKey;
  private final SecureRandom random = new SecureRandom();

  private RawMlKemKeyring(Builder b) {
    super(b.keyNamespace, LABEL, b.keyName, b.set, b.keyNamespace + "/" + b.keyName);
    this.keyId = b.keyNamespace + "/" + b.keyName;
    this.engine = b.engine != null ? b.engine : MlKem.engine();
    this.privateKey = b.privateKey == null ? null : engine.decapsulationKey(b.privateKey, b.set);
    byte[] publicKeyBytes = b.publicKey != null ? b.publicKey
        : b.privateKey != null ? BouncyCastleMlKem.publicKeyOf(b.privateKey, b.set) : null;
    this.publicKey = publicKeyBytes == null ? null : engine.encapsulationKey(publicKeyBytes, b.set);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A new key pair: its public key (DER SubjectPublicKeyInfo) and private key (PKCS #8). */
  public static KeyPair generateKeyPair(MlKemParameterSet set) {
    MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
    generator.init(new MLKEMKeyGenerationParameters(new SecureRandom(), set.parameters()));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    return new KeyPair(BouncyCastleMlKem.encode((MLKEMPublicKeyParameters) pair.getPublic()),
        BouncyCastleMlKem.encode((MLKEMPrivateKeyParameters) pair.getPrivate()));
  }

  /** An ML-KEM key pair as bytes: SubjectPublicKeyInfo and PKCS #8, both DER. */
  public record KeyPair(byte[] publicKey, byte[] privateKey) {}

  @Override
  MlKem.Encapsulated encapsulate() {
    return publicKey.encapsulate(random);
  }

  @Override
  int encapsulateKmsCalls() {
    return 0;
  }

  @Override
  byte[] decapsulate(byte[] kemCiphertext) {
    if (privateKey == null) {
      throw new dev.envelope.core.EnvelopeException("raw ML-KEM keyring " + keyId + " has no private key");
    }
    return privateKey.decapsulate(kemCiphertext);
  }

  @Override
  int decapsulateKmsCalls() {
    return 0;
  }

  @Override
  String cannotEncapsulate() {
    return publicKey == null ? "it has no public key" : null;
  }

  @Override
  public String toString() {
    return "RawMlKemKeyring[" + keyId + ", " + parameterSet().standardName() + ", " + engine.name() + "]";
  }

  /** Builder: namespace, name, parameter set, and a public key (to encrypt) or a private key (both ways). */
  public static final class Builder {
    private String keyNamespace;
    private String keyName;
    private MlKemParameterSet set;
    private byte[] publicKey;
    private byte[] privateKey;
    private MlKemEngine engine;

    private Builder() {}

    /** The ML-KEM implementation, instead of the one {@link MlKem#engine()} picks (tests use both in one JVM). */
    Builder engine(MlKemEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** The provider id written in the message; must not start with {@code aws-kms}. */
    public Builder keyNamespace(String keyNamespace) {
      this.keyNamespace = keyNamespace;
      return this;
    }

    public Builder keyName(String keyName) {
      this.keyName = keyName;
      return this;
    }

    public Builder parameterSet(MlKemParameterSet set) {
      this.set = Objects.requireNonNull(set, "set");
      return this;
    }

    /** DER SubjectPublicKeyInfo; enough to encrypt. */
    public Builder publicKey(byte[] subjectPublicKeyInfo) {
      this.publicKey = subjectPublicKeyInfo.clone();
      return this;
    }

    /** PKCS #8 DER; decrypts, and encrypts too (the public key is part of it). */
    public Builder privateKey(byte[] pkcs8) {
      this.privateKey = pkcs8.clone();
      return this;
    }

    public RawMlKemKeyring build() {
      if (keyNamespace == null || keyNamespace.isEmpty() || keyNamespace.startsWith("aws-kms")) {
        throw new IllegalArgumentException("keyNamespace is required and must not start with 'aws-kms': "
            + keyNamespace);
      }
      if (keyName == null || keyName.isEmpty()) {
        throw new IllegalArgumentException("keyName is required");
      }
      Objects.requireNonNull(set, "parameterSet");
      if (publicKey == null && privateKey == null) {
        throw new IllegalArgumentException("Give a public key (to encrypt) or a private key (to decrypt)");
      }
      RawMlKemKeyring keyring = new RawMlKemKeyring(this);
      java.util.Arrays.fill(privateKey == null ? new byte[0] : privateKey, (byte) 0);
      return keyring;
    }
  }
}
