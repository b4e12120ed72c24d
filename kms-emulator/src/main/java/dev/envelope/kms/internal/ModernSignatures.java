package dev.envelope.kms.internal;

import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Signatures of the ECC_NIST_EDWARDS25519 and ML_DSA key specs, with KMS's message types:
 * <ul>
 *   <li>ED25519_SHA_512 (pure Ed25519, RFC 8032): RAW only; the JDK's EdDSA;</li>
 *   <li>ED25519_PH_SHA_512 (Ed25519ph, empty context): RAW (the message, hashed here with SHA-512) or DIGEST (its
 *       64-byte SHA-512); Bouncy Castle's RFC 8032 prehash functions, as the JDK takes no precomputed hash;</li>
 *   <li>ML_DSA_SHAKE_256 (FIPS 204, empty context): RAW or EXTERNAL_MU (the 64-byte μ); Bouncy Castle's
 *       ML-DSA and ML-DSA-EXTERNAL-MU.</li>
 * </ul>
 */
final class ModernSignatures {
  private static final int SHA512_BYTES = 64;
  private static final int MU_BYTES = 64;

  private ModernSignatures() {}

  static boolean handles(KmsKey key) {
    return key.keySpec.equals("ECC_NIST_EDWARDS25519") || key.keySpec.startsWith("ML_DSA_");
  }

  static byte[] sign(KmsKey key, String algorithm, String messageType, byte[] message, SecureRandom random)
      throws GeneralSecurityException {
    KeyPair pair = key.shared.current().keyPair();
    byte[] input = checkedInput(algorithm, messageType, message);
    if (algorithm.equals("ED25519_PH_SHA_512")) {
      byte[] secret = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
      try {
        Ed25519.signPrehash(secret, 0, new byte[0], input, 0, signature, 0);
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
      return signature;
    }
    Signature s = jca(algorithm, messageType);
    s.initSign(pair.getPrivate(), random);
    s.update(input);
    return s.sign();
  }

  static boolean verify(KmsKey key, String algorithm, String messageType, byte[] message, byte[] signature)
      throws GeneralSecurityException {
    KeyPair pair = key.shared.current().keyPair();
    byte[] input = checkedInput(algorithm, messageType, message);
    if (algorithm.equals("ED25519_PH_SHA_512")) {
      byte[] spki = pair.getPublic().getEncoded();
      byte[] publicKey = Arrays.copyOfRange(spki, spki.length - Ed25519.PUBLIC_KEY_SIZE, spki.length);
      return signature.length == Ed25519.SIGNATURE_SIZE
          && Ed25519.verifyPrehash(signature, 0, publicKey, 0, new byte[0], input, 0);
    }
    Signature s = jca(algorithm, messageType);
    s.initVerify(pair.getPublic());
    s.update(input);
    return s.verify(signature);
  }

  /** What is signed: the message, or for Ed25519ph its SHA-512; each message type checked against the algorithm. */
  private static byte[] checkedInput(String algorithm, String messageType, byte[] message)
      throws GeneralSecurityException {
    switch (algorithm) {
      case "ED25519_SHA_512" -> {
        if (!messageType.equals("RAW")) {
          throw KmsError.validation("The ED25519_SHA_512 signing algorithm supports only MessageType RAW; use "
              + "ED25519_PH_SHA_512 to sign a SHA-512 digest.");
        }
        return message;
      }
      case "ED25519_PH_SHA_512" -> {
        if (messageType.equals("RAW")) {
          return MessageDigest.getInstance("SHA-512").digest(message);
        }
        if (!messageType.equals("DIGEST")) {
          throw KmsError.validation("The ED25519_PH_SHA_512 signing algorithm supports MessageType RAW or DIGEST.");
        }
        if (message.length != SHA512_BYTES) {
          throw KmsError.validation("Digest is invalid length for algorithm ED25519_PH_SHA_512.");
        }
        return message;
      }
      default -> {
        if (messageType.equals("DIGEST")) {
          throw KmsError.validation("The ML_DSA_SHAKE_256 signing algorithm supports MessageType RAW or "
              + "EXTERNAL_MU, not DIGEST.");
        }
        if (messageType.equals("EXTERNAL_MU") && message.length != MU_BYTES) {
          throw KmsError.validation("An EXTERNAL_MU message must be the 64-byte mu of ML-DSA; got " + message.length
              + " bytes.");
        }
        return message;
      }
    }
  }

  /** The JCA signature of pure Ed25519 (the JDK's) or ML-DSA (Bouncy Castle's, over the message or its mu). */
  private static Signature jca(String algorithm, String messageType) throws GeneralSecurityException {
    if (algorithm.equals("ED25519_SHA_512")) {
      return Signature.getInstance("Ed25519");
    }
    return Signature.getInstance(messageType.equals("EXTERNAL_MU") ? "ML-DSA-EXTERNAL-MU" : "ML-DSA", Asymmetric.BC);
  }
}
