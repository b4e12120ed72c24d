package dev.envelope.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The one skeleton of Envelope's streams: a subclass says how to read a chunk ({@link #readChunk}); this class
 * gives the rest of {@link InputStream} on top of it, the same way everywhere. A single-byte {@link #read()} goes
 * through a one-byte array kept for the purpose (no allocation per byte), bounds are checked once, a zero-length
 * read returns 0 without touching the source, and {@link #skip} reads (so that what a subclass counts, verifies or
 * audits is counted, verified or audited when skipped too). Mark and reset are not supported. Not thread-safe:
 * one reader at a time, as for any stream.
 */
public abstract class ChunkInputStream extends InputStream {
  private final byte[] single = new byte[1];

  /**
   * Reads up to {@code len} bytes, at least one unless the stream has ended ({@code -1}); {@code len} is at least
   * 1 and {@code off}/{@code len} are within {@code b}.
   */
  protected abstract int readChunk(byte[] b, int off, int len) throws IOException;

  /**
   * {@code in} with this class's contract, for streams that do not keep it: the JDK's {@code CipherInputStream}
   * answers a zero-length read at its end with -1 instead of 0. Closing closes {@code in}.
   */
  public static ChunkInputStream over(InputStream in) {
    Objects.requireNonNull(in, "in");
    return new ChunkInputStream() {
      @Override
      protected int readChunk(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public int available() throws IOException {
        return in.available();
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @Override
  public final int read() throws IOException {
    int n;
    do {
      n = readChunk(single, 0, 1);
    } while (n == 0); // a chunk reader may return 0 only by mistake; never report it as end of stream
    return n < 0 ? -1 : single[0] & 0xFF;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    return len == 0 ? 0 : readChunk(b, off, len);
  }

  @Override
  public long skip(long n) throws IOException {
    if (n <= 0) {
      return 0;
    }
    byte[] scratch = new byte[(int) Math.min(8192, n)];
    long skipped = 0;
    while (skipped < n) {
      int r = readChunk(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public final boolean markSupported() {
    return false;
  }
}
