package dev.envelope.core.spi;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF (RFC 5869) over a JCA HMAC: extract once, expand as often as needed. */
public final class Hkdf {
  private Hkdf() {}

  /** HKDF-Extract. A null or empty salt means HashLen zero bytes, as RFC 5869 says. */
  public static byte[] extract(String macAlgorithm, byte[] salt, byte[] ikm) throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac(macAlgorithm);
    byte[] effectiveSalt = salt == null || salt.length == 0 ? new byte[mac.getMacLength()] : salt;
    mac.init(new SecretKeySpec(effectiveSalt, macAlgorithm));
    return mac.doFinal(ikm);
  }

  /** Extract, then one Expand of {@code length} bytes; the intermediate key is zeroed. */
  public static byte[] derive(String macAlgorithm, byte[] salt, byte[] ikm, byte[] info, int length)
      throws GeneralSecurityException {
    byte[] prk = extract(macAlgorithm, salt, ikm);
    try {
      return expand(macAlgorithm, prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** HKDF-Expand of {@code length} bytes (at most 255 hash lengths). */
  public static byte[] expand(String macAlgorithm, byte[] prk, byte[] info, int length)
      throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac(macAlgorithm);
    mac.init(new SecretKeySpec(prk, macAlgorithm));
    int hashLength = mac.getMacLength();
    if (length > 255 * hashLength) {
      throw new IllegalArgumentException("length " + length + " > 255 * " + hashLength);
    }
    byte[] out = new byte[length];
    byte[] previous = new byte[0];
    int written = 0;
    for (int counter = 1; written < length; counter++) {
      mac.update(previous);
      mac.update(info);
      mac.update((byte) counter);
      byte[] block = mac.doFinal();
      int n = Math.min(block.length, length - written);
      System.arraycopy(block, 0, out, written, n);
      Arrays.fill(previous, (byte) 0);
      previous = block;
      written += n;
    }
    Arrays.fill(previous, (byte) 0);
    return out;
  }
}
