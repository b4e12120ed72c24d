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
 * secp256k1 (removed from SunEC), signatures over precomputed digests with RSA-PSS, ML-KEM (FIPS 203) and ML-DSA
 * (FIPS 204), which come from Bouncy Castle, used as a provider object and never installed globally.
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
      if (keySpec.startsWith("ML_KEM_")) {
        return KeyPairGenerator.getInstance(mlKemName(keySpec), BC).generateKeyPair();
      }
      if (keySpec.equals("ECC_NIST_EDWARDS25519")) {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      }
      if (keySpec.startsWith("ML_DSA_")) {
        return KeyPairGenerator.getInstance(mlDsaName(keySpec), BC).generateKeyPair();
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

  /**
   * The key pair of an imported PKCS#8 private key, which must match {@code keySpec}; the public half is derived
   * from the private one (RSA: its CRT parameters; EC: d·G on the named curve).
   */
  static KeyPair fromPrivateKey(String keySpec, byte[] pkcs8) {
    try {
      boolean rsa = keySpec.startsWith("RSA_");
      java.security.KeyFactory factory = rsa ? java.security.KeyFactory.getInstance("RSA")
          : java.security.KeyFactory.getInstance("EC", BC);
      java.security.PrivateKey privateKey = factory.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
      java.security.PublicKey publicKey;
      if (rsa) {
        if (!(privateKey instanceof java.security.interfaces.RSAPrivateCrtKey crt)
            || crt.getModulus().bitLength() != Integer.parseInt(keySpec.substring(4))) {
          throw incorrect(keySpec);
        }
        publicKey = factory.generatePublic(new java.security.spec.RSAPublicKeySpec(crt.getModulus(),
            crt.getPublicExponent()));
      } else {
        var ec = (org.bouncycastle.jce.interfaces.ECPrivateKey) privateKey;
        var curve = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec(curve(keySpec));
        if (!curve.getCurve().equals(ec.getParameters().getCurve())) {
          throw incorrect(keySpec);
        }
        publicKey = factory.generatePublic(new org.bouncycastle.jce.spec.ECPublicKeySpec(
            curve.getG().multiply(ec.getD()).normalize(), curve));
      }
      return canonical(keySpec, publicKey.getEncoded(), privateKey.getEncoded());
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw incorrect(keySpec);
    }
  }

  /** A key pair from its encodings (X.509 SubjectPublicKeyInfo, PKCS#8), with the providers the emulator uses. */
  static KeyPair canonical(String keySpec, byte[] x509, byte[] pkcs8) throws GeneralSecurityException {
    java.security.KeyFactory factory = keySpec.startsWith("RSA_") ? java.security.KeyFactory.getInstance("RSA")
        : keySpec.equals("ECC_SECG_P256K1") ? java.security.KeyFactory.getInstance("EC", BC)
        : keySpec.startsWith("ML_KEM_") ? java.security.KeyFactory.getInstance(mlKemName(keySpec), BC)
        : keySpec.startsWith("ML_DSA_") ? java.security.KeyFactory.getInstance(mlDsaName(keySpec), BC)
        : keySpec.equals("ECC_NIST_EDWARDS25519") ? java.security.KeyFactory.getInstance("Ed25519")
        : java.security.KeyFactory.getInstance("EC");
    return new KeyPair(factory.generatePublic(new java.security.spec.X509EncodedKeySpec(x509)),
        factory.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8)));
  }

  private static KmsError incorrect(String keySpec) {
    return new KmsError("IncorrectKeyMaterialException", "The key material is not a PKCS #8 private key of key "
        + "spec " + keySpec + ".");
  }

  /** Bouncy Castle's name of an ML-KEM key spec: ML_KEM_768 is ML-KEM-768 (JDK 17 has no ML-KEM). */
  static String mlKemName(String keySpec) {
    return keySpec.replace('_', '-');
  }

  /** Bouncy Castle's name of an ML-DSA key spec: ML_DSA_65 is ML-DSA-65 (JDK 17 has no ML-DSA). */
  static String mlDsaName(String keySpec) {
    return keySpec.replace('_', '-');
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
