package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.envelope.core.keyring.RawAesKeyring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Messages share one AES-GCM cipher, HMAC and digest per thread ({@code JcaPerThread}). Streams hold a message open
 * across calls, so this interleaves them with other messages under other keys on the same thread, and moves them
 * between threads half way: every message must still decrypt to its own plaintext.
 */
class SharedCipherInterleavingTest {
  private static final Map<String, String> CONTEXT = Map.of("purpose", "interleaving");

  private static Envelope envelope(RawAesKeyring keyring, AlgorithmSuite suite) {
    return Envelope.builder().keyring(keyring).suite(suite).frameLength(128)
        .commitmentPolicy(suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
  }

  @Test
  void streamsInterleavedWithOtherMessagesOnOneThreadStayIntact() throws Exception {
    Envelope streaming = envelope(TestKeyrings.aes(), AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    Envelope other = envelope(RawAesKeyring.builder().keyNamespace("other").keyName("k")
        .wrappingKey(TestKeyrings.bytes(32, 99)).build(), AlgorithmSuite.AES_128_GCM_IV12_TAG16_HKDF_SHA256);
    byte[] plaintext = TestKeyrings.bytes(5000, 1);
    byte[] otherPlaintext = TestKeyrings.bytes(700, 2);
    byte[] otherMessage = other.encrypt(otherPlaintext, CONTEXT);

    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (EncryptingOutputStream out = streaming.encryptingStream(sink, CONTEXT)) {
      for (int offset = 0; offset < plaintext.length; offset += 300) {
        out.write(plaintext, offset, Math.min(300, plaintext.length - offset));
        // Between two writes of the stream (each seals frames), whole messages under other keys.
        assertArrayEquals(otherPlaintext, other.decrypt(other.encrypt(otherPlaintext, CONTEXT), CONTEXT)
            .plaintext());
      }
    }
    byte[] message = sink.toByteArray();

    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (InputStream in = streaming.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      byte[] buffer = new byte[200];
      for (int n; (n = in.read(buffer)) > 0; ) {
        read.write(buffer, 0, n);
        assertArrayEquals(otherPlaintext, other.decrypt(otherMessage, CONTEXT).plaintext());
      }
    }
    assertArrayEquals(plaintext, read.toByteArray());
  }

  @Test
  void aStreamMovedBetweenThreadsHalfWayStaysIntact() throws Exception {
    Envelope envelope = envelope(TestKeyrings.aes(), AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    byte[] plaintext = TestKeyrings.bytes(3000, 3);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      EncryptingOutputStream out = envelope.encryptingStream(sink, CONTEXT);
      out.write(plaintext, 0, 1000);
      other.submit(() -> {
        out.write(plaintext, 1000, 1000);
        envelope.encrypt(plaintext, CONTEXT); // the other thread's cipher now holds another key
        return null;
      }).get();
      out.write(plaintext, 2000, 1000);
      out.close();
    } finally {
      other.shutdown();
    }
    assertArrayEquals(plaintext, envelope.decrypt(sink.toByteArray(), CONTEXT).plaintext());
  }
}
