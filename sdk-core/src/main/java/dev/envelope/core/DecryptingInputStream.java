package dev.envelope.core;

import dev.envelope.core.internal.DecryptionSession;
import dev.envelope.core.internal.EnvelopeSettings;
import dev.envelope.core.internal.format.ContentType;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.internal.format.StreamByteInput;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Decrypts a message read from the underlying stream, one frame at a time: memory is one frame, whatever the
 * message size.
 *
 * <p>Release rule. Each regular frame's plaintext is released once its tag verifies. For signed suites the
 * plaintext of the final frame (and of a non-framed body) is released only after the signature verifies, and for
 * every suite only after the end of the input is reached with no trailing bytes: the last {@code read} that
 * returns data is also the proof that the whole message is authentic. If a read throws, the message is not
 * authentic: discard everything read from this stream so far.
 *
 * <p>Errors are the unchecked {@link EnvelopeException} subtypes; I/O errors of the underlying stream are
 * {@link IOException}s. After an error every read throws again. Not thread-safe. {@link #close()} closes the
 * underlying stream.
 */
public final class DecryptingInputStream extends ChunkInputStream {
  private static final int TAG = 16;
  private static final int IV = 12;

  private final StreamByteInput in;
  private final InputStream source;
  private final EnvelopeSettings settings;
  private final Map<String, String> expectedContext;
  private final AuditRecorder.Recording audit;

  private DecryptionSession session;
  private byte[] frameBuffer = new byte[0];
  private byte[] plain = new byte[0];
  private int plainPos;
  private int plainLimit;
  private long seq = 1;
  private long bytes;
  private boolean done;
  private boolean closed;
  private RuntimeException failure;

  DecryptingInputStream(InputStream source, EnvelopeSettings settings, Map<String, String> expectedContext,
      AuditRecorder.Recording audit) {
    this.source = source;
    // Buffered: the header is parsed a field at a time. Large frame reads bypass the buffer.
    this.in = new StreamByteInput(new java.io.BufferedInputStream(source, 8192));
    this.settings = settings;
    this.expectedContext = expectedContext;
    this.audit = audit;
  }

  /** The verified encryption context; reads and authenticates the header first if needed. */
  public Map<String, String> encryptionContext() throws IOException {
    return started().verifiedContext();
  }

  /** The wrapping key that decrypted the data key; reads and authenticates the header first if needed. */
  public List<String> wrappingKeyIds() throws IOException {
    return started().materials().wrappingKeyIds();
  }

  /** The message's algorithm suite; reads and authenticates the header first if needed. */
  public AlgorithmSuite suite() throws IOException {
    return started().header().suite();
  }

  /**
   * The plaintext length of this message if it is {@code messageLength} bytes long, for framed messages of
   * unsigned suites (a signature's length varies); reads and authenticates the header first. Derived from
   * authenticated header fields: if it is wrong, the message fails to decrypt.
   */
  public OptionalLong plaintextLength(long messageLength) throws IOException {
    MessageHeader header = started().header();
    if (header.contentType() != ContentType.FRAMED || header.suite().isSigned()) {
      return OptionalLong.empty();
    }
    long length = FrameCipher.plaintextLengthOfBody(messageLength - header.serializedLength(), header.frameLength());
    return length < 0 ? OptionalLong.empty() : OptionalLong.of(length);
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    while (plainPos == plainLimit) {
      if (done) {
        return -1;
      }
      advance();
    }
    int n = Math.min(len, plainLimit - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  @Override
  public int available() {
    return plainLimit - plainPos;
  }

  private DecryptionSession started() throws IOException {
    if (session == null) {
      advance();
    }
    return session;
  }

  /** Does the next step (header or one frame), converting failures into one audited, sticky error. */
  private void advance() throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
    if (failure != null) {
      throw failure;
    }
    try {
      if (session == null) {
        readHeader();
      } else if (session.header().contentType() == ContentType.FRAMED) {
        readFrame();
      } else {
        readSingleBlock();
      }
    } catch (RuntimeException | IOException e) {
      audit.failure(e, bytes);
      failure = e instanceof RuntimeException r ? r : new EnvelopeException("I/O error: " + e.getMessage(), e);
      destroy();
      throw e;
    }
  }

  private void readHeader() throws IOException {
    MessageHeader header = settings.parseHeader(in);
    audit.message(header.suite(), header.messageId());
    var materials = DecryptionSession.materialsFor(header, settings.materialsManager(), settings.commitmentPolicy(),
        expectedContext);
    audit.materials(materials);
    session = DecryptionSession.open(header, materials, expectedContext);
    audit.context(session.verifiedContext());
  }

  private void readFrame() throws IOException {
    int frameLength = session.header().frameLength();
    byte[] head = new byte[4];
    in.readFully(head, 0, 4);
    long marker = u32(head, 0);
    session.updateSignature(head, 0, 4);
    boolean last = marker == FrameCipher.FINAL_FRAME_MARKER;
    byte[] meta = new byte[last ? 4 + IV + 4 : IV];
    in.readFully(meta, 0, meta.length);
    session.updateSignature(meta, 0, meta.length);
    long frameSeq = last ? u32(meta, 0) : marker;
    if (frameSeq != seq) {
      throw new MalformedMessageException("Frame has sequence number " + frameSeq + ", expected " + seq);
    }
    if (!last && seq == FrameCipher.MAX_FRAMES) {
      throw new MalformedMessageException("Message has more than 2^32 - 1 frames");
    }
    int ivOffset = last ? 4 : 0;
    long length = last ? u32(meta, 4 + IV) : frameLength;
    if (length > frameLength) {
      throw new MalformedMessageException("Final frame of " + length + " bytes is longer than the frame length "
          + frameLength);
    }
    readBlock(length);
    session.updateSignature(frameBuffer, 0, (int) length + TAG);
    ensurePlainCapacity((int) length);
    int n = session.openFrame(seq, last, meta, ivOffset, frameBuffer, 0, (int) length, plain, 0);
    seq++;
    if (last) {
      finish();
    }
    release(n);
  }

  private void readSingleBlock() throws IOException {
    byte[] meta = new byte[IV + 8];
    in.readFully(meta, 0, meta.length);
    session.updateSignature(meta, 0, meta.length);
    long length = (u32(meta, IV) << 32) | u32(meta, IV + 4);
    if (length < 0 || length > (1L << 36) - 32) {
      throw new MalformedMessageException("Non-framed content length " + length + " is over the format's 2^36 - 32");
    }
    if (length > settings.maxFrameLength()) {
      throw new PolicyViolationException("Non-framed body of " + length + " bytes is over the configured maximum "
          + "of " + settings.maxFrameLength() + " (Envelope.Builder.maxFrameLength): it is held in memory whole "
          + "before its tag is checked");
    }
    readBlock(length);
    session.updateSignature(frameBuffer, 0, (int) length + TAG);
    ensurePlainCapacity((int) length);
    int n = session.openSingleBlock(meta, 0, frameBuffer, 0, (int) length, plain, 0);
    finish();
    release(n);
  }

  /** Reads ciphertext and tag; the buffer grows with the bytes received, never to a length merely declared. */
  private void readBlock(long length) throws IOException {
    long total = length + TAG;
    if (frameBuffer.length >= total) {
      in.readFully(frameBuffer, 0, (int) total);
    } else {
      frameBuffer = in.readGrowing(total);
    }
  }

  /** Footer and end of input, before the last plaintext is released. */
  private void finish() throws IOException {
    if (session.signed()) {
      int signatureLength = in.readUnsignedShort();
      byte[] signature = in.readBytes(signatureLength);
      session.verifySignature(signature);
    }
    if (!in.atEnd()) {
      throw new MalformedMessageException("Message has bytes after its end");
    }
    done = true;
  }

  private void release(int n) {
    plainPos = 0;
    plainLimit = n;
    bytes += n;
    if (done) {
      audit.success(bytes);
      session.destroy();
    }
  }

  private void ensurePlainCapacity(int length) {
    if (plain.length < length) {
      Arrays.fill(plain, (byte) 0);
      plain = new byte[length];
    }
  }

  private void destroy() {
    if (session != null) {
      session.destroy();
    }
    Arrays.fill(plain, (byte) 0);
    plainPos = plainLimit = 0;
  }

  private static long u32(byte[] b, int p) {
    return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
  }

  /**
   * Closes the underlying stream. Closing before the end records a failed decrypt in the audit trail (the
   * message was never fully authenticated).
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (!done && failure == null) {
      audit.failure(new EnvelopeException("stream closed before the end of the message"), bytes);
      destroy();
    }
    Arrays.fill(plain, (byte) 0);
    source.close();
  }
}
