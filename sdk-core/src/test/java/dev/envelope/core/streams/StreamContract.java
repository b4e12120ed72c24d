package dev.envelope.core.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

/**
 * The contract every custom stream of Envelope keeps, checked the same way for each: the same bytes whether read
 * one byte at a time, in random short chunks, all at once, or with skips between reads; a zero-length read returns
 * 0 and consumes nothing; bad bounds throw {@link IndexOutOfBoundsException}; the end stays the end. Sources
 * should be wrapped in {@link ShortReads} so that the stream under test also meets a source that returns less than
 * it asked for.
 */
public final class StreamContract {
  /** Opens a fresh stream over the same content each time. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws IOException;
  }

  private StreamContract() {}

  public static void check(String what, Opener opener, byte[] expected) throws IOException {
    try (InputStream in = opener.open()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int b; (b = in.read()) >= 0; ) {
        out.write(b);
      }
      assertArrayEquals(expected, out.toByteArray(), what + ": one byte at a time");
      assertEquals(-1, in.read(), what + ": read() after the end");
      assertEquals(-1, in.read(new byte[4], 0, 4), what + ": read(byte[]) after the end");
    }
    Random random = new Random(expected.length);
    try (InputStream in = opener.open()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[97];
      while (true) {
        int off = random.nextInt(8);
        int len = 1 + random.nextInt(buffer.length - off - 1);
        assertEquals(0, in.read(buffer, off, 0), what + ": a zero-length read returns 0");
        int n = in.read(buffer, off, len);
        if (n < 0) {
          break;
        }
        assertFalse(n == 0, what + ": a read of " + len + " bytes returned 0");
        out.write(buffer, off, n);
      }
      assertArrayEquals(expected, out.toByteArray(), what + ": random short chunks");
    }
    try (InputStream in = opener.open()) {
      assertArrayEquals(expected, in.readAllBytes(), what + ": readAllBytes");
    }
    try (InputStream in = opener.open()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long position = 0;
      while (position < expected.length) {
        long skip = Math.min(random.nextInt(3000), expected.length - position);
        assertEquals(skip, in.skip(skip), what + ": skip within the content");
        position += skip;
        byte[] chunk = in.readNBytes((int) Math.min(500, expected.length - position));
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, (int) position, (int) position + chunk.length),
            chunk, what + ": bytes after a skip to " + position);
        position += chunk.length;
        out.write(chunk);
      }
      assertEquals(-1, in.read(), what + ": the end after skips");
    }
    try (InputStream in = opener.open()) {
      assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], 3, 2), what + ": bounds");
      assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], -1, 1), what + ": bounds");
      assertFalse(in.markSupported(), what + ": mark is not supported");
    }
  }

  /** A source that returns at most a few bytes per read, as sockets and slow disks do. */
  public static final class ShortReads extends InputStream {
    private final InputStream in;
    private final Random random;

    public ShortReads(InputStream in, long seed) {
      this.in = in;
      this.random = new Random(seed);
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, Math.min(len, 1 + random.nextInt(7)));
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
