package dev.envelope.s3.internal;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.SecureRandoms;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plaintext held back until it may be released: written whole, then read back once. Up to {@code memoryLimit}
 * bytes stay in memory; the rest goes to a temporary file (owner-only permissions, deleted on close; Linux unlinks
 * it as soon as it is opened, so no other process can open it by name) as 64 KiB
 * chunks sealed with AES-GCM under a one-time key that exists only in this object. So no plaintext reaches the
 * disk, and a spill file changed behind this process's back fails to read instead of yielding other bytes (the
 * chunk index is the IV, so chunks cannot be reordered either). Not thread-safe.
 */
final class SpillBuffer implements Closeable {
  private static final int CHUNK = 64 * 1024;
  private static final int TAG = 16;

  private final long memoryLimit;
  private final Path directory;
  private final Deque<byte[]> memory = new ArrayDeque<>();
  private long memoryBytes;

  private Path path;
  private FileChannel file;
  private SecretKey key;
  private Cipher cipher;
  private final byte[] chunk = new byte[CHUNK];
  private int chunkLength;
  private long spilledBytes;
  private long chunksWritten;
  private long chunksRead;
  private byte[] current = new byte[0];
  private int currentPos;
  private boolean closed;

  SpillBuffer(long memoryLimit, Path directory) {
    this.memoryLimit = memoryLimit;
    this.directory = directory;
  }

  /** Whether anything went to the temporary file. */
  boolean spilled() {
    return path != null;
  }

  void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    if (path == null && memoryBytes + len <= memoryLimit) {
      memory.add(Arrays.copyOfRange(b, off, off + len));
      memoryBytes += len;
      return;
    }
    if (path == null) {
      openFile();
    }
    while (len > 0) {
      int n = Math.min(len, CHUNK - chunkLength);
      System.arraycopy(b, off, chunk, chunkLength, n);
      chunkLength += n;
      off += n;
      len -= n;
      spilledBytes += n;
      if (chunkLength == CHUNK) {
        sealChunk();
      }
    }
  }

  /** Ends writing; reads may start. */
  void finishWriting() throws IOException {
    if (chunkLength > 0) {
      sealChunk();
    }
    Arrays.fill(chunk, (byte) 0);
  }

  int read(byte[] b, int off, int len) throws IOException {
    while (currentPos == current.length) {
      Arrays.fill(current, (byte) 0);
      if (!memory.isEmpty()) {
        current = memory.poll();
      } else if (chunksRead < chunksWritten) {
        current = openChunk();
      } else {
        current = new byte[0];
        currentPos = 0;
        return -1;
      }
      currentPos = 0;
    }
    int n = Math.min(len, current.length - currentPos);
    System.arraycopy(current, currentPos, b, off, n);
    currentPos += n;
    return n;
  }

  private void openFile() throws IOException {
    try {
      byte[] raw = SecureRandoms.bytes(32);
      key = new SecretKeySpec(raw, "AES");
      Arrays.fill(raw, (byte) 0);
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
    path = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? Files.createTempFile(directory, "envelope-s3-", ".spill",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(directory, "envelope-s3-", ".spill");
    file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.DELETE_ON_CLOSE);
  }

  private void sealChunk() throws IOException {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, iv(chunksWritten));
      byte[] sealed = cipher.doFinal(chunk, 0, chunkLength);
      ByteBuffer out = ByteBuffer.wrap(sealed);
      while (out.hasRemaining()) {
        file.write(out);
      }
      chunksWritten++;
      chunkLength = 0;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  private byte[] openChunk() throws IOException {
    long position = chunksRead * (CHUNK + TAG);
    int plain = (int) Math.min(CHUNK, spilledBytes - chunksRead * CHUNK);
    ByteBuffer in = ByteBuffer.allocate(plain + TAG);
    while (in.hasRemaining()) {
      if (file.read(in, position + in.position()) < 0) {
        throw new EOFException("Temporary file " + path + " is shorter than what was written to it");
      }
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, iv(chunksRead));
      byte[] out = cipher.doFinal(in.array());
      chunksRead++;
      return out;
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("Temporary file " + path + " was modified while the object was "
          + "being read");
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  private static GCMParameterSpec iv(long index) {
    byte[] nonce = new byte[12];
    ByteWriter.putU32(nonce, 4, (int) (index >>> 32));
    ByteWriter.putU32(nonce, 8, (int) index);
    return new GCMParameterSpec(128, nonce);
  }

  /** Zeroes what is in memory and deletes the temporary file. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    memory.forEach(b -> Arrays.fill(b, (byte) 0));
    memory.clear();
    Arrays.fill(current, (byte) 0);
    Arrays.fill(chunk, (byte) 0);
    if (file != null) {
      try {
        file.close();
      } finally {
        Files.deleteIfExists(path);
      }
    }
  }
}
