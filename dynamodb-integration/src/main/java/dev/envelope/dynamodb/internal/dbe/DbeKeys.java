package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.JcaPerThread;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of one item, from its plaintext data key and message id (the AWS Database Encryption SDK's
 * {@code Crypt.dfy} and {@code Header.dfy}):
 * <pre>
 * commit key     = HKDF-SHA512(data key, no salt, "AWS_DBE_COMMIT_KEY" || message id, 32)
 * commitment     = HMAC-SHA512(commit key, header without commitment)[0:32]    (the specification says SHA-384;
 *                                                                               the library's bytes say SHA-512)
 * field root key = HKDF-SHA512(data key, no salt, "AWS_DBE_DERIVE_KEY" || message id, 32)
 * field k        = AES-256-CTR(field root key, counter block "AwsDbeField" || 0x2C || u32(3k)) over 44 zero bytes:
 *                  bytes 0-31 the AES-256-GCM key, 32-43 the nonce of the k-th encrypted attribute (from 0, in
 *                  canonical order)
 * </pre>
 * Not thread-safe; {@link #destroy()} zeroes the keys.
 */
public final class DbeKeys {
  private static final byte[] COMMIT_LABEL = ascii("AWS_DBE_COMMIT_KEY");
  private static final byte[] DERIVE_LABEL = ascii("AWS_DBE_DERIVE_KEY");
  private static final byte[] FIELD_LABEL = ascii("AwsDbeField");

  private final byte[] commitKey;
  private final byte[] fieldRootKey;

  private DbeKeys(byte[] commitKey, byte[] fieldRootKey) {
    this.commitKey = commitKey;
    this.fieldRootKey = fieldRootKey;
  }

  public static DbeKeys derive(byte[] dataKey, byte[] messageId) throws GeneralSecurityException {
    // Both keys come from one HKDF-Extract (no salt, same key): extract once, expand twice.
    byte[] prk = Hkdf.extract("HmacSHA512", null, dataKey);
    try {
      return new DbeKeys(Hkdf.expand("HmacSHA512", prk, concat(COMMIT_LABEL, messageId), 32),
          Hkdf.expand("HmacSHA512", prk, concat(DERIVE_LABEL, messageId), 32));
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** The 32-byte commitment of a header body. */
  public byte[] commitment(byte[] headerBody) throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac("HmacSHA512");
    mac.init(new SecretKeySpec(commitKey, "HmacSHA512"));
    return Arrays.copyOf(mac.doFinal(headerBody), DbeHeader.COMMITMENT_LENGTH);
  }

  /**
   * The keys and nonces of the first {@code count} encrypted attributes, in one keystream: attribute {@code k}'s
   * 32-byte key and 12-byte nonce start at {@code 48 * k} (it owns counter blocks 3k to 3k+2, of which it uses 44
   * bytes).
   */
  public byte[] fieldKeys(int count) throws GeneralSecurityException {
    if (count < 0 || count >= 1_431_655_765) {
      throw new GeneralSecurityException("an item encrypts at most 1431655764 attributes");
    }
    byte[] counter = Arrays.copyOf(FIELD_LABEL, 16);
    counter[11] = 0x2C; // then u32(0): Java's CTR counts the whole block up, and 3k never carries past these bytes
    Cipher ctr = JcaPerThread.aesCtr();
    ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(fieldRootKey, "AES"), new IvParameterSpec(counter));
    return ctr.doFinal(new byte[48 * count]);
  }

  public void destroy() {
    Arrays.fill(commitKey, (byte) 0);
    Arrays.fill(fieldRootKey, (byte) 0);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
