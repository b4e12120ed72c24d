package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: {@link RangeDecryptor} derived the final frame from the caller's message length, so an object cut
 * after a whole frame read {@code bytes=0-} as a shorter plaintext (with a false total), and {@code bytes=-N}
 * returned bytes that were not the last N. Every cut or extension at a frame boundary must now fail any span that
 * reaches the end, and spans short of the end still return only authentic bytes.
 */
class RangeTruncationTest {
  private static final int FRAME = 256;
  private static final Map<String, String> CONTEXT = Map.of("k", "v");
  private final Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).frameLength(FRAME)
      .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();

  private byte[] decryptRange(byte[] object, long first, long last) throws IOException {
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(object), CONTEXT)) {
      RangeDecryptor.Span span = ranged.span(first, last, object.length);
      InputStream ct = new ByteArrayInputStream(object, (int) span.ciphertextStart(),
          (int) (object.length - span.ciphertextStart()));
      try (InputStream in = ranged.decrypt(ct, span)) {
        return in.readAllBytes();
      }
    }
  }

  private int headerLength(byte[] message) throws IOException {
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      return ranged.headerLength();
    }
  }

  /**
   * The message as two parts, the second empty: whole regular frames, then an empty final frame (a layout other
   * ESDKs write when the plaintext ends on a frame boundary, and the one where a cut is hardest to see).
   */
  private byte[] encryptWithEmptyFinalFrame(byte[] plaintext) throws IOException {
    int whole = plaintext.length / FRAME * FRAME;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, whole)) {
      try (InputStream first = parts.encryptPart(1, new ByteArrayInputStream(plaintext, 0, whole), whole, false);
          InputStream last = parts.encryptPart(2, new ByteArrayInputStream(plaintext, whole,
              plaintext.length - whole), plaintext.length - whole, true)) {
        first.transferTo(out);
        last.transferTo(out);
      }
      parts.complete();
    }
    return out.toByteArray();
  }

  @Test
  void everyCutAtAFrameBoundaryFailsEveryRangeThatReachesTheEnd() throws IOException {
    for (byte[] plaintext : new byte[][] {TestKeyrings.bytes(5 * FRAME + 77, 1), TestKeyrings.bytes(5 * FRAME, 2)}) {
      for (byte[] message : new byte[][] {envelope.encrypt(plaintext, CONTEXT),
          encryptWithEmptyFinalFrame(plaintext)}) {
        assertArrayEquals(plaintext, decryptRange(message, 0, Long.MAX_VALUE));
        int header = headerLength(message);
        for (int frames = 1; header + (long) frames * (FRAME + 32) < message.length; frames++) {
          byte[] cut = Arrays.copyOf(message, header + frames * (FRAME + 32));
          long claimed = envelope.rangeDecryptor(new ByteArrayInputStream(cut), CONTEXT).plaintextLength(cut.length);
          MalformedMessageException e = assertThrows(MalformedMessageException.class,
              () -> decryptRange(cut, 0, Long.MAX_VALUE), "bytes=0- of a message cut after frame " + frames);
          assertTrue(e.getMessage().endsWith("the object was truncated or extended"), e.getMessage());
          assertThrows(MalformedMessageException.class, () -> decryptRange(cut, claimed - 7, claimed - 1),
              "bytes=-7 of a message cut after frame " + frames);
          // The derived final frame is the last whole one: any range touching it fails; one before it still
          // returns authentic bytes (and nothing claims the total).
          long lastFrameStart = (frames - 1L) * FRAME;
          assertThrows(MalformedMessageException.class, () -> decryptRange(cut, lastFrameStart, lastFrameStart));
          if (frames > 1) {
            assertArrayEquals(Arrays.copyOfRange(plaintext, 10, 20), decryptRange(cut, 10, 19));
          }
        }
      }
    }
  }

  @Test
  void theEmptyFinalFrameLayoutIsWhatTheHelperWrites() throws IOException {
    byte[] message = encryptWithEmptyFinalFrame(TestKeyrings.bytes(5 * FRAME, 2));
    assertEquals(headerLength(message) + 5 * (FRAME + 32) + 40, message.length);
    assertArrayEquals(TestKeyrings.bytes(5 * FRAME, 2), envelope.decrypt(message, CONTEXT).plaintext());
  }

  @Test
  void bytesAppendedAfterTheFinalFrameFailRangesThatReachTheEnd() throws IOException {
    byte[] plaintext = TestKeyrings.bytes(3 * FRAME + 5, 4);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    for (int extra : new int[] {1, 40, FRAME + 32, FRAME + 40}) {
      byte[] extended = Arrays.copyOf(message, message.length + extra);
      assertThrows(MalformedMessageException.class, () -> decryptRange(extended, 0, Long.MAX_VALUE),
          extra + " bytes appended");
    }
  }

  @Test
  void theFinalFrameMustHoldExactlyTheDerivedLength() throws IOException {
    // A genuine final frame cut short by a whole regular-frame's worth would need a different length field.
    byte[] plaintext = TestKeyrings.bytes(2 * FRAME + 100, 5);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    byte[] dropped = Arrays.copyOf(message, message.length - 50); // length no longer fits whole frames
    assertThrows(MalformedMessageException.class, () -> decryptRange(dropped, 0, Long.MAX_VALUE));
    assertEquals(2 * FRAME + 100, envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)
        .plaintextLength(message.length));
  }
}
