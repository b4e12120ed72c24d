package dev.envelope.core.internal;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.internal.format.FrameCipher;
import java.util.Arrays;

/** Encrypts a whole byte array into an exactly sized message: one allocation, frames sealed in place. */
public final class ArrayEncryptor {
  private ArrayEncryptor() {}

  public static byte[] encrypt(EncryptionSession session, byte[] plaintext) {
    int frameLength = session.frameLength();
    long length = plaintext.length;
    long regularFrames = length == 0 ? 0 : (length - 1) / frameLength;
    int finalLength = (int) (length - regularFrames * frameLength);
    byte[] header = session.header();
    long size = header.length + regularFrames * (frameLength + FrameCipher.REGULAR_FRAME_OVERHEAD)
        + finalLength + FrameCipher.FINAL_FRAME_OVERHEAD;
    if (size > Integer.MAX_VALUE - 256) {
      throw new EnvelopeException("Message of " + size + " bytes does not fit a byte array; use encryptingStream");
    }
    byte[] out = new byte[(int) size];
    System.arraycopy(header, 0, out, 0, header.length);
    int p = header.length;
    int offset = 0;
    long seq = 1;
    for (; seq <= regularFrames; seq++) {
      p += session.sealFrame(seq, false, plaintext, offset, frameLength, out, p);
      offset += frameLength;
    }
    p += session.sealFrame(seq, true, plaintext, offset, finalLength, out, p);
    byte[] footer = session.footer();
    if (footer.length == 0) {
      return out;
    }
    byte[] signed = Arrays.copyOf(out, p + footer.length);
    System.arraycopy(footer, 0, signed, p, footer.length);
    return signed;
  }
}
