package dev.envelope.kms.internal;

import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Key pairs for the asymmetric key specs. */
final class Asymmetric {
  private Asymmetric() {}

  static KeyPair generate(String keySpec) {
    try {
      if (keySpec.startsWith("RSA_")) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(Integer.parseInt(keySpec.substring(4)));
        return g.generateKeyPair();
      }
      String curve = switch (keySpec) {
        case "ECC_NIST_P256" -> "secp256r1";
        case "ECC_NIST_P384" -> "secp384r1";
        case "ECC_NIST_P521" -> "secp521r1";
        default -> throw new KmsError("UnsupportedOperationException", "Key spec " + keySpec
            + " is not supported by this emulator yet.");
      };
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "Cannot generate a " + keySpec + " key: " + e.getMessage(), 500);
    }
  }
}
