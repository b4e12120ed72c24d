package dev.envelope.core.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.PartedEncryption;
import dev.envelope.core.RangeDecryptor;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sdk-core's streams, each through {@link StreamContract} over a source that gives short reads. */
class CoreStreamsContractTest {
  private static final Map<String, String> CONTEXT = Map.of("purpose", "stream-contract");
  private static final byte[] PLAINTEXT = TestKeyrings.bytes(10_000, 7);

  private static Envelope envelope(AlgorithmSuite suite) {
    return Envelope.builder().keyring(TestKeyrings.aes()).suite(suite).frameLength(1024).build();
  }

  @Test
  void decryptingStream() throws IOException {
    for (AlgorithmSuite suite : new AlgorithmSuite[] {AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384}) {
      Envelope envelope = envelope(suite);
      byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);
      StreamContract.check("decryptingStream " + suite, () -> envelope.decryptingStream(
          new StreamContract.ShortReads(new ByteArrayInputStream(message), 1), CONTEXT), PLAINTEXT);
    }
  }

  @Test
  void rangeDecryptorSpan() throws IOException {
    Envelope envelope = envelope(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);
    int first = 1500;
    int last = 8700;
    StreamContract.check("range span", () -> {
      RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT);
      RangeDecryptor.Span span = ranged.span(first, last, message.length);
      byte[] slice = Arrays.copyOfRange(message, (int) span.ciphertextStart(), (int) span.ciphertextEnd() + 1);
      return ranged.decrypt(new StreamContract.ShortReads(new ByteArrayInputStream(slice), 2), span);
    }, Arrays.copyOfRange(PLAINTEXT, first, last + 1));
  }

  @Test
  void partedEncryptionPart() throws IOException {
    Envelope envelope = envelope(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    try (PartedEncryption parts = envelope.partedEncryption(CONTEXT, 16 * 1024)) {
      byte[] expected;
      try (InputStream once = parts.encryptPart(1, new ByteArrayInputStream(PLAINTEXT), PLAINTEXT.length, true)) {
        expected = once.readAllBytes();
      }
      assertEquals(parts.encryptedLength(1, PLAINTEXT.length, true), expected.length);
      // A part re-read (as an SDK retry does) gives the same bytes, however it is read.
      StreamContract.check("encrypted part", () -> parts.encryptPart(1,
          new StreamContract.ShortReads(new ByteArrayInputStream(PLAINTEXT), 3), PLAINTEXT.length, true), expected);
      parts.complete();
    }
  }

  @Test
  void theBaseItself() throws IOException {
    StreamContract.check("ChunkInputStream", () -> new ChunkInputStream() {
      private final InputStream in = new StreamContract.ShortReads(new ByteArrayInputStream(PLAINTEXT), 4);

      @Override
      protected int readChunk(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }
    }, PLAINTEXT);
  }
}
