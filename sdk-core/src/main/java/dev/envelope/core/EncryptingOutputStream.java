package dev.envelope.core;

import dev.envelope.core.internal.EncryptionSession;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.spi.AuditRecorder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts everything written to it into one message on the underlying stream. The header is written when the
 * stream is created; each frame as soon as a full frame and at least one more byte have arrived (the final frame
 * is decided at {@link #close()}); the footer at close. Memory: two frame buffers, whatever the message size.
 *
 * <p>{@link #close()} must be called: until then the message is incomplete. It also closes the underlying
 * stream. Not thread-safe.
 */
public final class EncryptingOutputStream extends OutputStream {
  private final OutputStream out;
  private final EncryptionSession session;
  private final AuditRecorder.Recording audit;
  private final byte[] pending;
  private final byte[] frame;
  private final long declaredLength;
  private int pendingLength;
  private long seq = 1;
  private long bytes;
  private boolean closed;
  private RuntimeException failure;

  EncryptingOutputStream(OutputStream out, EncryptionSession session, AuditRecorder.Recording audit,
      long declaredLength) throws IOException {
    this.out = out;
    this.declaredLength = declaredLength;
    this.session = session;
    this.audit = audit;
    int frameLength = session.frameLength();
    this.pending = new byte[frameLength];
    this.frame = new byte[frameLength + FrameCipher.FINAL_FRAME_OVERHEAD];
    out.write(session.header());
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    try {
      if (declaredLength >= 0 && bytes + pendingLength + len > declaredLength) {
        // The declared length was counted against the cache's byte limit: writing more would bypass it.
        throw new PolicyViolationException("Wrote more than the declared plaintext length of " + declaredLength
            + " bytes");
      }
      int frameLength = pending.length;
      while (len > 0) {
        if (pendingLength == frameLength) {
          // More input follows a full buffer, so the buffered frame is a regular one.
          emit(pending, 0, frameLength, false);
          pendingLength = 0;
        }
        if (pendingLength == 0 && len > frameLength) {
          // Seal straight from the caller's array: no copy for large writes.
          emit(b, off, frameLength, false);
          off += frameLength;
          len -= frameLength;
          continue;
        }
        int n = Math.min(len, frameLength - pendingLength);
        System.arraycopy(b, off, pending, pendingLength, n);
        pendingLength += n;
        off += n;
        len -= n;
      }
    } catch (RuntimeException | IOException e) {
      fail(e);
      throw e;
    }
  }

  private void emit(byte[] b, int off, int len, boolean last) throws IOException {
    int n = session.sealFrame(seq++, last, b, off, len, frame, 0);
    out.write(frame, 0, n);
    bytes += len;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Writes the final frame and the footer, closes the underlying stream, and records the audit event. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (failure == null) {
        emit(pending, 0, pendingLength, true);
        out.write(session.footer());
        out.flush();
        audit.success(bytes);
      }
    } catch (RuntimeException | IOException e) {
      fail(e);
      throw e;
    } finally {
      Arrays.fill(pending, (byte) 0);
      session.destroy();
      out.close();
    }
  }

  private void fail(Exception e) {
    if (failure == null) {
      failure = e instanceof RuntimeException r ? r : new EnvelopeException("I/O error: " + e.getMessage(), e);
      audit.failure(e, bytes);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
    if (failure != null) {
      throw new IOException("An earlier write failed; the message is incomplete", failure);
    }
  }
}
