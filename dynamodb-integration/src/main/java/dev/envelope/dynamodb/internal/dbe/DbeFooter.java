package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code aws_dbe_foot} attribute (the AWS Database Encryption SDK's {@code Footer.dfy}): one 48-byte
 * HMAC-SHA384 recipient tag per EDK over the item's canonical hash, then for suite 0x6701 an ECDSA P-384 signature
 * of it, DER-encoded in exactly 103 bytes.
 * <pre>
 * canonical hash = SHA-384(header || u64 len(E) || E || field...)      E = the full encryption context, header style
 * encrypted field: canonical path || u64(len(stored) - 2) || "ENCRYPTED" || stored (type id || ciphertext || tag)
 * plaintext field: canonical path || u64(len(value)) || "PLAINTEXT" || type id || value
 * </pre>
 */
public final class DbeFooter {
  public static final int TAG_LENGTH = 48;
  public static final int SIGNATURE_LENGTH = 103;

  private static final byte[] ENCRYPTED = "ENCRYPTED".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PLAINTEXT = "PLAINTEXT".getBytes(StandardCharsets.US_ASCII);
  /** The order of the P-384 group: a signature's s and n - s are both valid. */
  private static final BigInteger P384_ORDER = new BigInteger(
      "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973", 16);

  private DbeFooter() {}

  /** Accumulates the canonical hash, field by field in canonical order. Not thread-safe. */
  public static final class CanonicalHash {
    private final MessageDigest digest;

    public CanonicalHash(byte[] header, byte[] context) throws GeneralSecurityException {
      digest = MessageDigest.getInstance("SHA-384"); // its own: it lives across calls, unlike JcaPerThread's
      digest.update(header);
      digest.update(u64(context.length));
      digest.update(context);
    }

    public void encrypted(byte[] path, byte[] stored) {
      digest.update(path);
      digest.update(u64(stored.length - 2));
      digest.update(ENCRYPTED);
      digest.update(stored);
    }

    public void plaintext(byte[] path, int typeId, byte[] value) {
      digest.update(path);
      digest.update(u64(value.length));
      digest.update(PLAINTEXT);
      digest.update((byte) (typeId >>> 8));
      digest.update((byte) typeId);
      digest.update(value);
    }

    public byte[] finish() {
      return digest.digest();
    }
  }

  /** The footer: the tag of each recipient's signing key, then the signature when {@code signingKey} is given. */
  public static byte[] create(byte[] canonicalHash, List<byte[]> recipientKeys, PrivateKey signingKey)
      throws GeneralSecurityException {
    ByteBuffer out = ByteBuffer.allocate(TAG_LENGTH * recipientKeys.size()
        + (signingKey == null ? 0 : SIGNATURE_LENGTH));
    for (byte[] key : recipientKeys) {
      out.put(tag(key, canonicalHash));
    }
    if (signingKey != null) {
      out.put(fixedLengthSignature(signingKey, canonicalHash));
    }
    return out.array();
  }

  /**
   * Checks the footer: its length, a recipient tag that matches the one of {@code recipientKey} (any of them, in
   * constant time each), then the signature when {@code verificationKey} is given.
   *
   * @param signedNames the signed attributes, for the error: which one changed a MAC cannot tell
   * @throws AuthenticationFailedException naming what did not match
   */
  public static void verify(byte[] footer, byte[] canonicalHash, int recipients, byte[] recipientKey,
      PublicKey verificationKey, List<String> signedNames) throws GeneralSecurityException {
    int expected = TAG_LENGTH * recipients + (verificationKey == null ? 0 : SIGNATURE_LENGTH);
    if (footer.length != expected) {
      throw new AuthenticationFailedException("aws_dbe_foot is " + footer.length + " bytes; " + recipients
          + " encrypted data keys" + (verificationKey == null ? "" : " and a signature") + " make " + expected);
    }
    byte[] tag = tag(recipientKey, canonicalHash);
    boolean matched = false;
    for (int i = 0; i < recipients; i++) {
      matched |= MessageDigest.isEqual(tag, Arrays.copyOfRange(footer, i * TAG_LENGTH, (i + 1) * TAG_LENGTH));
    }
    if (!matched) {
      throw new AuthenticationFailedException("The item's recipient tag does not match: one of its signed "
          + "attributes " + signedNames + ", the header or the footer was changed, added or removed");
    }
    if (verificationKey != null) {
      Signature verifier = Signature.getInstance("SHA384withECDSA");
      verifier.initVerify(verificationKey);
      verifier.update(canonicalHash);
      boolean valid;
      try {
        valid = verifier.verify(footer, TAG_LENGTH * recipients, SIGNATURE_LENGTH);
      } catch (java.security.SignatureException e) {
        valid = false;
      }
      if (!valid) {
        throw new AuthenticationFailedException("The item's ECDSA signature does not verify: the item was changed "
            + "after it was signed");
      }
    }
  }

  private static byte[] tag(byte[] key, byte[] canonicalHash) throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac("HmacSHA384");
    mac.init(new SecretKeySpec(key, "HmacSHA384"));
    return mac.doFinal(canonicalHash);
  }

  /**
   * A DER signature of exactly 103 bytes, as the Material Providers Library makes it: when r and s do not need 97
   * integer bytes together, s is replaced by n - s (as valid, and one byte longer or shorter), and only if that
   * does not help either is the message signed again. One signature in almost every case; s may be high.
   */
  static byte[] fixedLengthSignature(PrivateKey key, byte[] message) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("SHA384withECDSA");
    for (int attempt = 0; attempt < 1000; attempt++) {
      signer.initSign(key, SecureRandoms.get());
      signer.update(message);
      byte[] der = signer.sign();
      if (der.length == SIGNATURE_LENGTH) {
        return der;
      }
      BigInteger[] rs = parseDer(der);
      der = encodeDer(rs[0], P384_ORDER.subtract(rs[1]));
      if (der.length == SIGNATURE_LENGTH) {
        return der;
      }
    }
    throw new GeneralSecurityException("no 103-byte ECDSA signature in 1000 attempts");
  }

  private static BigInteger[] parseDer(byte[] der) throws GeneralSecurityException {
    ByteBuffer in = ByteBuffer.wrap(der);
    if (in.get() != 0x30) {
      throw new GeneralSecurityException("not a DER signature");
    }
    int length = in.get() & 0xFF;
    if (length == 0x81) {
      in.get();
    }
    return new BigInteger[] {integer(in), integer(in)};
  }

  private static BigInteger integer(ByteBuffer in) throws GeneralSecurityException {
    if (in.get() != 0x02) {
      throw new GeneralSecurityException("not a DER integer");
    }
    byte[] value = new byte[in.get() & 0xFF];
    in.get(value);
    return new BigInteger(1, value);
  }

  private static byte[] encodeDer(BigInteger r, BigInteger s) {
    byte[] rb = r.toByteArray();
    byte[] sb = s.toByteArray();
    int body = 2 + rb.length + 2 + sb.length;
    ByteBuffer out = ByteBuffer.allocate(2 + body);
    out.put((byte) 0x30).put((byte) body);
    out.put((byte) 0x02).put((byte) rb.length).put(rb);
    out.put((byte) 0x02).put((byte) sb.length).put(sb);
    return out.array();
  }

  private static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }
}
