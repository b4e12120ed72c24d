package dev.envelope.dynamodb.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of one item, derived from its data key with the item's random message id as HKDF salt, so that a
 * data key reused from a cache still gives every item keys of its own:
 * PRK = HKDF-Extract-SHA512(salt = messageId, data key); then Expand with labels of this format only (never the
 * ESDK message labels, so an item key can never decrypt an ESDK message or the reverse).
 */
public final class ItemKeys {
  private static final String HMAC_SHA512 = "HmacSHA512";
  private static final byte[] ENCRYPT = label("envelope-ddb-v1 encrypt");
  private static final byte[] SIGN = label("envelope-ddb-v1 sign");
  private static final byte[] COMMIT = label("envelope-ddb-v1 commit");

  private final byte[] encryptionKey;
  private final byte[] macKey;
  private final byte[] commitment;

  private ItemKeys(byte[] encryptionKey, byte[] macKey, byte[] commitment) {
    this.encryptionKey = encryptionKey;
    this.macKey = macKey;
    this.commitment = commitment;
  }

  private static byte[] label(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  public static ItemKeys derive(AlgorithmSuite suite, byte[] dataKey, byte[] messageId)
      throws GeneralSecurityException {
    byte[] prk = Hkdf.extract(HMAC_SHA512, messageId, dataKey);
    try {
      byte[] encInfo = Arrays.copyOf(ENCRYPT, ENCRYPT.length + 2);
      ByteWriter.putU16(encInfo, ENCRYPT.length, suite.id());
      return new ItemKeys(Hkdf.expand(HMAC_SHA512, prk, encInfo, 32),
          Hkdf.expand(HMAC_SHA512, prk, SIGN, 32),
          Hkdf.expand(HMAC_SHA512, prk, COMMIT, ItemHeader.COMMITMENT_LENGTH));
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  public SecretKeySpec encryptionKey() {
    return new SecretKeySpec(encryptionKey, "AES");
  }

  public SecretKeySpec macKey() {
    return new SecretKeySpec(macKey, "HmacSHA256");
  }

  /** The key commitment stored in the header: proves which data key the item was written with. */
  public byte[] commitment() {
    return commitment.clone();
  }

  public void destroy() {
    Arrays.fill(encryptionKey, (byte) 0);
    Arrays.fill(macKey, (byte) 0);
  }
}
