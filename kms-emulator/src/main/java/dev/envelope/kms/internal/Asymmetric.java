package dev.envelope.kms.internal;

import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Key pairs for the asymmetric key specs. The JCA does the work, except where JDK 17 has no implementation:
 * secp256k1 (removed from SunEC) and signatures over precomputed digests with RSA-PSS, which come from Bouncy
 * Castle, used as a provider object and never installed globally.
 */
final class Asymmetric {
  static final Provider BC = new BouncyCastleProvider();

  private Asymmetric() {}

  static KeyPair generate(String keySpec) {
    try {
      if (keySpec.startsWith("RSA_")) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(Integer.parseInt(keySpec.substring(4)));
        return g.generateKeyPair();
      }
      if (keySpec.equals("ECC_SECG_P256K1")) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
        g.initialize(new ECGenParameterSpec("secp256k1"));
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve(keySpec)));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "Cannot generate a " + keySpec + " key: " + e.getMessage(), 500);
    }
  }

  static String curve(String keySpec) {
    return switch (keySpec) {
      case "ECC_NIST_P256" -> "secp256r1";
      case "ECC_NIST_P384" -> "secp384r1";
      case "ECC_NIST_P521" -> "secp521r1";
      case "ECC_SECG_P256K1" -> "secp256k1";
      default -> throw KmsError.validation("Key spec " + keySpec + " is not an elliptic-curve key spec.");
    };
  }
}
