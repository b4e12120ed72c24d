package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PartedEncryption (parallel, retried parts of one message) and RangeDecryptor (authenticated ranges). */
@org.junit.jupiter.api.Timeout(30)
class PartsAndRangesTest {
  private static final int FRAME = 1024;
  private static final Map<String, String> CONTEXT = Map.of("bucket", "b", "key", "k");
  private final InMemoryAuditSink audit = new InMemoryAuditSink();
  private final Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes())
      .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).frameLength(FRAME).auditSink(audit).build();

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Encrypts parts in shuffled order and concatenates them in part order. */
  private byte[] encryptInParts(byte[] plaintext, int partLength) throws IOException {
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, partLength)) {
      int count = Math.max(1, (plaintext.length + partLength - 1) / partLength);
      List<Integer> order = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(plaintext.length));
      byte[][] out = new byte[count + 1][];
      for (int p : order) {
        int from = (p - 1) * partLength;
        int len = Math.min(partLength, plaintext.length - from);
        boolean last = p == count;
        InputStream part = parts.encryptPart(p, new ByteArrayInputStream(plaintext, from, len), len, last);
        out[p] = part.readAllBytes();
        assertEquals(parts.encryptedLength(p, len, last), out[p].length, "declared length of part " + p);
      }
      parts.complete();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int p = 1; p <= count; p++) {
        all.write(out[p]);
      }
      return all.toByteArray();
    }
  }

  @Test
  void partsInAnyOrderMakeOneMessageForEverySize() throws IOException {
    int partLength = 4 * FRAME;
    for (int size : new int[] {0, 1, FRAME - 1, FRAME, FRAME + 1, partLength, partLength + 1, 3 * partLength,
        3 * partLength + FRAME, 3 * partLength + 7}) {
      byte[] plaintext = random(size, size);
      byte[] message = encryptInParts(plaintext, partLength);
      DecryptResult result = envelope.decrypt(message, CONTEXT);
      assertArrayEquals(plaintext, result.plaintext(), "size " + size);
    }
    assertEquals(AuditEvent.Outcome.SUCCESS, audit.events().get(0).outcome());
  }

  @Test
  void retriedPartWithSamePlaintextIsIdenticalAndChangedPlaintextIsRefused() throws IOException {
    byte[] plaintext = random(2 * 4 * FRAME, 1);
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, 4 * FRAME)) {
      byte[] first = parts.encryptPart(2, new ByteArrayInputStream(plaintext, 4 * FRAME, 4 * FRAME), 4 * FRAME,
          true).readAllBytes();
      byte[] again = parts.encryptPart(2, new ByteArrayInputStream(plaintext, 4 * FRAME, 4 * FRAME), 4 * FRAME,
          true).readAllBytes();
      assertArrayEquals(first, again);
      byte[] changed = Arrays.copyOfRange(plaintext, 4 * FRAME, 8 * FRAME);
      changed[2 * FRAME + 5] ^= 1; // third frame differs
      InputStream retry = parts.encryptPart(2, new ByteArrayInputStream(changed), 4 * FRAME, true);
      byte[] firstTwoFrames = retry.readNBytes(2 * (FRAME + 32));
      assertArrayEquals(Arrays.copyOf(first, firstTwoFrames.length), firstTwoFrames);
      IOException e = assertThrows(IOException.class, retry::readAllBytes);
      assertTrue(e.getMessage().contains("different plaintext"), e.getMessage());
    }
  }

  @Test
  void partsWithWrongLengthsAreRefused() {
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, 4 * FRAME)) {
      assertThrows(IllegalArgumentException.class,
          () -> parts.encryptPart(1, new ByteArrayInputStream(new byte[10]), 10, false));
      InputStream shortSource = parts.encryptPart(1, new ByteArrayInputStream(new byte[10]), 4 * FRAME, false);
      IOException e = assertThrows(IOException.class, shortSource::readAllBytes);
      assertTrue(e.getMessage().contains("ended after 10"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> envelope.partedEncryption(CONTEXT, FRAME + 1));
    Envelope signed = envelope.toBuilder().suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).build();
    assertThrows(PolicyViolationException.class, () -> signed.partedEncryption(CONTEXT, FRAME));
  }

  @Test
  void closingAPartClosesItsSource() throws IOException {
    boolean[] closed = {false};
    InputStream source = new ByteArrayInputStream(new byte[FRAME]) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, FRAME)) {
      parts.encryptPart(1, source, FRAME, true).close();
    }
    assertTrue(closed[0], "a part's source (a file, say) must not leak when the part's stream is closed");
  }

  @Test
  void everyRangeOfEverySizeDecryptsToThePlaintext() throws IOException {
    Random random = new Random(3);
    for (int size : new int[] {1, FRAME - 1, FRAME, FRAME + 1, 5 * FRAME, 5 * FRAME + 333}) {
      byte[] plaintext = random(size, size);
      byte[] message = envelope.encrypt(plaintext, CONTEXT);
      List<long[]> ranges = new ArrayList<>(List.of(new long[] {0, 0}, new long[] {size - 1, size - 1},
          new long[] {0, size - 1}, new long[] {0, Long.MAX_VALUE}));
      for (int i = 0; i < 40; i++) {
        long a = random.nextInt(size);
        ranges.add(new long[] {a, a + random.nextInt(3 * FRAME)});
      }
      try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
        assertEquals(size, ranged.plaintextLength(message.length));
        for (long[] r : ranges) {
          RangeDecryptor.Span span = ranged.span(r[0], r[1], message.length);
          InputStream ct = new ByteArrayInputStream(message, (int) span.ciphertextStart(),
              (int) (span.ciphertextEnd() - span.ciphertextStart() + 1));
          byte[] got = ranged.decrypt(ct, span).readAllBytes();
          int to = (int) Math.min(r[1], size - 1) + 1;
          assertArrayEquals(Arrays.copyOfRange(plaintext, (int) r[0], to), got, size + ": " + r[0] + "-" + r[1]);
        }
      }
    }
  }

  @Test
  void tamperedFrameInRangeFailsAndIsAudited() throws IOException {
    byte[] plaintext = random(4 * FRAME, 9);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    audit.clear();
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      RangeDecryptor.Span span = ranged.span(FRAME + 10, FRAME + 20, message.length);
      message[(int) span.ciphertextStart() + 40] ^= 1;
      InputStream ct = new ByteArrayInputStream(message, (int) span.ciphertextStart(),
          (int) (span.ciphertextEnd() - span.ciphertextStart() + 1));
      assertThrows(AuthenticationFailedException.class, () -> ranged.decrypt(ct, span).readAllBytes());
    }
    assertEquals(1, audit.events().size());
    assertEquals(AuditEvent.Outcome.FAILURE, audit.events().get(0).outcome());
  }

  @Test
  void wrongContextOrSignedMessageCannotBeRanged() throws IOException {
    byte[] message = envelope.encrypt(random(100, 1), CONTEXT);
    assertThrows(EncryptionContextMismatchException.class,
        () -> envelope.rangeDecryptor(new ByteArrayInputStream(message), Map.of("key", "other")));
    Envelope signed = envelope.toBuilder().suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).build();
    byte[] signedMessage = signed.encrypt(random(100, 1), CONTEXT);
    try (RangeDecryptor ranged = signed.rangeDecryptor(new ByteArrayInputStream(signedMessage), CONTEXT)) {
      assertEquals(false, ranged.supportsRanges());
      assertThrows(PolicyViolationException.class, () -> ranged.span(0, 1, signedMessage.length));
    }
  }

  @Test
  void spansDecryptOnManyThreadsAtOnceWithOneAuditEvent() throws Exception {
    byte[] plaintext = random(64 * FRAME + 77, 12);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    audit.clear();
    int threads = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
      List<java.util.concurrent.Future<Long>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        done.add(pool.submit(() -> {
          together.await(); // all threads decrypt at once, each its own spans
          Random random = new Random(seed);
          long released = 0;
          for (int i = 0; i < 50; i++) {
            long a = random.nextInt(plaintext.length);
            long b = Math.min(plaintext.length - 1, a + random.nextInt(4 * FRAME));
            RangeDecryptor.Span span = ranged.span(a, b, message.length);
            InputStream ct = new ByteArrayInputStream(message, (int) span.ciphertextStart(),
                (int) (span.ciphertextEnd() - span.ciphertextStart() + 1));
            byte[] got = ranged.decrypt(ct, span).readAllBytes();
            assertArrayEquals(Arrays.copyOfRange(plaintext, (int) a, (int) b + 1), got, a + "-" + b);
            released += got.length;
          }
          return released;
        }));
      }
      long total = 0;
      for (java.util.concurrent.Future<Long> f : done) {
        total += f.get();
      }
      assertTrue(audit.events().isEmpty(), "the event comes at close");
      ranged.close();
      assertEquals(1, audit.events().size());
      assertEquals(total, audit.events().get(0).byteCount(), "every thread's bytes are counted");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFrameFailingOnOneThreadStopsTheOthersWithItsError() throws IOException {
    byte[] plaintext = random(8 * FRAME, 13);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    audit.clear();
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      RangeDecryptor.Span good = ranged.span(0, 4 * FRAME - 1, message.length);
      RangeDecryptor.Span bad = ranged.span(4 * FRAME, 8 * FRAME - 1, message.length);
      InputStream goodStream = ranged.decrypt(new ByteArrayInputStream(message, (int) good.ciphertextStart(),
          (int) (good.ciphertextEnd() - good.ciphertextStart() + 1)), good);
      assertEquals(FRAME, goodStream.readNBytes(FRAME).length); // one frame released before the other fails
      byte[] tampered = message.clone();
      tampered[(int) bad.ciphertextStart() + 40] ^= 1;
      AuthenticationFailedException first = assertThrows(AuthenticationFailedException.class,
          () -> ranged.decrypt(new ByteArrayInputStream(tampered, (int) bad.ciphertextStart(),
              (int) (bad.ciphertextEnd() - bad.ciphertextStart() + 1)), bad).readAllBytes());
      assertEquals(first, ranged.failure().orElseThrow());
      IOException later = assertThrows(IOException.class, goodStream::readAllBytes);
      assertEquals(first, later.getCause(), "the stream still open reports the first failure");
      assertThrows(IllegalStateException.class, () -> ranged.span(0, 1, message.length));
    }
    assertEquals(1, audit.events().size());
    assertEquals(AuditEvent.Outcome.FAILURE, audit.events().get(0).outcome());
    assertEquals(FRAME, audit.events().get(0).byteCount());
  }

  @Test
  void abortRecordsAFailureWithTheBytesSoFar() throws IOException {
    byte[] message = envelope.encrypt(random(4 * FRAME, 14), CONTEXT);
    audit.clear();
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      RangeDecryptor.Span span = ranged.span(0, FRAME - 1, message.length);
      ranged.decrypt(new ByteArrayInputStream(message, (int) span.ciphertextStart(),
          (int) (span.ciphertextEnd() - span.ciphertextStart() + 1)), span).readAllBytes();
      ranged.abort(new IOException("the download stopped"));
      assertTrue(ranged.failure().isEmpty(), "no frame failed");
    }
    assertEquals(1, audit.events().size());
    assertEquals(AuditEvent.Outcome.FAILURE, audit.events().get(0).outcome());
    assertEquals("IOException", audit.events().get(0).errorClass().orElseThrow());
    assertEquals(FRAME, audit.events().get(0).byteCount());
  }

  /** Part {@code p} of {@code plaintext} (parts of {@code partLength}), encrypted by {@code parts}. */
  private static byte[] part(PartedEncryption parts, byte[] plaintext, int p, int partLength) throws IOException {
    int count = Math.max(1, (plaintext.length + partLength - 1) / partLength);
    int from = (p - 1) * partLength;
    int len = Math.min(partLength, plaintext.length - from);
    return parts.encryptPart(p, new ByteArrayInputStream(plaintext, from, len), len, p == count).readAllBytes();
  }

  @Test
  void anotherProcessResumesFromTheHeaderAndTheMessageIsOne() throws IOException {
    int partLength = 4 * FRAME;
    byte[] plaintext = random(5 * partLength + 123, 21);
    byte[] header;
    byte[][] out = new byte[7][];
    byte[][] firstTags = new byte[7][];
    byte[][] digests = new byte[7][];
    try (PartedEncryption first = envelope.partedEncryption(CONTEXT, partLength)) {
      header = first.header();
      for (int p = 1; p <= 3; p++) { // the first process sends parts 1 to 3, then dies
        out[p] = part(first, plaintext, p, partLength);
        firstTags[p] = first.firstFrameTag(p).orElseThrow();
        digests[p] = first.partDigest(p).orElseThrow();
      }
      assertTrue(first.partDigest(4).isEmpty(), "no digest before a part was encrypted whole");
    }
    audit.clear();
    try (PartedEncryption resumed = envelope.resumePartedEncryption(header, CONTEXT, partLength)) {
      assertArrayEquals(header, resumed.header());
      for (int p = 1; p <= 3; p++) {
        resumed.expectFirstFrameTag(p, firstTags[p]);
      }
      byte[] again = part(resumed, plaintext, 2, partLength); // a part kept: proven to come from this plaintext
      assertArrayEquals(out[2], again, "same key, same message id, same plaintext: the same bytes");
      assertArrayEquals(digests[2], resumed.partDigest(2).orElseThrow());
      for (int p = 4; p <= 6; p++) {
        out[p] = part(resumed, plaintext, p, partLength);
      }
      resumed.complete();
    }
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    for (int p = 1; p <= 6; p++) {
      message.write(out[p]);
    }
    assertArrayEquals(plaintext, envelope.decrypt(message.toByteArray(), CONTEXT).plaintext());
    AuditEvent resumedEvent = audit.events().get(0);
    assertEquals(AuditEvent.Operation.ENCRYPT, resumedEvent.operation());
    assertEquals(AuditEvent.Outcome.SUCCESS, resumedEvent.outcome());
    assertEquals(plaintext.length - 3L * partLength + partLength, resumedEvent.byteCount(), "parts 2, 4, 5, 6");
  }

  @Test
  void aResumedPartFromOtherPlaintextIsRefusedBeforeAByteOfItIsReleased() throws IOException {
    int partLength = 2 * FRAME;
    byte[] plaintext = random(3 * partLength, 22);
    byte[] header;
    byte[] tag;
    byte[] digest;
    try (PartedEncryption first = envelope.partedEncryption(CONTEXT, partLength)) {
      header = first.header();
      part(first, plaintext, 2, partLength);
      tag = first.firstFrameTag(2).orElseThrow();
      digest = first.partDigest(2).orElseThrow();
    }
    byte[] changed = plaintext.clone();
    changed[partLength + 7] ^= 1; // the first frame of part 2
    try (PartedEncryption resumed = envelope.resumePartedEncryption(header, CONTEXT, partLength)) {
      resumed.expectFirstFrameTag(2, tag);
      InputStream ciphertext = resumed.encryptPart(2, new ByteArrayInputStream(changed, partLength, partLength),
          partLength, false);
      IOException e = assertThrows(IOException.class, () -> ciphertext.read(new byte[1]));
      assertTrue(e.getMessage().startsWith("Part 2 (frame 3) read different plaintext than its first attempt"),
          e.getMessage());
      byte[] laterFrame = plaintext.clone();
      laterFrame[2 * partLength + FRAME + 7] ^= 1; // part 3's second frame: only the digest tells
      part(resumed, laterFrame, 3, partLength);
      try (PartedEncryption other = envelope.resumePartedEncryption(header, CONTEXT, partLength)) {
        part(other, plaintext, 3, partLength);
        assertTrue(!Arrays.equals(other.partDigest(3).orElseThrow(), resumed.partDigest(3).orElseThrow()));
      }
      assertTrue(!Arrays.equals(digest, resumed.partDigest(3).orElseThrow()));
      assertThrows(IllegalStateException.class, () -> resumed.expectFirstFrameTag(3, new byte[16]));
    }
  }

  @Test
  void aResumeNeedsTheSameContextAnIntactHeaderAndAFittingPartLength() {
    byte[] header;
    try (PartedEncryption first = envelope.partedEncryption(CONTEXT, 2 * FRAME)) {
      header = first.header();
    }
    assertThrows(EnvelopeException.class, () -> envelope.resumePartedEncryption(header, Map.of("bucket", "b",
        "key", "other"), 2 * FRAME).close());
    byte[] tampered = header.clone();
    tampered[tampered.length - 1] ^= 1; // the header tag
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> envelope.resumePartedEncryption(tampered, CONTEXT, 2 * FRAME).close());
    assertTrue(e.getMessage().startsWith("Header authentication failed"), e.getMessage());
    byte[] longer = Arrays.copyOf(header, header.length + 1);
    assertThrows(IllegalArgumentException.class, () -> envelope.resumePartedEncryption(longer, CONTEXT, 2 * FRAME));
    assertThrows(IllegalArgumentException.class,
        () -> envelope.resumePartedEncryption(header, CONTEXT, 2 * FRAME + 1));
    assertThrows(MalformedMessageException.class,
        () -> envelope.resumePartedEncryption(Arrays.copyOf(header, 20), CONTEXT, 2 * FRAME));
  }
}
