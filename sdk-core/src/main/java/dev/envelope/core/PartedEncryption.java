package dev.envelope.core;

import dev.envelope.core.internal.PartKeys;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One message encrypted as independent parts (an S3 multipart upload): every part but the last holds exactly
 * {@link #partLength()} plaintext bytes, a whole number of frames, so part {@code n} starts at a known frame
 * sequence number and can be encrypted on any thread, in any order, and again. Part 1 starts with the header; the
 * last part ends with the final frame. Concatenated in part order, the parts are one ordinary message that any
 * AWS Encryption SDK decrypts.
 *
 * <p>Retries. The message format fixes each frame's IV (its sequence number), so a part encrypted twice uses the
 * same key and IVs. That is safe only for the same plaintext, so the tag of every frame's first encryption is
 * kept (16 bytes per frame) and a later encryption of that frame must reproduce it before any of its bytes are
 * released; a source that changed between attempts fails with an {@link IOException} instead of sending other
 * plaintext under a used key and IV.
 *
 * <p>Resuming. The parts may be encrypted by several processes one after another (an upload resumed after a
 * crash): {@link Envelope#resumePartedEncryption} continues from the header. What the first process recorded of
 * each part, {@link #firstFrameTag} before any of the part left and {@link #partDigest} once all of it did, is
 * handed back with {@link #expectFirstFrameTag} and compared with {@link #partDigest}: a part is encrypted again
 * only from the same plaintext, as for a retry, and a part kept from the first process is proven to come from it.
 *
 * <p>Unsigned suites only (a signature covers the whole message in order). Exactly one audit event: at
 * {@link #complete()}, {@link #abort(Throwable)} or, if neither was called, {@link #close()} (as a failure).
 * Thread-safe. {@link #close()} zeroes the keys.
 */
public final class PartedEncryption implements AutoCloseable {
  private final PartKeys session;
  private final AuditRecorder.Recording audit;
  private final long partLength;
  private final int frameLength;
  private final long framesPerPart;
  private final Map<Long, byte[]> firstTags = new ConcurrentHashMap<>();
  private final Map<Integer, byte[]> partDigests = new ConcurrentHashMap<>();
  private final AtomicLong plaintextBytes = new AtomicLong();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean closed;

  PartedEncryption(PartKeys session, AuditRecorder.Recording audit, long partLength) {
    this.session = session;
    this.audit = audit;
    this.partLength = partLength;
    this.frameLength = session.frameLength();
    this.framesPerPart = partLength / frameLength;
  }

  /** The serialized header, which opens part 1. */
  public byte[] header() {
    return session.header().clone();
  }

  public byte[] messageId() {
    return session.messageId();
  }

  public AlgorithmSuite suite() {
    return session.suite();
  }

  /** Plaintext bytes of every part but the last. */
  public long partLength() {
    return partLength;
  }

  public int frameLength() {
    return frameLength;
  }

  /** Ciphertext bytes of a part: what its upload's Content-Length must be. */
  public long encryptedLength(int partNumber, long plaintextLength, boolean lastPart) {
    checkPart(partNumber, plaintextLength, lastPart);
    long header = partNumber == 1 ? session.header().length : 0;
    if (!lastPart) {
      return header + framesPerPart * (frameLength + (long) FrameCipher.REGULAR_FRAME_OVERHEAD);
    }
    long regular = plaintextLength == 0 ? 0 : (plaintextLength - 1) / frameLength;
    long finalLength = plaintextLength - regular * frameLength;
    return header + regular * (frameLength + (long) FrameCipher.REGULAR_FRAME_OVERHEAD)
        + FrameCipher.FINAL_FRAME_OVERHEAD + finalLength;
  }

  /**
   * The ciphertext of part {@code partNumber} (1-based), encrypted lazily from {@code plaintext} as it is read:
   * memory is two frames. {@code plaintext} must supply exactly {@code plaintextLength} bytes; closing the returned
   * stream closes it.
   */
  public InputStream encryptPart(int partNumber, InputStream plaintext, long plaintextLength, boolean lastPart) {
    Objects.requireNonNull(plaintext, "plaintext");
    checkPart(partNumber, plaintextLength, lastPart);
    if (closed) {
      throw new IllegalStateException("PartedEncryption is closed");
    }
    return new PartStream(partNumber, plaintext, plaintextLength, lastPart);
  }

  private void checkPart(int partNumber, long plaintextLength, boolean lastPart) {
    checkPartNumber(partNumber);
    if (lastPart ? plaintextLength < 0 || plaintextLength > partLength : plaintextLength != partLength) {
      throw new IllegalArgumentException("Part " + partNumber + " has " + plaintextLength + " plaintext bytes; "
          + (lastPart ? "the last part may have 0 to " + partLength : "every part but the last must have exactly "
          + partLength));
    }
    if ((partNumber - 1) * framesPerPart + (lastPart ? partLength / frameLength + 1 : framesPerPart)
        > FrameCipher.MAX_FRAMES) {
      throw new IllegalArgumentException("Part " + partNumber + " would need more than 2^32 - 1 frames");
    }
  }

  /**
   * The tag of the first frame of part {@code partNumber} from its first encryption, once that frame was sealed:
   * 16 bytes that let another process check it encrypts the part from the same plaintext. Not secret.
   */
  public Optional<byte[]> firstFrameTag(int partNumber) {
    checkPartNumber(partNumber);
    return Optional.ofNullable(firstTags.get(firstSeq(partNumber))).map(byte[]::clone);
  }

  /**
   * Declares that part {@code partNumber} was encrypted before (by another process, whose state recorded this
   * tag): its first frame must seal to the same tag before any of it is released, as a retry must.
   *
   * @throws IllegalStateException if this part's first frame was sealed here already with another tag
   */
  public void expectFirstFrameTag(int partNumber, byte[] tag) {
    checkPartNumber(partNumber);
    if (tag.length != AlgorithmSuite.TAG_LENGTH) {
      throw new IllegalArgumentException("A frame tag is " + AlgorithmSuite.TAG_LENGTH + " bytes: " + tag.length);
    }
    byte[] before = firstTags.putIfAbsent(firstSeq(partNumber), tag.clone());
    if (before != null && !MessageDigest.isEqual(before, tag)) {
      throw new IllegalStateException("Part " + partNumber + " was already encrypted here from other plaintext");
    }
  }

  /**
   * SHA-256 over the tags of every frame of part {@code partNumber}, once a stream of the part was read to its
   * end: the same for the same plaintext (under this message's key), different otherwise. Not secret (the tags
   * are in the ciphertext); lets a resumed upload prove that a part it keeps came from the plaintext it has.
   */
  public Optional<byte[]> partDigest(int partNumber) {
    checkPartNumber(partNumber);
    return Optional.ofNullable(partDigests.get(partNumber)).map(byte[]::clone);
  }

  private long firstSeq(int partNumber) {
    return (partNumber - 1) * framesPerPart + 1;
  }

  private static void checkPartNumber(int partNumber) {
    if (partNumber < 1 || partNumber > 10_000) {
      throw new IllegalArgumentException("Part numbers are 1 to 10000: " + partNumber);
    }
  }

  /** Records the message as encrypted (one successful audit event). */
  public void complete() {
    if (ended.compareAndSet(false, true)) {
      audit.success(plaintextBytes.get());
    }
  }

  /** Records the message as failed (one failed audit event naming the cause's class). */
  public void abort(Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      audit.failure(cause, plaintextBytes.get());
    }
  }

  @Override
  public void close() {
    abort(new EnvelopeException("parted encryption closed before complete()"));
    if (!closed) {
      closed = true;
      session.destroy();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("SHA-256 is unavailable: " + e.getMessage(), e);
    }
  }

  /** One part's ciphertext, a frame at a time. */
  private final class PartStream extends ChunkInputStream {
    private final InputStream source;
    private final long length;
    private final boolean lastPart;
    private final FrameCipher cipher = session.newFrameCipher();
    private final byte[] plain = new byte[frameLength];
    private final byte[] sealed = new byte[frameLength + FrameCipher.FINAL_FRAME_OVERHEAD];
    private final int partNumber;
    private final MessageDigest tags = sha256();
    private byte[] out;
    private int outPos;
    private int outLimit;
    private long seq;
    private long consumed;
    private boolean finished;

    PartStream(int partNumber, InputStream source, long length, boolean lastPart) {
      this.partNumber = partNumber;
      this.source = source;
      this.length = length;
      this.lastPart = lastPart;
      this.seq = (partNumber - 1) * framesPerPart + 1;
      if (partNumber == 1) {
        out = session.header();
        outLimit = out.length;
      }
    }

    @Override
    protected int readChunk(byte[] b, int off, int len) throws IOException {
      while (out == null || outPos == outLimit) {
        if (finished) {
          return -1;
        }
        nextFrame();
      }
      int n = Math.min(len, outLimit - outPos);
      System.arraycopy(out, outPos, b, off, n);
      outPos += n;
      return n;
    }

    private void nextFrame() throws IOException {
      long remaining = length - consumed;
      boolean finalFrame = lastPart && remaining <= frameLength;
      int take = (int) Math.min(remaining, frameLength);
      readFully(take);
      int n;
      try {
        n = cipher.seal(seq, finalFrame, plain, 0, take, sealed, 0);
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("AES-GCM encryption failed: " + e.getMessage(), e);
      }
      byte[] tag = Arrays.copyOfRange(sealed, n - AlgorithmSuite.TAG_LENGTH, n);
      tags.update(tag);
      byte[] first = firstTags.putIfAbsent(seq, tag);
      if (first != null && !MessageDigest.isEqual(first, tag)) {
        Arrays.fill(sealed, (byte) 0);
        throw new IOException("Part " + partNumber + " (frame " + seq + ") read different plaintext than its "
            + "first attempt; refusing to encrypt other plaintext under the same key and IV. Restart the upload.");
      }
      consumed += take;
      seq++;
      out = sealed;
      outPos = 0;
      outLimit = n;
      if (finalFrame || !lastPart && consumed == length) {
        if (source.read() >= 0) {
          throw new IOException("Part " + partNumber + " source has more than its declared " + length + " bytes");
        }
        if (partDigests.put(partNumber, tags.digest()) == null) {
          plaintextBytes.addAndGet(length); // counted once per part, however often it is encrypted
        }
        finished = true;
      }
    }

    private void readFully(int take) throws IOException {
      int done = source.readNBytes(plain, 0, take);
      if (done < take) {
        throw new IOException("Part " + partNumber + " source ended after " + (consumed + done) + " of its "
            + "declared " + length + " bytes");
      }
    }

    @Override
    public void close() throws IOException {
      Arrays.fill(plain, (byte) 0);
      source.close();
    }
  }
}
