package dev.envelope.core.spi;

import java.util.Arrays;

/**
 * A growable big-endian byte buffer, and the big-endian stores into existing arrays: the one place Envelope's
 * formats (message headers, frame IVs, encryption contexts, item headers) turn integers into bytes.
 * Not thread-safe.
 */
public final class ByteWriter {
  private byte[] buf;
  private int size;

  public ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (size + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
    }
  }

  public ByteWriter u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  public ByteWriter u16(int v) {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  public ByteWriter u32(int v) {
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  public ByteWriter bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public ByteWriter bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  /** u16 length, then the bytes: the ESDK's field encoding. The caller has checked the length fits. */
  public ByteWriter u16Prefixed(byte[] b) {
    return u16(b.length).bytes(b);
  }

  /** u32 length, then the bytes. */
  public ByteWriter lengthPrefixed(byte[] b) {
    return u32(b.length).bytes(b);
  }

  public int size() {
    return size;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** The backing array (valid up to {@link #size()}); for handing to a cipher without a copy. */
  public byte[] array() {
    return buf;
  }

  /** Stores {@code v} big-endian in {@code b[offset..offset+1]}. */
  public static void putU16(byte[] b, int offset, int v) {
    b[offset] = (byte) (v >>> 8);
    b[offset + 1] = (byte) v;
  }

  /** Stores {@code v} big-endian in {@code b[offset..offset+3]}. */
  public static void putU32(byte[] b, int offset, int v) {
    b[offset] = (byte) (v >>> 24);
    b[offset + 1] = (byte) (v >>> 16);
    b[offset + 2] = (byte) (v >>> 8);
    b[offset + 3] = (byte) v;
  }
}
