package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RsaPadding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeRoundTripTest {
  private static final int FRAME = 128;
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "purpose", "test", "ünï", "çødé");

  static Stream<Arguments> suitesAndSizes() {
    return Stream.of(AlgorithmSuite.values()).flatMap(suite -> Stream.of(0, 1, FRAME - 1, FRAME, FRAME + 1,
        3 * FRAME, 10_000).map(size -> Arguments.of(suite, size)));
  }

  private static Envelope envelope(AlgorithmSuite suite, Keyring keyring) {
    return Envelope.builder().keyring(keyring).suite(suite).frameLength(FRAME)
        .commitmentPolicy(suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  @ParameterizedTest
  @MethodSource("suitesAndSizes")
  void encryptThenDecryptReturnsPlaintextAndContext(AlgorithmSuite suite, int size) {
    Envelope envelope = envelope(suite, TestKeyrings.aes());
    byte[] plaintext = TestKeyrings.bytes(size, size);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    DecryptResult result = envelope.decrypt(message, CONTEXT);
    assertArrayEquals(plaintext, result.plaintext());
    assertEquals(suite, result.suite());
    assertEquals(List.of("test-namespace/test-key"), result.wrappingKeyIds());
    for (Map.Entry<String, String> e : CONTEXT.entrySet()) {
      assertEquals(e.getValue(), result.encryptionContext().get(e.getKey()));
    }
    assertEquals(suite.isSigned(), result.encryptionContext().containsKey("aws-crypto-public-key"));
  }

  @ParameterizedTest
  @MethodSource("suitesAndSizes")
  void streamsOneByteAtATimeMatchArrayApi(AlgorithmSuite suite, int size) throws IOException {
    Envelope envelope = envelope(suite, TestKeyrings.aes());
    byte[] plaintext = TestKeyrings.bytes(size, size);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = envelope.encryptingStream(sink, CONTEXT)) {
      for (byte b : plaintext) {
        out.write(b);
      }
    }
    assertArrayEquals(plaintext, envelope.decrypt(sink.toByteArray()).plaintext());

    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (InputStream in = envelope.decryptingStream(new OneByteAtATime(message), CONTEXT)) {
      int b;
      while ((b = in.read()) >= 0) {
        read.write(b);
      }
    }
    assertArrayEquals(plaintext, read.toByteArray());
  }

  @ParameterizedTest
  @EnumSource(value = RsaPadding.class, names = "OAEP.*", mode = EnumSource.Mode.MATCH_ANY)
  void rsaKeyringRoundTrips(RsaPadding padding) {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.rsa(padding)).build();
    byte[] plaintext = TestKeyrings.bytes(5000, 1);
    assertArrayEquals(plaintext, envelope.decrypt(envelope.encrypt(plaintext, CONTEXT)).plaintext());
  }

  @Test
  void multiKeyringEachKeyringDecryptsAlone() {
    Keyring a = TestKeyrings.aes("ns", "a", TestKeyrings.bytes(32, 1));
    Keyring b = TestKeyrings.rsa(RsaPadding.OAEP_SHA256_MGF1);
    Envelope both = Envelope.builder().keyring(MultiKeyring.create(a, List.of(b))).build();
    byte[] message = both.encrypt(new byte[] {1, 2, 3}, CONTEXT);
    assertArrayEquals(new byte[] {1, 2, 3}, Envelope.builder().keyring(a).build().decrypt(message).plaintext());
    DecryptResult viaB = Envelope.builder().keyring(b).build().decrypt(message);
    assertEquals(List.of("test-rsa/rsa-2048"), viaB.wrappingKeyIds());
  }

  @Test
  void decryptWithWrongKeyThrowsNoKeyringCouldDecryptNamingTheKey() {
    byte[] message = Envelope.builder().keyring(TestKeyrings.aes()).build().encrypt(new byte[10], CONTEXT);
    Envelope other = Envelope.builder()
        .keyring(TestKeyrings.aes("test-namespace", "test-key", TestKeyrings.bytes(32, 99))).build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> other.decrypt(message));
    assertEquals("test-namespace/test-key", e.attempts().get(0).keyId());
    assertTrue(e.getMessage().contains("AES-GCM unwrap failed"), e.getMessage());
  }

  @Test
  void decryptWithWrongExpectedContextThrowsMismatch() {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).build();
    byte[] message = envelope.encrypt(new byte[10], CONTEXT);
    EncryptionContextMismatchException e = assertThrows(EncryptionContextMismatchException.class,
        () -> envelope.decrypt(message, Map.of("tenant", "evil")));
    assertTrue(e.getMessage().contains("'tenant'"), e.getMessage());
    assertTrue(!e.getMessage().contains("acme") && !e.getMessage().contains("evil"), e.getMessage());
    assertThrows(EncryptionContextMismatchException.class,
        () -> envelope.decrypt(message, Map.of("missing", "x")));
  }

  @Test
  void encryptWithReservedContextKeyThrowsPolicyViolation() {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).build();
    assertThrows(PolicyViolationException.class,
        () -> envelope.encrypt(new byte[1], Map.of("aws-crypto-public-key", "x")));
  }

  /** An input stream that returns one byte per read: frame boundaries fall everywhere. */
  static final class OneByteAtATime extends InputStream {
    private final ByteArrayInputStream in;

    OneByteAtATime(byte[] bytes) {
      in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return len == 0 ? 0 : in.read(b, off, 1);
    }
  }
}
