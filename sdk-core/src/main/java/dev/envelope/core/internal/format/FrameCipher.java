package dev.envelope.core.internal.format;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.JcaPerThread;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM over the header tag and the body of one message (ESDK spec, message-body.md and message-body-aad.md).
 * <pre>
 * regular frame: seq(4) | IV(12) | ciphertext(frameLength) | tag(16)
 * final frame:   FFFFFFFF | seq(4) | IV(12) | contentLength(4) | ciphertext | tag(16)
 * single block:  IV(12) | contentLength(8) | ciphertext | tag(16)          (non-framed, decrypt only)
 * body AAD:      messageId | label | seq(4) | plaintextLength(8)
 * </pre>
 * Encryptors write IV = 00x8 || seq; decryptors use the IV as written (some valid messages in the wild differ).
 *
 * <p>Not thread-safe: one instance per message. Unless made {@link #dedicated}, each call takes this thread's
 * AES-GCM cipher ({@link JcaPerThread}) and finishes with it, so an instance may move between threads between
 * calls (a stream closed elsewhere), and the header tag and the frames of one message share one AES key schedule.
 */
public final class FrameCipher {
  public static final int REGULAR_FRAME_OVERHEAD = 4 + AlgorithmSuite.IV_LENGTH + AlgorithmSuite.TAG_LENGTH;
  public static final int FINAL_FRAME_OVERHEAD = 4 + 4 + AlgorithmSuite.IV_LENGTH + 4 + AlgorithmSuite.TAG_LENGTH;
  public static final long FINAL_FRAME_MARKER = 0xFFFFFFFFL;
  public static final long MAX_FRAMES = 0xFFFFFFFFL;

  private static final byte[] FRAME_LABEL = label("AWSKMSEncryptionClient Frame");
  private static final byte[] FINAL_FRAME_LABEL = label("AWSKMSEncryptionClient Final Frame");
  private static final byte[] SINGLE_BLOCK_LABEL = label("AWSKMSEncryptionClient Single Block");
  private static final int TAG_BITS = AlgorithmSuite.TAG_LENGTH * 8;

  private final Cipher dedicated;
  private final SecretKey key;
  private final byte[] messageId;
  private final byte[] iv = new byte[AlgorithmSuite.IV_LENGTH];
  private final byte[] aad;

  /** A frame cipher over this thread's AES-GCM cipher at each call. */
  public FrameCipher(SecretKey key, byte[] messageId) throws GeneralSecurityException {
    this(null, key, messageId);
    JcaPerThread.aesGcm(); // fails here, not half way through a message, on a JDK without AES-GCM
  }

  private FrameCipher(Cipher dedicated, SecretKey key, byte[] messageId) {
    this.dedicated = dedicated;
    this.key = key;
    this.messageId = messageId;
    this.aad = new byte[messageId.length + SINGLE_BLOCK_LABEL.length + 12];
    System.arraycopy(messageId, 0, aad, 0, messageId.length);
  }

  /**
   * A frame cipher with an AES-GCM cipher of its own, for a caller that seals a frame again on purpose (a retried
   * part, checked to reproduce its first tag): the JDK refuses to encrypt twice in a row under one key and IV
   * with one cipher object, and this thread's cipher may have just done exactly that for an earlier attempt.
   */
  public static FrameCipher dedicated(SecretKey key, byte[] messageId) throws GeneralSecurityException {
    return new FrameCipher(Cipher.getInstance("AES/GCM/NoPadding"), key, messageId);
  }

  private Cipher cipher() throws GeneralSecurityException {
    return dedicated != null ? dedicated : JcaPerThread.aesGcm();
  }

  /**
   * The plaintext length of a framed, unsigned body of {@code bodyLength} bytes (frames only), or -1 if no
   * sequence of whole frames of {@code frameLength} has that length.
   */
  public static long plaintextLengthOfBody(long bodyLength, long frameLength) {
    long frames = bodyLength - FINAL_FRAME_OVERHEAD;
    if (frames < 0) {
      return -1;
    }
    long regular = frames / (frameLength + REGULAR_FRAME_OVERHEAD);
    long rest = frames - regular * (frameLength + REGULAR_FRAME_OVERHEAD);
    return rest > frameLength || regular + 1 > MAX_FRAMES ? -1 : regular * frameLength + rest;
  }

  private static byte[] label(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The header tag: GCM over an empty plaintext with AAD = header body || context to only authenticate. */
  public byte[] headerTag(byte[] headerBody, byte[] onlyAuthenticatedContext, byte[] headerIv)
      throws GeneralSecurityException {
    Cipher cipher = cipher();
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, headerIv));
    cipher.updateAAD(headerBody);
    cipher.updateAAD(onlyAuthenticatedContext);
    return cipher.doFinal();
  }

  /** Verifies a header tag; throws {@link javax.crypto.AEADBadTagException} when it does not match. */
  public void verifyHeaderTag(byte[] headerBody, byte[] onlyAuthenticatedContext, byte[] headerIv, byte[] tag)
      throws GeneralSecurityException {
    Cipher cipher = cipher();
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, headerIv));
    cipher.updateAAD(headerBody);
    cipher.updateAAD(onlyAuthenticatedContext);
    cipher.doFinal(tag);
  }

  /**
   * Encrypts one frame of {@code length} plaintext bytes into {@code out}, serialized. Returns the bytes written:
   * {@code length + REGULAR_FRAME_OVERHEAD} or {@code length + FINAL_FRAME_OVERHEAD}.
   */
  public int seal(long seq, boolean last, byte[] plaintext, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException {
    int p = outOffset;
    if (last) {
      p = putInt(out, p, FINAL_FRAME_MARKER);
    }
    p = putInt(out, p, seq);
    for (int i = 0; i < 8; i++) {
      iv[i] = 0;
    }
    putInt(iv, 8, seq);
    System.arraycopy(iv, 0, out, p, iv.length);
    p += iv.length;
    if (last) {
      p = putInt(out, p, length);
    }
    Cipher cipher = cipher();
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
    cipher.updateAAD(aad, 0, bodyAad(last ? FINAL_FRAME_LABEL : FRAME_LABEL, seq, length));
    p += cipher.doFinal(plaintext, offset, length, out, p);
    return p - outOffset;
  }

  /**
   * Decrypts one frame's {@code ciphertext || tag} with the IV as written; returns the plaintext length.
   * Throws {@link javax.crypto.AEADBadTagException} when the tag does not match.
   */
  public int open(long seq, boolean last, byte[] ivBytes, int ivOffset, byte[] in, int inOffset,
      int plaintextLength, byte[] out, int outOffset) throws GeneralSecurityException {
    return openBlock(last ? FINAL_FRAME_LABEL : FRAME_LABEL, seq, ivBytes, ivOffset, in, inOffset,
        plaintextLength, out, outOffset);
  }

  /** Decrypts the single block of a non-framed message. */
  public int openSingleBlock(byte[] ivBytes, int ivOffset, byte[] in, int inOffset, int plaintextLength,
      byte[] out, int outOffset) throws GeneralSecurityException {
    return openBlock(SINGLE_BLOCK_LABEL, 1, ivBytes, ivOffset, in, inOffset, plaintextLength, out, outOffset);
  }

  private int openBlock(byte[] label, long seq, byte[] ivBytes, int ivOffset, byte[] in, int inOffset,
      long plaintextLength, byte[] out, int outOffset) throws GeneralSecurityException {
    Cipher cipher = cipher();
    cipher.init(Cipher.DECRYPT_MODE, key,
        new GCMParameterSpec(TAG_BITS, ivBytes, ivOffset, AlgorithmSuite.IV_LENGTH));
    cipher.updateAAD(aad, 0, bodyAad(label, seq, plaintextLength));
    return cipher.doFinal(in, inOffset, (int) plaintextLength + AlgorithmSuite.TAG_LENGTH, out, outOffset);
  }

  private int bodyAad(byte[] label, long seq, long length) {
    int p = messageId.length;
    System.arraycopy(label, 0, aad, p, label.length);
    p += label.length;
    p = putInt(aad, p, seq);
    p = putInt(aad, p, length >>> 32);
    return putInt(aad, p, length);
  }

  private static int putInt(byte[] b, int p, long v) {
    ByteWriter.putU32(b, p, (int) v);
    return p + 4;
  }
}
