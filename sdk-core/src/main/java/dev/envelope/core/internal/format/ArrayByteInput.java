package dev.envelope.core.internal.format;

import java.util.Arrays;

/** {@link ByteInput} over a byte array: no copies except for what the caller asks for. */
public final class ArrayByteInput implements ByteInput {
  private final byte[] buf;
  private final int limit;
  private int pos;
  private int captureStart = -1;

  public ArrayByteInput(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
  }

  public ArrayByteInput(byte[] buf) {
    this(buf, 0, buf.length);
  }

  @Override
  public int readUnsignedByte() {
    if (pos >= limit) {
      throw ByteInput.truncated();
    }
    return buf[pos++] & 0xFF;
  }

  @Override
  public int readUnsignedShort() {
    require(2);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  @Override
  public long readUnsignedInt() {
    return ((long) readUnsignedShort() << 16) | readUnsignedShort();
  }

  @Override
  public long readLong() {
    return (readUnsignedInt() << 32) | readUnsignedInt();
  }

  @Override
  public byte[] readBytes(int length) {
    byte[] out = new byte[length];
    readFully(out, 0, length);
    return out;
  }

  @Override
  public void readFully(byte[] dst, int offset, int length) {
    require(length);
    System.arraycopy(buf, pos, dst, offset, length);
    pos += length;
  }

  /** Skips {@code length} bytes, returning the offset where they start. */
  public int skip(long length) {
    require(length);
    int start = pos;
    pos += (int) length;
    return start;
  }

  private void require(long length) {
    if (length < 0 || length > limit - pos) {
      throw ByteInput.truncated();
    }
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return limit - pos;
  }

  public byte[] array() {
    return buf;
  }

  @Override
  public void beginCapture() {
    captureStart = pos;
  }

  @Override
  public byte[] endCapture() {
    byte[] out = Arrays.copyOfRange(buf, captureStart, pos);
    captureStart = -1;
    return out;
  }

  @Override
  public boolean atEnd() {
    return pos >= limit;
  }
}
