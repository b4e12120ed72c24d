package dev.envelope.core.spi;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SP 800-108 key derivation in counter mode with an HMAC as PRF, laid out as the AWS Material Providers Library
 * lays it out ({@code KdfCtr}): block {@code i} (from 1) is
 * <pre>
 * HMAC(key, u32be(i) || label || 0x00 || context || u32be(length in bits))
 * </pre>
 * and the output is the first {@code length} bytes of the blocks. The hierarchical keyring uses it with
 * HMAC-SHA256, label {@code aws-kms-hierarchy} and the 16-byte salt as context.
 */
public final class CounterKdf {
  private CounterKdf() {}

  public static byte[] derive(String macAlgorithm, byte[] key, byte[] label, byte[] context, int length)
      throws GeneralSecurityException {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be positive: " + length);
    }
    Mac mac = JcaPerThread.mac(macAlgorithm);
    mac.init(new SecretKeySpec(key, macAlgorithm));
    int hashLength = mac.getMacLength();
    byte[] fixed = ByteBuffer.allocate(label.length + 1 + context.length + 4).put(label).put((byte) 0)
        .put(context).putInt(length * 8).array();
    byte[] out = new byte[length];
    byte[] block = null;
    for (int i = 1, offset = 0; offset < length; i++, offset += hashLength) {
      mac.update(ByteBuffer.allocate(4).putInt(i).array());
      block = mac.doFinal(fixed);
      System.arraycopy(block, 0, out, offset, Math.min(hashLength, length - offset));
      Arrays.fill(block, (byte) 0);
    }
    return out;
  }
}
