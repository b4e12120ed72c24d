package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.core.materials.RequiredEncryptionContextMaterialsManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Envelope#rewrapHeader}: new wrapping keys, the body untouched, and every refusal with its reason. */
class RewrapHeaderTest {
  private static final Keyring OLD = TestKeyrings.aes("ns", "old", TestKeyrings.bytes(32, 1));
  private static final Keyring NEW = TestKeyrings.aes("ns", "new", TestKeyrings.bytes(32, 2));
  private static final Keyring OTHER = TestKeyrings.aes("ns", "other", TestKeyrings.bytes(32, 3));
  private static final Map<String, String> CONTEXT = Map.of("order", "42", "\u00fcber", "\uD83D\uDD11");

  private static Envelope envelope(Keyring keyring) {
    return Envelope.builder().keyring(keyring).suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
        .frameLength(4096).build();
  }

  private static byte[] joined(RewrappedHeader header, byte[] original) {
    byte[] body = Arrays.copyOfRange(original, header.originalHeaderLength(), original.length);
    return ByteBuffer.allocate(header.header().length + body.length).put(header.header()).put(body).array();
  }

  @Test
  void theRewrappedMessageDecryptsWithTheNewKeyOnlyAndKeepsItsBodyAndId() throws IOException {
    byte[] plaintext = TestKeyrings.bytes(5 * 4096 + 100, 9);
    byte[] original = envelope(OLD).encrypt(plaintext, CONTEXT);
    RewrappedHeader header = envelope(OLD).rewrapHeader(new ByteArrayInputStream(original), NEW, CONTEXT);
    byte[] rewrapped = joined(header, original);

    DecryptResult result = envelope(NEW).decrypt(rewrapped, CONTEXT);
    assertArrayEquals(plaintext, result.plaintext());
    assertEquals(List.of("ns/new"), result.wrappingKeyIds());
    assertEquals(List.of("ns/old"), header.previousWrappingKeyIds());
    assertEquals(List.of("ns/new"), header.wrappingKeyIds());
    assertArrayEquals(envelope(OLD).decrypt(original).messageId(), result.messageId());
    assertArrayEquals(Arrays.copyOfRange(original, header.originalHeaderLength(), original.length),
        Arrays.copyOfRange(rewrapped, header.header().length, rewrapped.length));
    NoKeyringCouldDecryptException oldKey = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope(OLD).decrypt(rewrapped));
    assertTrue(oldKey.getMessage().contains("ns/old"), oldKey.getMessage());
  }

  @Test
  void aStreamedDecryptAndARangeReadTheRewrappedMessage() throws IOException {
    byte[] plaintext = TestKeyrings.bytes(3 * 4096, 10);
    byte[] original = envelope(OLD).encrypt(plaintext, Map.of());
    byte[] rewrapped = joined(envelope(OLD).rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of()),
        original);
    assertArrayEquals(plaintext, envelope(NEW).decryptingStream(new ByteArrayInputStream(rewrapped)).readAllBytes());
  }

  @Test
  void severalNewKeysAndAMessageRewrappedTwice() throws IOException {
    byte[] plaintext = TestKeyrings.bytes(1000, 11);
    byte[] original = envelope(OLD).encrypt(plaintext, CONTEXT);
    Keyring both = MultiKeyring.ofChildren(List.of(NEW, OTHER)); // no generator: the data key exists
    byte[] once = joined(envelope(OLD).rewrapHeader(new ByteArrayInputStream(original), both, Map.of()), original);
    assertArrayEquals(plaintext, envelope(OTHER).decrypt(once).plaintext());
    assertArrayEquals(plaintext, envelope(NEW).decrypt(once).plaintext());
    byte[] twice = joined(envelope(OTHER).rewrapHeader(new ByteArrayInputStream(once), OLD, Map.of()), once);
    assertArrayEquals(plaintext, envelope(OLD).decrypt(twice, CONTEXT).plaintext());
    assertThrows(NoKeyringCouldDecryptException.class, () -> envelope(NEW).decrypt(twice));
  }

  @Test
  void contextAuthenticatedButNotStoredIsKeptAuthenticated() throws IOException {
    Envelope required = Envelope.builder().materialsManager(RequiredEncryptionContextMaterialsManager.create(
        DefaultMaterialsManager.create(OLD), Set.of("order"))).build();
    byte[] original = Envelope.builder().materialsManager(RequiredEncryptionContextMaterialsManager.create(
        DefaultMaterialsManager.create(OLD), Set.of("order"))).suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
        .build().encrypt("secret".getBytes(), CONTEXT);
    assertThrows(EncryptionContextMismatchException.class,
        () -> required.rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of()));
    byte[] rewrapped = joined(required.rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of("order", "42")),
        original);
    assertEquals("secret", new String(envelope(NEW).decrypt(rewrapped, Map.of("order", "42")).plaintext()));
    // the raw AES keyring binds the whole context to the wrapped key: without "order", or with another value,
    // the new key cannot unwrap it either
    assertThrows(NoKeyringCouldDecryptException.class, () -> envelope(NEW).decrypt(rewrapped));
    assertThrows(NoKeyringCouldDecryptException.class, () -> envelope(NEW).decrypt(rewrapped, Map.of("order", "43")));
  }

  @Test
  void aSignedMessageIsRefusedWithTheReason() {
    byte[] signed = Envelope.builder().keyring(OLD).build().encrypt(new byte[10], Map.of());
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> envelope(OLD).rewrapHeader(new ByteArrayInputStream(signed), NEW, Map.of()));
    assertTrue(e.getMessage().contains("signed suite") && e.getMessage().contains("re-encrypted"), e.getMessage());
  }

  @Test
  void aNonCommittingMessageIsRefusedUnlessThePolicyAllowsWritingItAndGetsAFreshHeaderIv() throws IOException {
    Envelope legacy = Envelope.builder().keyring(OLD).suite(AlgorithmSuite.AES_256_GCM_IV12_TAG16_HKDF_SHA256)
        .commitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
    byte[] original = legacy.encrypt(TestKeyrings.bytes(9000, 4), CONTEXT);
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> Envelope.builder().keyring(OLD)
        .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build()
        .rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of()));
    assertTrue(e.getMessage().contains("re-encrypt"), e.getMessage());
    RewrappedHeader header = legacy.rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of());
    byte[] rewrapped = joined(header, original);
    // version 1 stores its header IV: the new header has a fresh one, so no AES-GCM IV is used twice
    int oldIv = header.originalHeaderLength() - 28;
    int newIv = header.header().length - 28;
    assertFalse(Arrays.equals(Arrays.copyOfRange(original, oldIv, oldIv + 12),
        Arrays.copyOfRange(rewrapped, newIv, newIv + 12)));
    Envelope reader = legacy.toBuilder().keyring(NEW).build();
    assertArrayEquals(TestKeyrings.bytes(9000, 4), reader.decrypt(rewrapped, CONTEXT).plaintext());
  }

  @Test
  void theWrongKeyATamperedHeaderAndATruncatedHeaderFailWithTheirOwnErrors() throws IOException {
    byte[] original = envelope(OLD).encrypt(new byte[100], CONTEXT);
    assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope(OTHER).rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of()));
    int headerLength = envelope(OLD).rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of())
        .originalHeaderLength();
    byte[] tampered = original.clone();
    tampered[headerLength - 16 - 32 - 1] ^= 1; // the frame length: bound by nothing but the header tag
    assertThrows(AuthenticationFailedException.class,
        () -> envelope(OLD).rewrapHeader(new ByteArrayInputStream(tampered), NEW, Map.of()));
    assertThrows(EncryptionContextMismatchException.class,
        () -> envelope(OLD).rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of("order", "43")));
    MalformedMessageException truncated = assertThrows(MalformedMessageException.class,
        () -> envelope(OLD).rewrapHeader(new ByteArrayInputStream(Arrays.copyOf(original, 60)), NEW, Map.of()));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    assertThrows(MalformedMessageException.class,
        () -> envelope(OLD).rewrapHeader(new ByteArrayInputStream("not a message".getBytes()), NEW, Map.of()));
  }

  @Test
  void oneAuditEventNamesBothKeysAndNoKeyMaterial() throws IOException {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    byte[] original = envelope(OLD).encrypt(new byte[100], CONTEXT);
    RewrappedHeader header = envelope(OLD).toBuilder().auditSink(sink).resource("s3://bucket/key").build()
        .rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of());
    AuditEvent event = sink.events().get(0);
    assertEquals(1, sink.events().size());
    assertEquals(AuditEvent.Operation.REWRAP, event.operation());
    assertEquals(AuditEvent.Outcome.SUCCESS, event.outcome());
    assertEquals(List.of("ns/old", "ns/new"), event.wrappingKeyIds());
    assertEquals("s3://bucket/key", event.resource().orElseThrow());
    assertEquals(CONTEXT.keySet(), event.encryptionContext().keySet()); // values hashed by default
    String text = event.toString() + header;
    assertFalse(text.contains(HexFormat.of().formatHex(TestKeyrings.bytes(32, 1))));

    assertThrows(NoKeyringCouldDecryptException.class, () -> envelope(OTHER).toBuilder().auditSink(sink).build()
        .rewrapHeader(new ByteArrayInputStream(original), NEW, Map.of()));
    assertEquals(AuditEvent.Outcome.FAILURE, sink.events().get(1).outcome());
  }
}
