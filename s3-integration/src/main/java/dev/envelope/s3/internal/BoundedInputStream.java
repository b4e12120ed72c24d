package dev.envelope.s3.internal;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The first {@code limit} bytes of a stream (one part of a file); closes the stream on close. */
public final class BoundedInputStream extends ChunkInputStream {
  private final InputStream in;
  private long left;

  public BoundedInputStream(InputStream in, long limit) {
    this.in = in;
    this.left = limit;
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    if (left == 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n > 0) {
      left -= n;
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
