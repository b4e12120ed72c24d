package dev.envelope.s3;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object's bytes from the start, fetched in ranged GETs of growing size (8 KiB, then doubling) as they are
 * read: reading a message header costs one small request, whatever the object size.
 */
final class RangedObjectInputStream extends ChunkInputStream {
  private final S3Client s3;
  private final GetObjectRequest request;
  private final long length;
  private long position;
  private long chunk = 8 * 1024;
  private ResponseInputStream<GetObjectResponse> current;
  private long currentEnd;

  RangedObjectInputStream(S3Client s3, GetObjectRequest request, long length) {
    this.s3 = s3;
    this.request = request;
    this.length = length;
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    if (position >= length) {
      return -1;
    }
    if (current == null || position >= currentEnd) {
      closeCurrent();
      currentEnd = Math.min(length, position + chunk);
      chunk = Math.min(chunk * 2, 8L << 20);
      current = s3.getObject(request.toBuilder().range("bytes=" + position + "-" + (currentEnd - 1)).build());
    }
    int n = current.read(b, off, (int) Math.min(len, currentEnd - position));
    if (n < 0) {
      throw new IOException("Ranged GET ended before its range");
    }
    position += n;
    return n;
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      current.abort();
      current.close();
      current = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }
}
