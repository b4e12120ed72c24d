package dev.envelope.core.spi;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads what {@link ByteWriter} wrote. Every read checks the bounds, and a violation is a
 * {@link TruncatedException} the caller turns into a message naming the attribute or header it was reading.
 */
public final class ByteReader {
  private final byte[] buf;
  private final int end;
  private int pos;

  public ByteReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  public ByteReader(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  /**
   * Thrown when the input ends before a field does. An {@link IOException}, so that codecs shared with stream
   * readers ({@link EncryptedDataKeyCodec}) take either; without a stack trace, as forged input is cheap to send.
   */
  public static final class TruncatedException extends IOException {
    private static final long serialVersionUID = 1L;

    public TruncatedException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private void need(int n) throws TruncatedException {
    if (n < 0 || end - pos < n) {
      throw new TruncatedException("needs " + n + " more bytes, " + (end - pos) + " left");
    }
  }

  public int u8() throws TruncatedException {
    need(1);
    return buf[pos++] & 0xFF;
  }

  public int u16() throws TruncatedException {
    need(2);
    int v = (buf[pos] & 0xFF) << 8 | buf[pos + 1] & 0xFF;
    pos += 2;
    return v;
  }

  /** A u32 length that must fit the remaining input (so a forged length cannot make us allocate). */
  public int length() throws TruncatedException {
    need(4);
    long v = (buf[pos] & 0xFFL) << 24 | (buf[pos + 1] & 0xFFL) << 16 | (buf[pos + 2] & 0xFFL) << 8
        | buf[pos + 3] & 0xFFL;
    pos += 4;
    if (v > end - pos) {
      throw new TruncatedException("length " + v + " exceeds the " + (end - pos) + " bytes left");
    }
    return (int) v;
  }

  public byte[] bytes(int n) throws TruncatedException {
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  public boolean atEnd() {
    return pos == end;
  }
}
