package dev.envelope.s3.internal;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plaintext of one request body, read once per attempt. The SDK may read a body more than once (payload
 * signing over HTTP, retries); a GCM stream re-encrypted from a re-read uses the same key and IV, which is harmless
 * only for the same plaintext. The first read records a SHA-256 per 64 KiB chunk; every later read must match
 * chunk by chunk before the chunk is handed on, else it fails, so no key and IV ever encrypts two different
 * plaintexts. Memory: 32 bytes per 64 KiB plus one chunk.
 */
public final class ReplayGuardInputStream extends ChunkInputStream {
  private static final int CHUNK = 64 * 1024;

  /** Digests shared by every attempt at one body. Thread-safe. */
  public static final class Record {
    private final List<byte[]> digests = new ArrayList<>();
    private boolean complete;

    synchronized byte[] get(int i) {
      return i < digests.size() ? digests.get(i) : null;
    }

    synchronized void add(byte[] d) {
      digests.add(d);
    }

    synchronized boolean complete() {
      return complete;
    }

    synchronized void markComplete() {
      complete = true;
    }
  }

  private final InputStream in;
  private final Record record;
  private final byte[] chunk = new byte[CHUNK];
  private final MessageDigest sha;
  private int pos;
  private int limit;
  private int index;
  private boolean eof;

  public ReplayGuardInputStream(InputStream in, Record record) {
    this.in = in;
    this.record = record;
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    while (pos == limit) {
      if (eof) {
        return -1;
      }
      fill();
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(chunk, pos, b, off, n);
    pos += n;
    return n;
  }

  private void fill() throws IOException {
    int n = in.readNBytes(chunk, 0, CHUNK);
    eof = n < CHUNK;
    if (n > 0) {
      sha.update(chunk, 0, n);
      byte[] digest = sha.digest();
      byte[] first = record.get(index);
      if (first != null ? !MessageDigest.isEqual(first, digest) : record.complete()) {
        Arrays.fill(chunk, (byte) 0);
        throw changed(); // different bytes, or more bytes than the first complete read
      }
      if (first == null) {
        record.add(digest);
      }
      index++;
    }
    if (eof) {
      if (record.complete() && record.get(index) != null) {
        throw changed(); // fewer bytes than the first complete read
      }
      record.markComplete();
    }
    pos = 0;
    limit = n;
  }

  private IOException changed() {
    return new IOException("Request body read differently on a second attempt; refusing to encrypt different "
        + "plaintext under the same key and IV. Supply a body that reads the same every time, or retry the call.");
  }

  @Override
  public void close() throws IOException {
    Arrays.fill(chunk, (byte) 0);
    in.close();
  }
}
