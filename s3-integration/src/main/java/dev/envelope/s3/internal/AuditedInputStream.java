package dev.envelope.s3.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Records the decrypt of a streamed object when the stream ends, fails, or is closed early. */
public final class AuditedInputStream extends FilterInputStream {
  private final S3Audit audit;
  private long bytes;

  public AuditedInputStream(InputStream in, S3Audit audit) {
    super(in);
    this.audit = audit;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
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
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[8192];
    long done = 0;
    while (done < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    audit.failure(new IOException("stream closed before the end of the object"), bytes);
    super.close();
  }
}
