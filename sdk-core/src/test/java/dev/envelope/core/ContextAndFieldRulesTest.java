package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Regressions from the outside review: contexts no other ESDK can read (empty keys or values, entries past the
 * ESDK for Java's 32,767 bytes, unpaired surrogates) are refused on encrypt, and messages carrying empty ones on
 * decrypt, as every ESDK does; a provider id that is not UTF-8 is a malformed message through every decrypt API,
 * never an {@link IllegalArgumentException}.
 */
class ContextAndFieldRulesTest {
  private final InMemoryAuditSink audit = new InMemoryAuditSink();
  private final Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).auditSink(audit)
      .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();

  private static final String PORTABILITY = "the AWS Encryption SDK refuses empty keys and values on encrypt and on "
      + "decrypt, so no other implementation could read the message";

  @Test
  void emptyKeysAndValuesAreRefusedOnEncryptThroughEveryApi() {
    assertRefused("Encryption context key 'tenant' has an empty value: " + PORTABILITY, Map.of("tenant", ""));
    assertRefused("Encryption context has an empty key: " + PORTABILITY, Map.of("", "acme"));
    assertRefused("Encryption context has an empty key: " + PORTABILITY, Map.of("", ""));
  }

  @Test
  void entriesThatTheEsdkForJavaCannotReadAreRefused() {
    envelope.encrypt(new byte[1], Map.of("k", "x".repeat(32767))); // the longest every ESDK reads
    assertRefused("Encryption context key 'k' has a value of 32768 bytes (UTF-8); the AWS Encryption SDK for Java "
        + "reads keys and values of at most 32767 bytes", Map.of("k", "x".repeat(32768)));
    assertRefused("Encryption context key 'k' has a value of 32769 bytes (UTF-8); the AWS Encryption SDK for Java "
        + "reads keys and values of at most 32767 bytes", Map.of("k", "\u00e9".repeat(16384) + "x"));
    assertRefused("Encryption context key '" + "y".repeat(64) + "...' has a key of 40000 bytes (UTF-8); the AWS "
        + "Encryption SDK for Java reads keys and values of at most 32767 bytes", Map.of("y".repeat(40000), "v"));
  }

  @Test
  void unpairedSurrogatesHaveNoUtf8FormAndAreRefused() {
    assertRefused("Encryption context key 'k' has a value that is not valid Unicode (it holds an unpaired "
        + "surrogate), so it has no UTF-8 form to store", Map.of("k", "a\uD800b"));
    assertRefused("Encryption context key is not valid Unicode (it holds an unpaired surrogate), so it has no UTF-8 "
        + "form to store", Map.of("\uDC00", "v"));
    Map<String, String> paired = Map.of("\uD83D\uDD11 key", "v\u00e4lue \uD83D\uDD12");
    assertEquals(paired, envelope.decrypt(envelope.encrypt(new byte[3], paired), paired).encryptionContext());
  }

  private void assertRefused(String message, Map<String, String> context) {
    int before = audit.events().size();
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> envelope.encrypt(new byte[3], context));
    assertEquals(message, e.getMessage());
    assertEquals(message, assertThrows(PolicyViolationException.class,
        () -> envelope.encryptingStream(new ByteArrayOutputStream(), context)).getMessage());
    assertEquals(message, assertThrows(PolicyViolationException.class,
        () -> envelope.partedEncryption(context, Envelope.DEFAULT_FRAME_LENGTH)).getMessage());
    assertEquals(before + 3, audit.events().size(), "each refusal is audited");
    audit.events().subList(before, before + 3).forEach(event ->
        assertEquals(AuditEvent.Outcome.FAILURE, event.outcome()));
  }

  @Test
  void anExpectedContextNoMessageCanHoldIsRefusedOnDecrypt() {
    byte[] message = envelope.encrypt(new byte[3], Map.of("tenant", "acme"));
    assertEquals("Encryption context key 'tenant' has an empty value: " + PORTABILITY,
        assertThrows(PolicyViolationException.class, () -> envelope.decrypt(message, Map.of("tenant", "")))
            .getMessage());
    assertThrows(PolicyViolationException.class, () -> envelope.decrypt(message, Map.of("big", "x".repeat(70000))));
  }

  /** A valid message with context {"k": "v"}, rewritten to {"k": ""}: parsing fails before any key is used. */
  @Test
  void messagesWithAnEmptyContextValueAreMalformedThroughEveryApi() {
    byte[] message = envelope.encrypt(new byte[100], Map.of("k", "v"));
    // v2 header: version(1) suite(2) messageId(32) aadLength(2) = 0x0008, then 0001 0001 'k' 0001 'v'
    int aad = 1 + 2 + 32;
    assertEquals(8, message[aad + 1]);
    byte[] forged = new byte[message.length - 1];
    System.arraycopy(message, 0, forged, 0, aad);
    forged[aad] = 0;
    forged[aad + 1] = 7;
    byte[] context = {0, 1, 0, 1, 'k', 0, 0};
    System.arraycopy(context, 0, forged, aad + 2, 7);
    System.arraycopy(message, aad + 2 + 8, forged, aad + 2 + 7, message.length - aad - 2 - 8);
    assertMalformedEverywhere("Encryption context has an empty value: the AWS Encryption SDK refuses such "
        + "messages, and so does this library", forged);
  }

  /**
   * A provider id of 65,535 bytes that are not UTF-8: lenient decoding turned each into U+FFFD (three bytes), and
   * the re-encoded id overflowed the format's 65,535, escaping as IllegalArgumentException.
   */
  @Test
  void aProviderIdThatIsNotUtf8IsMalformedThroughEveryApi() throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {2, 0x04, 0x78});
    header.write(new byte[32]);
    header.write(new byte[] {0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF});
    byte[] id = new byte[0xFFFF];
    Arrays.fill(id, (byte) 0xFF);
    header.write(id);
    header.write(new byte[] {0, 1, 'x', 0, 1, 'y', 2, 0, 0, 0x10, 0});
    header.write(new byte[32 + 16]);
    assertMalformedEverywhere("Encrypted data key provider id is not valid UTF-8", header.toByteArray());
  }

  private void assertMalformedEverywhere(String message, byte[] forged) {
    assertMalformed(message, () -> envelope.decrypt(forged));
    assertMalformed(message, () -> envelope.decryptingStream(new ByteArrayInputStream(forged)).readAllBytes());
    assertMalformed(message, () -> envelope.rangeDecryptor(new ByteArrayInputStream(forged), Map.of()));
  }

  private static void assertMalformed(String message, Executable call) {
    assertEquals(message, assertThrows(MalformedMessageException.class, call).getMessage());
  }

  @Test
  void validNonAsciiContextsStillRoundTripThroughTheStream() throws IOException {
    Map<String, String> context = Map.of("\u79df\u6237", "\u00e4\u00f6\u00fc", "k", "x".repeat(32767));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var stream = envelope.encryptingStream(out, context)) {
      stream.write(new byte[] {1, 2, 3});
    }
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(out.toByteArray()), context)) {
      assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
    }
  }
}
