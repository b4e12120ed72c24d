package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: streaming decryption buffered a frame in 1 MiB steps (quadratic in the frame length) and took any
 * frame length a message declared. Frames over the configured maximum are now refused when the header is parsed,
 * before a frame buffer exists; frames under it decrypt through the stream with a doubling buffer.
 */
class FrameLengthLimitTest {
  private static final Map<String, String> CONTEXT = Map.of("k", "v");

  private static Envelope writer(int frameLength) {
    return Envelope.builder().keyring(TestKeyrings.aes()).frameLength(frameLength).maxFrameLength(frameLength)
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();
  }

  @Test
  void aFrameOverTheMaximumIsRefusedBeforeAnythingIsAllocated() throws IOException {
    byte[] header = writer(1 << 30).encrypt(new byte[0], CONTEXT); // declares 1 GiB frames, holds none
    Envelope reader = Envelope.builder().keyring(TestKeyrings.aes()).build();
    String expected = "Message frame length 1073741824 is over the configured maximum of 67108864 "
        + "(Envelope.Builder.maxFrameLength): a frame is held in memory whole before its tag is checked";
    // An endless stream after the header: a reader that trusted the declared length would wait or allocate.
    InputStream endless = new SequenceInputStream(new ByteArrayInputStream(header), InputStream.nullInputStream()) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        return n < 0 ? len : n;
      }
    };
    assertEquals(expected, assertThrows(PolicyViolationException.class,
        () -> reader.decryptingStream(endless, CONTEXT).read()).getMessage());
    assertEquals(expected, assertThrows(PolicyViolationException.class, () -> reader.decrypt(header, CONTEXT))
        .getMessage());
    assertEquals(expected, assertThrows(PolicyViolationException.class,
        () -> reader.rangeDecryptor(new ByteArrayInputStream(header), CONTEXT)).getMessage());
  }

  @Test
  void aWriterWhoseFramesItsOwnReaderWouldRefuseCannotBeBuilt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Envelope.builder()
        .keyring(TestKeyrings.aes()).frameLength(128 << 20).build());
    assertEquals("frameLength 134217728 is over maxFrameLength 67108864: this Envelope could not decrypt its own "
        + "messages; raise maxFrameLength", e.getMessage());
  }

  @Test
  void largeFramesUnderTheMaximumStreamCorrectly() throws IOException {
    int frame = 6 << 20;
    byte[] plaintext = TestKeyrings.bytes(2 * frame + 12345, 3);
    Envelope envelope = writer(frame);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertArrayEquals(plaintext, in.readAllBytes());
    }
  }
}
