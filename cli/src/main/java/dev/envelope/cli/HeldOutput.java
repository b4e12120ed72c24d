package dev.envelope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Output held in memory until the work that makes it has succeeded ({@code --buffer}): standard output cannot be
 * written beside its name and moved into place as a file is, so a message that fails its last tag or its signature
 * must not have reached it. Chunks of 1 MiB, so growing never copies what is held; at most {@code limit} bytes, past
 * which a write fails and says what to do instead. Not thread-safe (one per run).
 */
final class HeldOutput extends OutputStream {
  private static final int CHUNK = 1 << 20;

  private final long limit;
  private final List<byte[]> chunks = new ArrayList<>();
  private int usedInLast = CHUNK;
  private long size;

  HeldOutput(long limit) {
    this.limit = limit;
  }

  /** A quarter of the heap: the rest is the decryption's and the JVM's. */
  static HeldOutput quarterOfTheHeap() {
    return new HeldOutput(Runtime.getRuntime().maxMemory() / 4);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (size + len > limit) {
      discard();
      throw new IOException("the output is larger than --buffer holds in memory (" + Progress.bytes(limit) + "): "
          + "write it to a file with -o FILE instead, which appears only once whole");
    }
    while (len > 0) {
      if (usedInLast == CHUNK) {
        chunks.add(new byte[CHUNK]);
        usedInLast = 0;
      }
      int n = Math.min(len, CHUNK - usedInLast);
      System.arraycopy(b, off, chunks.get(chunks.size() - 1), usedInLast, n);
      usedInLast += n;
      size += n;
      off += n;
      len -= n;
    }
  }

  /** Writes what is held to {@code out} and lets it go. */
  void releaseTo(OutputStream out) throws IOException {
    for (int i = 0; i < chunks.size(); i++) {
      out.write(chunks.get(i), 0, i == chunks.size() - 1 ? usedInLast : CHUNK);
    }
    discard();
  }

  /** Overwrites and drops what is held: it may be plaintext that was never authenticated. */
  void discard() {
    chunks.forEach(chunk -> Arrays.fill(chunk, (byte) 0));
    chunks.clear();
    usedInLast = CHUNK;
    size = 0;
  }
}
