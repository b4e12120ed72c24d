package dev.envelope.core.internal.crypto;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.spi.SecureRandoms;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.EnumMap;
import java.util.Map;

/**
 * The ephemeral ECDSA keys of signed suites and their SEC1 compressed encoding ({@link EcPoints}), as stored
 * (base64) under {@code aws-crypto-public-key}.
 */
public final class EcdsaKeys {
  private static final Map<AlgorithmSuite.Signature, ECParameterSpec> PARAMS =
      new EnumMap<>(AlgorithmSuite.Signature.class);

  static {
    try {
      for (AlgorithmSuite.Signature s : AlgorithmSuite.Signature.values()) {
        if (s.curve() != null) {
          AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
          params.init(new ECGenParameterSpec(s.curve()));
          PARAMS.put(s, params.getParameterSpec(ECParameterSpec.class));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private EcdsaKeys() {}

  public static KeyPair generate(AlgorithmSuite.Signature signature) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(PARAMS.get(signature), SecureRandoms.get());
    return generator.generateKeyPair();
  }

  /** SEC1 compressed point: 0x02 or 0x03 (parity of y), then x in fieldBytes bytes. */
  public static byte[] compress(ECPublicKey key, AlgorithmSuite.Signature signature) {
    return EcPoints.compress(key, signature.fieldBytes());
  }

  /**
   * Decodes a compressed point and checks it lies on the curve.
   *
   * @throws GeneralSecurityException if the encoding is wrong or the point is not on the curve
   */
  public static ECPublicKey decompress(byte[] encoded, AlgorithmSuite.Signature signature)
      throws GeneralSecurityException {
    return EcPoints.decompress(encoded, PARAMS.get(signature), signature.fieldBytes(), signature.curve());
  }
}
