package dev.envelope.core.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * SEC1 compressed points on the NIST prime curves. The JCA has no point compression, so it is done here with
 * BigInteger: y^2 = x^3 + ax + b (mod p), and since p = 3 (mod 4) for P-256, P-384 and P-521,
 * y = (y^2)^((p+1)/4) (mod p).
 */
public final class EcPoints {
  private EcPoints() {}

  /** 0x02 or 0x03 (parity of y), then x in {@code fieldBytes} bytes. */
  public static byte[] compress(ECPublicKey key, int fieldBytes) {
    ECPoint w = key.getW();
    byte[] out = new byte[fieldBytes + 1];
    out[0] = (byte) (w.getAffineY().testBit(0) ? 0x03 : 0x02);
    System.arraycopy(unsigned(w.getAffineX(), fieldBytes), 0, out, 1, fieldBytes);
    return out;
  }

  /**
   * Decodes a compressed point of the curve {@code spec} and checks it lies on the curve.
   *
   * @param curve the curve's name, for errors
   * @throws GeneralSecurityException if the encoding is wrong or the point is not on the curve
   */
  public static ECPublicKey decompress(byte[] encoded, ECParameterSpec spec, int fieldBytes, String curve)
      throws GeneralSecurityException {
    if (encoded.length != fieldBytes + 1 || (encoded[0] != 0x02 && encoded[0] != 0x03)) {
      throw new GeneralSecurityException("not a compressed " + curve + " point");
    }
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
      throw new GeneralSecurityException("point is not on " + curve);
    }
    if (y.testBit(0) != (encoded[0] == 0x03)) {
      y = p.subtract(y);
    }
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
  }

  /** {@code value} as exactly {@code length} big-endian bytes. */
  public static byte[] unsigned(BigInteger value, int length) {
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
