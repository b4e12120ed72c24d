package dev.envelope.core.internal.format;

import dev.envelope.core.MalformedMessageException;
import java.io.IOException;

/**
 * Big-endian reads over a message, from an array or a stream, that fail with {@link MalformedMessageException}
 * when the message ends early. A capture records the bytes read (the header body is needed as AAD and for the
 * signature).
 */
public interface ByteInput {
  int readUnsignedByte() throws IOException;

  default int readUnsignedShort() throws IOException {
    return (readUnsignedByte() << 8) | readUnsignedByte();
  }

  default long readUnsignedInt() throws IOException {
    return ((long) readUnsignedShort() << 16) | readUnsignedShort();
  }

  default long readLong() throws IOException {
    return (readUnsignedInt() << 32) | readUnsignedInt();
  }

  /** Reads exactly {@code length} bytes into {@code dst}. */
  void readFully(byte[] dst, int offset, int length) throws IOException;

  default byte[] readBytes(int length) throws IOException {
    byte[] out = new byte[length];
    readFully(out, 0, length);
    return out;
  }

  /** Starts recording every byte read from now on. */
  void beginCapture();

  /** Stops recording and returns what was read since {@link #beginCapture()}. */
  byte[] endCapture();

  /** Whether every byte of the input has been read. */
  boolean atEnd() throws IOException;

  static MalformedMessageException truncated() {
    return new MalformedMessageException("Message is truncated: the input ended before the message did");
  }
}
