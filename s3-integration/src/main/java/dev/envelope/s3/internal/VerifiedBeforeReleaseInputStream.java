package dev.envelope.s3.internal;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The plaintext of an S3EC object, released only after its GCM tag verified: the first read decrypts the whole
 * object into a {@link SpillBuffer} (memory up to a limit, then an encrypted temporary file), and only when the
 * source has reached its end, and so checked the tag, does any byte leave. As safe as the S3 Encryption Client's
 * default (which buffers in memory only, and refuses objects over its buffer size). A failure deletes the buffer.
 * Not thread-safe.
 */
final class VerifiedBeforeReleaseInputStream extends ChunkInputStream {
  private final InputStream source;
  private final SpillBuffer buffer;
  private boolean filled;
  private boolean closed;

  VerifiedBeforeReleaseInputStream(InputStream source, long memoryLimit, Path spillDirectory) {
    this.source = source;
    this.buffer = new SpillBuffer(memoryLimit, spillDirectory);
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
    if (!filled) {
      fill();
    }
    return buffer.read(b, off, len);
  }

  private void fill() throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try {
      for (int n; (n = source.read(chunk, 0, chunk.length)) >= 0; ) {
        buffer.write(chunk, 0, n);
      }
      buffer.finishWriting();
      filled = true;
    } catch (IOException | RuntimeException e) {
      buffer.close();
      throw e;
    } finally {
      java.util.Arrays.fill(chunk, (byte) 0);
    }
  }

  /** Whether the plaintext did not fit the memory limit and went (encrypted) to a temporary file. */
  boolean spilled() {
    return buffer.spilled();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      buffer.close();
    } finally {
      source.close();
    }
  }
}
