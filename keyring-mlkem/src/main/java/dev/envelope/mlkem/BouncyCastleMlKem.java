package dev.envelope.mlkem;

import java.io.IOException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.bouncycastle.pqc.crypto.util.PrivateKeyFactory;
import org.bouncycastle.pqc.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.pqc.crypto.util.PublicKeyFactory;
import org.bouncycastle.pqc.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * ML-KEM over Bouncy Castle's lightweight API: what runs on JDK 17 to 23 (which have no ML-KEM), and what checks key
 * encodings on every JDK, so that a key of another parameter set is refused with the same message whichever
 * implementation runs.
 */
final class BouncyCastleMlKem implements MlKemEngine {
  static final BouncyCastleMlKem INSTANCE = new BouncyCastleMlKem();

  private BouncyCastleMlKem() {}

  @Override
  public String name() {
    return "Bouncy Castle";
  }

  @Override
  public EncapsulationKey encapsulationKey(byte[] subjectPublicKeyInfo, MlKemParameterSet set) {
    MLKEMPublicKeyParameters key = publicKey(subjectPublicKeyInfo, set);
    return random -> encapsulate(key, random);
  }

  @Override
  public DecapsulationKey decapsulationKey(byte[] pkcs8, MlKemParameterSet set) {
    MLKEMPrivateKeyParameters key = privateKey(pkcs8, set);
    return ciphertext -> decapsulate(key, checkLength(ciphertext, set));
  }

  /**
   * {@code ciphertext}, if it has the length of {@code set}'s ciphertexts. Checked before either implementation sees
   * it: Bouncy Castle fails on other lengths with an index out of bounds, the JDK with a checked exception.
   */
  static byte[] checkLength(byte[] ciphertext, MlKemParameterSet set) {
    if (ciphertext.length != set.ciphertextLength()) {
      throw new IllegalArgumentException(set.standardName() + " ciphertexts are " + set.ciphertextLength()
          + " bytes; this one has " + ciphertext.length);
    }
    return ciphertext;
  }

  /** The PKCS #8 form of a private key that the JDK reads: the expanded key only (JDK 25 reads neither seed form). */
  static byte[] expandedPkcs8(byte[] pkcs8, MlKemParameterSet set) {
    MLKEMPrivateKeyParameters expanded = privateKey(pkcs8, set)
        .getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY);
    return encode(expanded);
  }

  static MLKEMPublicKeyParameters publicKey(byte[] subjectPublicKeyInfo, MlKemParameterSet set) {
    try {
      if (PublicKeyFactory.createKey(subjectPublicKeyInfo) instanceof MLKEMPublicKeyParameters key
          && key.getParameters().equals(set.parameters())) {
        return key;
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a DER-encoded " + set.standardName() + " public key: "
          + e.getMessage(), e);
    }
    throw new IllegalArgumentException("Not a DER-encoded " + set.standardName() + " public key");
  }

  static MLKEMPrivateKeyParameters privateKey(byte[] pkcs8, MlKemParameterSet set) {
    try {
      if (PrivateKeyFactory.createKey(pkcs8) instanceof MLKEMPrivateKeyParameters key
          && key.getParameters().equals(set.parameters())) {
        return key;
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a PKCS #8 " + set.standardName() + " private key: " + e.getMessage(),
          e);
    }
    throw new IllegalArgumentException("Not a PKCS #8 " + set.standardName() + " private key");
  }

  /** The SubjectPublicKeyInfo of the public half of a PKCS #8 private key. */
  static byte[] publicKeyOf(byte[] pkcs8, MlKemParameterSet set) {
    return encode(privateKey(pkcs8, set).getPublicKeyParameters());
  }

  static MlKem.Encapsulated encapsulate(MLKEMPublicKeyParameters key, SecureRandom random) {
    SecretWithEncapsulation result = new MLKEMGenerator(random).generateEncapsulated(key);
    return new MlKem.Encapsulated(result.getSecret(), result.getEncapsulation());
  }

  static byte[] decapsulate(MLKEMPrivateKeyParameters key, byte[] ciphertext) {
    return new MLKEMExtractor(key).extractSecret(ciphertext);
  }

  static byte[] encode(MLKEMPublicKeyParameters key) {
    try {
      return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an ML-KEM public key", e);
    }
  }

  static byte[] encode(MLKEMPrivateKeyParameters key) {
    try {
      return PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an ML-KEM private key", e);
    }
  }
}
