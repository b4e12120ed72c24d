package dev.envelope.s3.internal;

import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Records the decrypt of a streamed object when the stream ends, fails, or is closed early. */
public final class AuditedInputStream extends ChunkInputStream {
  private final InputStream in;
  private final AuditRecorder.Recording audit;
  private long bytes;

  public AuditedInputStream(InputStream in, AuditRecorder.Recording audit) {
    this.in = in;
    this.audit = audit;
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    try {
      int n = in.read(b, off, len);
      if (n < 0) {
        audit.success(bytes);
      } else {
        bytes += n;
      }
      return n;
    } catch (IOException | RuntimeException e) {
      audit.failure(e, bytes);
      throw e;
    }
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  /** Closing before the end records a failed read (nothing more happens if the end was already recorded). */
  @Override
  public void close() throws IOException {
    audit.failure(new IOException("stream closed before the end of the object"), bytes);
    in.close();
  }
}
