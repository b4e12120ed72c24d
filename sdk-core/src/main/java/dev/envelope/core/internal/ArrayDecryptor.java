package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.internal.format.ArrayByteInput;
import dev.envelope.core.internal.format.ContentType;
import dev.envelope.core.internal.format.FrameCipher;

/**
 * Decrypts the body of a message held in an array. A first pass checks the frame structure and sums the
 * plaintext length (cheap: a few reads per frame), so that the output is allocated once, exactly, and frames are
 * decrypted straight into it. All or nothing: the plaintext is returned only after every tag and the signature
 * verified.
 */
public final class ArrayDecryptor {
  private static final int IV = AlgorithmSuite.IV_LENGTH;
  private static final int TAG = AlgorithmSuite.TAG_LENGTH;

  private ArrayDecryptor() {}

  public static byte[] decryptBody(DecryptionSession session, ArrayByteInput in) {
    byte[] msg = in.array();
    int bodyStart = in.position();
    byte[] plaintext = session.header().contentType() == ContentType.FRAMED
        ? decryptFrames(session, in)
        : decryptSingleBlock(session, in);
    if (session.signed()) {
      session.updateSignature(msg, bodyStart, in.position() - bodyStart);
      int signatureLength = in.readUnsignedShort();
      int signatureStart = in.skip(signatureLength);
      byte[] signature = java.util.Arrays.copyOfRange(msg, signatureStart, signatureStart + signatureLength);
      session.verifySignature(signature);
    }
    if (!in.atEnd()) {
      throw new MalformedMessageException("Message has " + in.remaining() + " bytes after its end");
    }
    return plaintext;
  }

  private static byte[] decryptFrames(DecryptionSession session, ArrayByteInput in) {
    byte[] msg = in.array();
    int frameLength = session.header().frameLength();
    int start = in.position();
    long total = scanFrames(in, frameLength);
    if (total > Integer.MAX_VALUE - 16) {
      throw new MalformedMessageException("Plaintext of " + total + " bytes does not fit a byte array; use "
          + "decryptingStream");
    }
    int end = in.position();
    byte[] out = new byte[(int) total];
    int p = start;
    int o = 0;
    for (long seq = 1; p < end; seq++) {
      boolean last = readInt(msg, p) == FrameCipher.FINAL_FRAME_MARKER;
      if (last) {
        p += 4;
      }
      p += 4; // sequence number, checked by the scan
      int ivOffset = p;
      p += IV;
      int length = frameLength;
      if (last) {
        length = (int) readInt(msg, p);
        p += 4;
      }
      o += session.openFrame(seq, last, msg, ivOffset, msg, p, length, out, o);
      p += length + TAG;
    }
    return out;
  }

  /** Checks sequence numbers and lengths of every frame, leaves {@code in} after the final frame. */
  private static long scanFrames(ArrayByteInput in, int frameLength) {
    long total = 0;
    for (long seq = 1; ; seq++) {
      long marker = in.readUnsignedInt();
      if (marker == FrameCipher.FINAL_FRAME_MARKER) {
        long finalSeq = in.readUnsignedInt();
        if (finalSeq != seq) {
          throw new MalformedMessageException("Final frame has sequence number " + finalSeq + ", expected " + seq);
        }
        in.skip(IV);
        long length = in.readUnsignedInt();
        if (length > frameLength) {
          throw new MalformedMessageException("Final frame of " + length + " bytes is longer than the frame "
              + "length " + frameLength);
        }
        in.skip(length + TAG);
        return total + length;
      }
      if (marker != seq) {
        throw new MalformedMessageException("Frame has sequence number " + marker + ", expected " + seq);
      }
      if (seq == FrameCipher.MAX_FRAMES) {
        throw new MalformedMessageException("Message has more than 2^32 - 1 frames");
      }
      in.skip((long) IV + frameLength + TAG);
      total += frameLength;
    }
  }

  private static byte[] decryptSingleBlock(DecryptionSession session, ArrayByteInput in) {
    byte[] msg = in.array();
    int ivOffset = in.skip(IV);
    long length = in.readLong();
    if (length < 0 || length > (1L << 36) - 32) {
      throw new MalformedMessageException("Non-framed content length " + length + " is over the format's 2^36 - 32");
    }
    if (length > in.remaining()) {
      throw new MalformedMessageException("Message is truncated: the input ended before the message did");
    }
    int ciphertextOffset = in.skip(length + TAG);
    byte[] out = new byte[(int) length];
    session.openSingleBlock(msg, ivOffset, msg, ciphertextOffset, (int) length, out, 0);
    return out;
  }

  private static long readInt(byte[] b, int p) {
    return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
  }
}
