package dev.envelope.mlkem;

import java.security.SecureRandom;

/**
 * An implementation of ML-KEM (FIPS 203): the JDK's {@code javax.crypto.KEM} on JDK 24 and later ({@link JdkMlKem}),
 * Bouncy Castle's otherwise ({@link BouncyCastleMlKem}). Keys come in and go out in their standard DER forms, so the
 * keyrings do not care which one runs. Implementations are immutable and thread-safe, as are their keys.
 */
interface MlKemEngine {
  /** A name for messages: {@code JDK} or {@code Bouncy Castle}. */
  String name();

  /**
   * The encapsulation key of a DER SubjectPublicKeyInfo of {@code set}.
   *
   * @throws IllegalArgumentException if the bytes are not such a key
   */
  EncapsulationKey encapsulationKey(byte[] subjectPublicKeyInfo, MlKemParameterSet set);

  /**
   * The decapsulation key of a PKCS #8 DER private key of {@code set}.
   *
   * @throws IllegalArgumentException if the bytes are not such a key
   */
  DecapsulationKey decapsulationKey(byte[] pkcs8, MlKemParameterSet set);

  /** A public key: makes shared secrets and their ciphertexts. */
  interface EncapsulationKey {
    /** A fresh shared secret (32 bytes) and its ciphertext; the 32 bytes of randomness come from {@code random}. */
    MlKem.Encapsulated encapsulate(SecureRandom random);
  }

  /** A private key: recovers shared secrets. */
  interface DecapsulationKey {
    /**
     * The shared secret of {@code ciphertext}, which must have the parameter set's ciphertext length. A changed
     * ciphertext of that length yields an unrelated secret (implicit rejection), never an error.
     */
    byte[] decapsulate(byte[] ciphertext);
  }
}
