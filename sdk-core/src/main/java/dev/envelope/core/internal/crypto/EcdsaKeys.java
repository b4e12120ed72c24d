package dev.envelope.core.internal.crypto;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.spi.SecureRandoms;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The ephemeral ECDSA keys of signed suites and their SEC1 compressed encoding, as stored (base64) under
 * {@code aws-crypto-public-key}. The JCA has no point compression, so it is done here with BigInteger:
 * y^2 = x^3 + ax + b (mod p), and since p = 3 (mod 4) for both curves, y = (y^2)^((p+1)/4) (mod p).
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
    int n = signature.fieldBytes();
    ECPoint w = key.getW();
    byte[] out = new byte[n + 1];
    out[0] = (byte) (w.getAffineY().testBit(0) ? 0x03 : 0x02);
    byte[] x = unsigned(w.getAffineX(), n);
    System.arraycopy(x, 0, out, 1, n);
    return out;
  }

  /**
   * Decodes a compressed point and checks it lies on the curve.
   *
   * @throws GeneralSecurityException if the encoding is wrong or the point is not on the curve
   */
  public static ECPublicKey decompress(byte[] encoded, AlgorithmSuite.Signature signature)
      throws GeneralSecurityException {
    int n = signature.fieldBytes();
    if (encoded.length != n + 1 || (encoded[0] != 0x02 && encoded[0] != 0x03)) {
      throw new GeneralSecurityException("not a compressed " + signature.curve() + " point");
    }
    ECParameterSpec spec = PARAMS.get(signature);
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    BigInteger a = spec.getCurve().getA();
    BigInteger b = spec.getCurve().getB();
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(encoded, 1, encoded.length));
    if (x.compareTo(p) >= 0) {
      throw new GeneralSecurityException("x coordinate out of range");
    }
    BigInteger ySquared = x.pow(3).add(a.multiply(x)).add(b).mod(p);
    BigInteger y = ySquared.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
    if (!y.multiply(y).mod(p).equals(ySquared)) {
      throw new GeneralSecurityException("point is not on " + signature.curve());
    }
    if (y.testBit(0) != (encoded[0] == 0x03)) {
      y = p.subtract(y);
    }
    ECPublicKeySpec keySpec = new ECPublicKeySpec(new ECPoint(x, y), spec);
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(keySpec);
  }

  private static byte[] unsigned(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    if (raw.length == length) {
      return raw;
    }
    byte[] out = new byte[length];
    if (raw.length > length) {
      System.arraycopy(raw, raw.length - length, out, 0, length);
    } else {
      System.arraycopy(raw, 0, out, length - raw.length, raw.length);
    }
    return out;
  }
}
