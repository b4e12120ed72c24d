package dev.envelope.mlkem;

import java.io.IOException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.bouncycastle.pqc.crypto.util.PrivateKeyFactory;
import org.bouncycastle.pqc.crypto.util.PublicKeyFactory;
import org.bouncycastle.pqc.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.pqc.crypto.util.SubjectPublicKeyInfoFactory;

/** ML-KEM over Bouncy Castle's lightweight API (JDK 17 has no KEM): keys from their DER forms, encaps, decaps. */
final class MlKem {
  private MlKem() {}

  /** A shared secret and its encapsulation. */
  record Encapsulated(byte[] sharedSecret, byte[] ciphertext) {}

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

  static Encapsulated encapsulate(MLKEMPublicKeyParameters key, SecureRandom random) {
    SecretWithEncapsulation result = new MLKEMGenerator(random).generateEncapsulated(key);
    return new Encapsulated(result.getSecret(), result.getEncapsulation());
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
