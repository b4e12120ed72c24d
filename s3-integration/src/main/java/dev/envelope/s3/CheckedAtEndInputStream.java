package dev.envelope.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream of a known length that runs a check once, when its last byte has been read and before the reader can act
 * on it: a rewrite that streams an object can so verify, just before it writes, what its conditional write cannot.
 * A failed check is thrown as an {@link IOException} caused by it, so the writer fails as on a broken source.
 */
final class CheckedAtEndInputStream extends FilterInputStream {
  private final long length;
  private final Runnable check;
  private long read;
  private boolean checked;

  CheckedAtEndInputStream(InputStream in, long length, Runnable check) {
    super(in);
    this.length = length;
    this.check = check;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    counted(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int count) throws IOException {
    int n = super.read(buffer, offset, count);
    counted(n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(n);
    counted(skipped);
    return skipped;
  }

  private void counted(long n) throws IOException {
    if (n > 0) {
      read += n;
    }
    if (!checked && (read >= length || n < 0)) {
      checked = true;
      try {
        check.run();
      } catch (RuntimeException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }
}
