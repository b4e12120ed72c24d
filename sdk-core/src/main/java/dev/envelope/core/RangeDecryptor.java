package dev.envelope.core;

import dev.envelope.core.internal.DecryptionSession;
import dev.envelope.core.internal.format.ContentType;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decrypts byte ranges of one framed message whose bytes are fetched piecewise (an S3 ranged GET): the header is
 * read and authenticated once, then {@link #span} says which frames, and so which ciphertext bytes, a plaintext
 * range needs, and {@link #decrypt} authenticates each of those frames before releasing any of its plaintext.
 *
 * <p>What is proven: every byte returned was encrypted under this header's key at that position of the message,
 * and a range that reaches the end of the plaintext ends where the message ends (its final frame is read and
 * checked against the length). What is not: that bytes outside the range exist or are intact, nor, for a range
 * short of the end, that the plaintext length derived from the message length is true (a reader of the whole
 * object gets both from {@link Envelope#decryptingStream}). Frame positions come from the authenticated header
 * and the message length the caller passes; a wrong length makes the frames fail to parse or authenticate, never
 * yields other plaintext.
 *
 * <p>Ranges need a framed message with an unsigned suite (a signature can only be checked over the whole
 * message): see {@link #supportsRanges()}. One audit event, at {@link #close()} (or at the first failure).
 *
 * <p>Thread-safe: spans may be decrypted on several threads at once (a parallel download), each returned stream
 * used by one thread at a time. The first frame that fails to authenticate fails every stream from then on; close
 * once all streams are done.
 */
public final class RangeDecryptor implements AutoCloseable {
  private static final int TAG = AlgorithmSuite.TAG_LENGTH;
  private static final int IV = AlgorithmSuite.IV_LENGTH;

  private final DecryptionSession session;
  private final AuditRecorder.Recording audit;
  private final MessageHeader header;
  private final AtomicLong released = new AtomicLong();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<EnvelopeException> firstFailure = new AtomicReference<>();

  RangeDecryptor(DecryptionSession session, AuditRecorder.Recording audit) {
    this.session = session;
    this.audit = audit;
    this.header = session.header();
  }

  /**
   * Which frames a plaintext range needs and where they are in the message. {@code finalSeq} and
   * {@code finalFrameLength} are the final frame the message length implies: a span that includes frame
   * {@code finalSeq} requires it to be marked final and to hold exactly that many bytes, and a span that reaches
   * the end of the plaintext runs through the final frame even when it is empty. So a message cut after a whole
   * frame, or extended, cannot pass for a shorter or longer complete one.
   */
  public record Span(long firstSeq, long lastSeq, long ciphertextStart, long ciphertextEnd, long skip,
      long length, long finalSeq, long finalFrameLength) {
    /** The HTTP range of the ciphertext, {@code bytes=start-end}. */
    public String httpRange() {
      return "bytes=" + ciphertextStart + "-" + ciphertextEnd;
    }

    /** Whether the span runs through the final frame, so that its decryption proves where the message ends. */
    public boolean reachesFinalFrame() {
      return lastSeq == finalSeq;
    }
  }

  /** True for a framed message with an unsigned suite, the only kind whose frames stand alone. */
  public boolean supportsRanges() {
    return header.contentType() == ContentType.FRAMED && !header.suite().isSigned();
  }

  public int headerLength() {
    return header.serializedLength();
  }

  public int frameLength() {
    return header.frameLength();
  }

  public AlgorithmSuite suite() {
    return header.suite();
  }

  /** The context the header authenticated. */
  public Map<String, String> encryptionContext() {
    return session.verifiedContext();
  }

  public List<String> wrappingKeyIds() {
    return session.materials().wrappingKeyIds();
  }

  /**
   * The plaintext length of the message that is {@code messageLength} bytes long, derived from the length: a
   * claim until a span reaching the end (which checks the final frame) has been decrypted.
   */
  public long plaintextLength(long messageLength) {
    requireRanges();
    long length = FrameCipher.plaintextLengthOfBody(messageLength - headerLength(), header.frameLength());
    if (length < 0) {
      throw fail(new MalformedMessageException("Message length " + messageLength + " does not fit a header of "
          + headerLength() + " bytes and whole frames of " + header.frameLength() + " bytes"));
    }
    return length;
  }

  /**
   * The frames holding plaintext bytes {@code first} to {@code last} (inclusive; clamped to the end) of the
   * {@code messageLength}-byte message.
   *
   * @throws IllegalArgumentException if {@code first} is not inside the plaintext
   */
  public Span span(long first, long last, long messageLength) {
    long plaintextLength = plaintextLength(messageLength);
    if (first < 0 || first >= plaintextLength || last < first) {
      throw new IllegalArgumentException("Range " + first + "-" + last + " is outside the plaintext of "
          + plaintextLength + " bytes");
    }
    last = Math.min(last, plaintextLength - 1);
    long f = header.frameLength();
    long bodyLength = messageLength - headerLength();
    // Regular frames, then a final frame of 0..f bytes: the final frame's sequence number follows the regular ones.
    long regular = (bodyLength - FrameCipher.FINAL_FRAME_OVERHEAD) / (f + FrameCipher.REGULAR_FRAME_OVERHEAD);
    long finalSeq = regular + 1;
    long finalLength = plaintextLength - regular * f;
    boolean toEnd = last == plaintextLength - 1;
    long firstSeq = first / f + 1;
    long lastSeq = toEnd ? finalSeq : last / f + 1;
    long start = frameStart(firstSeq);
    long end = lastSeq == finalSeq ? messageLength - 1 : frameStart(lastSeq + 1) - 1;
    return new Span(firstSeq, lastSeq, start, end, first - (firstSeq - 1) * f, last - first + 1, finalSeq,
        finalLength);
  }

  private long frameStart(long seq) {
    return headerLength() + (seq - 1) * (header.frameLength() + (long) FrameCipher.REGULAR_FRAME_OVERHEAD);
  }

  /**
   * The plaintext of {@code span}, from {@code ciphertext} holding exactly the span's ciphertext bytes. Each
   * frame is authenticated before any of its bytes are returned; memory is one frame. Closing the returned
   * stream closes {@code ciphertext}.
   */
  public InputStream decrypt(InputStream ciphertext, Span span) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(span, "span");
    requireRanges();
    return new SpanStream(ciphertext, span);
  }

  private void requireRanges() {
    if (!supportsRanges()) {
      throw new PolicyViolationException("Ranged decryption needs a framed message with an unsigned suite; this "
          + "message is " + header.contentType() + " with " + header.suite() + ": decrypt it whole");
    }
    if (closed.get()) {
      throw new IllegalStateException("RangeDecryptor is closed");
    }
    if (failed.get()) {
      throw new IllegalStateException("RangeDecryptor failed earlier: a frame of this message did not "
          + "authenticate, so none of its ranges is decrypted any more");
    }
  }

  /** Records the failure once and zeroes the keys: after a frame fails, no other range is decrypted. */
  private EnvelopeException fail(EnvelopeException e) {
    firstFailure.compareAndSet(null, e); // before the flag: a stream that sees the flag names this cause
    if (failed.compareAndSet(false, true) && !closed.get()) {
      audit.failure(e, released.get());
      session.destroy();
    }
    return e;
  }

  /** The first frame failure, once a frame failed to authenticate or parse: what every later read reports. */
  public Optional<EnvelopeException> failure() {
    return Optional.ofNullable(firstFailure.get());
  }

  /**
   * Ends this decryptor as failed for a reason outside it (a range that could not be fetched, a download that
   * was stopped): its audit event is a failure, with the bytes released so far, and the keys are zeroed.
   */
  public void abort(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    if (failed.compareAndSet(false, true) && !closed.get()) {
      audit.failure(cause, released.get());
      session.destroy();
    }
  }

  /** Records the ranged decrypt (success unless a frame failed) and zeroes the keys. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!failed.get()) {
      audit.success(released.get());
      session.destroy();
    }
  }

  private final class SpanStream extends ChunkInputStream {
    private final InputStream in;
    private final Span span;
    private final FrameCipher frames = session.newFrameCipher();
    private final byte[] frame;
    private final byte[] plain;
    private long seq;
    private long skip;
    private long remaining;
    private int pos;
    private int limit;

    SpanStream(InputStream in, Span span) {
      this.in = in;
      this.span = span;
      this.frame = new byte[header.frameLength() + FrameCipher.FINAL_FRAME_OVERHEAD];
      this.plain = new byte[header.frameLength()];
      this.seq = span.firstSeq();
      this.skip = span.skip();
      this.remaining = span.length();
    }

    @Override
    protected int readChunk(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      while (pos == limit) {
        if (failed.get()) {
          EnvelopeException first = firstFailure.get();
          throw new IOException("Ranged decryption already failed" + (first == null ? ""
              : ": " + first.getMessage()), first);
        }
        try {
          nextFrame();
        } catch (EnvelopeException e) {
          throw fail(e);
        } catch (IOException e) {
          fail(new EnvelopeException("I/O error reading " + span.httpRange() + ": " + e.getMessage(), e));
          throw e;
        }
      }
      int n = (int) Math.min(Math.min(len, limit - pos), remaining);
      System.arraycopy(plain, pos, b, off, n);
      pos += n;
      remaining -= n;
      released.addAndGet(n);
      return n;
    }

    private void nextFrame() throws IOException {
      int n = openFrame(plain);
      if (span.reachesFinalFrame() && seq == span.finalSeq() && span.finalFrameLength() == 0) {
        // The plaintext ended on a frame boundary: an empty final frame follows, and it is checked before the
        // last bytes are released, so a message cut after a whole frame cannot pass for a complete one.
        openFrame(new byte[0]);
      }
      if (span.reachesFinalFrame() && seq > span.finalSeq() && in.read() >= 0) {
        throw new MalformedMessageException("Ciphertext of " + span.httpRange() + " continues after the final "
            + "frame: the object is longer than its frames");
      }
      int from = (int) Math.min(skip, n);
      skip -= from;
      pos = from;
      limit = n;
      if (remaining > 0 && pos == limit && seq > span.lastSeq()) {
        throw new MalformedMessageException("Range " + span.httpRange() + " ended before its plaintext");
      }
    }

    /**
     * Reads and authenticates the frame at {@code seq} into {@code out}; returns its plaintext length. The frame
     * must be the final one exactly when the span says so, and then hold exactly the derived length.
     */
    private int openFrame(byte[] out) throws IOException {
      int f = header.frameLength();
      readFully(frame, 0, 4);
      long marker = u32(frame, 0);
      boolean last = marker == FrameCipher.FINAL_FRAME_MARKER;
      int meta = last ? 4 + IV + 4 : IV;
      readFully(frame, 4, meta);
      long frameSeq = last ? u32(frame, 4) : marker;
      if (frameSeq != seq) {
        throw new MalformedMessageException("Frame at this position has sequence number " + frameSeq + ", expected "
            + seq + ": the object was modified or its length is wrong");
      }
      boolean expectFinal = seq == span.finalSeq();
      long length = last ? u32(frame, 4 + 4 + IV) : f;
      if (last != expectFinal || last && length != span.finalFrameLength()) {
        throw new MalformedMessageException("Frame " + seq + " is " + (last ? "a final frame of " + length
            + " bytes" : "not a final frame") + ", but the object's length says " + (expectFinal
            ? "the final frame is frame " + seq + " with " + span.finalFrameLength() + " bytes"
            : "the message goes on") + ": the object was truncated or extended");
      }
      int ivOffset = last ? 8 : 4;
      int dataOffset = 4 + meta;
      readFully(frame, dataOffset, (int) length + TAG);
      int n = DecryptionSession.openFrame(frames, seq, last, frame, ivOffset, frame, dataOffset, (int) length, out,
          0);
      seq++;
      return n;
    }

    private void readFully(byte[] dst, int offset, int length) throws IOException {
      if (in.readNBytes(dst, offset, length) < length) {
        throw new MalformedMessageException("Ciphertext of " + span.httpRange() + " is truncated");
      }
    }

    @Override
    public void close() throws IOException {
      Arrays.fill(plain, (byte) 0);
      in.close();
    }
  }

  private static long u32(byte[] b, int p) {
    return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
  }
}
