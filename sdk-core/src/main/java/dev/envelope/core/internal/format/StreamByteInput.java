package dev.envelope.core.internal.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@link ByteInput} over a stream. Reads go straight to the stream (callers pass large reads, never byte by byte
 * on a hot path), and memory grows only with bytes actually received, never with a length the message declares.
 */
public final class StreamByteInput implements ByteInput {
  private final InputStream in;
  private ByteArrayOutputStream capture;

  public StreamByteInput(InputStream in) {
    this.in = in;
  }

  @Override
  public int readUnsignedByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw ByteInput.truncated();
    }
    if (capture != null) {
      capture.write(b);
    }
    return b;
  }

  @Override
  public void readFully(byte[] dst, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(dst, offset + done, length - done);
      if (n < 0) {
        throw ByteInput.truncated();
      }
      done += n;
    }
    if (capture != null) {
      capture.write(dst, offset, length);
    }
  }

  /**
   * Reads {@code length} bytes into a new array grown as data arrives, so a forged length fails as truncated
   * instead of allocating what it claims. The array doubles (from 64 KiB): linear steps made a 256 MiB frame cost
   * hundreds of copies, quadratic in the frame length; doubling copies each byte at most twice more.
   */
  public byte[] readGrowing(long length) throws IOException {
    if (length > Integer.MAX_VALUE - 16) {
      throw new dev.envelope.core.MalformedMessageException(
          "Message declares a " + length + "-byte block, more than a Java array can hold");
    }
    int total = (int) length;
    byte[] out = new byte[Math.min(total, 1 << 16)];
    int done = 0;
    while (done < total) {
      if (done == out.length) {
        out = java.util.Arrays.copyOf(out, (int) Math.min(total, 2L * out.length));
      }
      int n = in.read(out, done, out.length - done);
      if (n < 0) {
        throw ByteInput.truncated();
      }
      done += n;
    }
    if (capture != null) {
      capture.write(out, 0, total);
    }
    return out;
  }

  @Override
  public void beginCapture() {
    capture = new ByteArrayOutputStream(512);
  }

  @Override
  public byte[] endCapture() {
    byte[] out = capture.toByteArray();
    capture = null;
    return out;
  }

  @Override
  public boolean atEnd() throws IOException {
    int b = in.read();
    if (b < 0) {
      return true;
    }
    // A byte after the end of a message is an error for every caller of atEnd(): nothing needs it back.
    return false;
  }
}
