package dev.envelope.kms.internal;

import java.io.IOException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.bouncycastle.pqc.crypto.util.PrivateKeyFactory;
import org.bouncycastle.pqc.crypto.util.PublicKeyFactory;

/**
 * ML-KEM (FIPS 203) over Bouncy Castle's lightweight API, which JDK 17 lacks. Kept apart so that Bouncy Castle is
 * loaded only when an ML-KEM key is used: test class paths without it keep working for every other key.
 */
final class MlKemCrypto {
  private static final SecureRandom RANDOM = new SecureRandom();

  private MlKemCrypto() {}

  /** The shared secret and its ciphertext, encapsulated to the key whose SubjectPublicKeyInfo is given. */
  static byte[][] encapsulate(byte[] subjectPublicKeyInfo) throws IOException {
    MLKEMPublicKeyParameters publicKey = (MLKEMPublicKeyParameters) PublicKeyFactory.createKey(subjectPublicKeyInfo);
    SecretWithEncapsulation result = new MLKEMGenerator(RANDOM).generateEncapsulated(publicKey);
    return new byte[][] {result.getSecret(), result.getEncapsulation()};
  }

  /** The shared secret of {@code ciphertext} (a pseudo-random one for a wrong ciphertext: implicit rejection). */
  static byte[] decapsulate(byte[] pkcs8, byte[] ciphertext) throws IOException {
    MLKEMPrivateKeyParameters privateKey = (MLKEMPrivateKeyParameters) PrivateKeyFactory.createKey(pkcs8);
    return new MLKEMExtractor(privateKey).extractSecret(ciphertext);
  }
}
