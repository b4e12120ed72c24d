package dev.envelope.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.envelope.core.CountingKeyring;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.TestKeyrings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void noSinkEverSeesThePlaintextOrTheDataKey() throws IOException {
    String secret = "SECRET-" + UUID.randomUUID();
    byte[] plaintext = secret.getBytes(StandardCharsets.UTF_8);
    CountingKeyring keyring = new CountingKeyring(TestKeyrings.aes());
    ByteArrayOutputStream jsonLines = new ByteArrayOutputStream();
    CapturingLogger logger = new CapturingLogger();
    InMemoryAuditSink memory = new InMemoryAuditSink();
    try (JsonLinesAuditSink json = JsonLinesAuditSink.toStream(jsonLines)) {
      Envelope envelope = Envelope.builder().keyring(keyring)
          .auditSink(AuditSink.combine(json, Slf4jAuditSink.create(logger), memory))
          .resource("test://audit")
          .build();
      byte[] message = envelope.encrypt(plaintext, Map.of("tenant", "acme-corp"));
      envelope.decrypt(message, Map.of("tenant", "acme-corp"));
      try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message))) {
        in.readAllBytes();
      }
      try (OutputStream out = envelope.encryptingStream(new ByteArrayOutputStream(), Map.of())) {
        out.write(plaintext);
      }
    }
    byte[] dataKey = keyring.dataKeys().get(0);
    List<String> outputs = List.of(jsonLines.toString(StandardCharsets.UTF_8), String.join("\n", logger.lines),
        memory.events().toString());
    for (String output : outputs) {
      assertFalse(output.isEmpty());
      assertFalse(output.contains(secret), "plaintext in " + output);
      assertFalse(output.contains(Base64.getEncoder().encodeToString(dataKey)), "data key (base64) in audit");
      assertFalse(output.contains(HexFormat.of().formatHex(dataKey)), "data key (hex) in audit");
      assertFalse(output.contains(new String(dataKey, StandardCharsets.ISO_8859_1)), "data key (raw) in audit");
      assertFalse(output.contains("acme-corp"), "context value in clear although HASHED is the default");
    }
    assertEquals(4, memory.events().size());
    assertEquals(4, jsonLines.toString(StandardCharsets.UTF_8).lines().count());
    assertEquals(4, logger.lines.size());
  }

  @Test
  void jsonLineHoldsEveryFieldOfTheEvent() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).auditSink(JsonLinesAuditSink.toStream(out))
        .contextInAudit(ContextInAudit.PLAIN).build().withResource("s3://bucket/key");
    envelope.encrypt(new byte[123], Map.of("tenant", "acme"));
    JsonNode e = JSON.readTree(out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
    assertEquals("ENCRYPT", e.get("operation").asText());
    assertEquals("SUCCESS", e.get("outcome").asText());
    assertEquals("0x0578", e.get("suite").asText());
    assertEquals(44, e.get("messageId").asText().length(), "32-byte message id, base64");
    assertEquals("test-namespace/test-key", e.get("wrappingKeyIds").get(0).asText());
    assertEquals("acme", e.at("/encryptionContext/tenant").asText());
    assertFalse(e.get("encryptionContext").has("aws-crypto-public-key"));
    assertEquals(123, e.get("bytes").asLong());
    assertFalse(e.get("cacheHit").asBoolean());
    assertEquals(0, e.get("kmsCalls").asInt());
    assertTrue(e.get("durationMicros").asLong() >= 0);
    assertEquals("s3://bucket/key", e.get("resource").asText());
  }

  @Test
  void failedDecryptIsAuditedWithItsErrorClass() {
    InMemoryAuditSink memory = new InMemoryAuditSink();
    byte[] message = Envelope.builder().keyring(TestKeyrings.aes()).build().encrypt(new byte[3], Map.of());
    Envelope wrongKey = Envelope.builder().keyring(TestKeyrings.aes("test-namespace", "test-key",
        TestKeyrings.bytes(32, 5))).auditSink(memory).build();
    assertThrows(NoKeyringCouldDecryptException.class, () -> wrongKey.decrypt(message));
    assertThrows(EnvelopeException.class, () -> wrongKey.decrypt(new byte[] {1, 2, 3}));
    List<AuditEvent> events = memory.events();
    assertEquals(2, events.size());
    assertEquals(AuditEvent.Outcome.FAILURE, events.get(0).outcome());
    assertEquals("NoKeyringCouldDecryptException", events.get(0).errorClass().orElseThrow());
    assertEquals("0x0578", events.get(0).suite().orElseThrow());
    assertEquals("MalformedMessageException", events.get(1).errorClass().orElseThrow());
  }

  @Test
  void failingSinkFailsTheOperation() {
    AuditSink broken = event -> {
      throw new IllegalStateException("disk full");
    };
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).auditSink(broken).build();
    AuditSinkException e = assertThrows(AuditSinkException.class, () -> envelope.encrypt(new byte[1], Map.of()));
    assertTrue(e.getMessage().startsWith("Audit sink failed to record a successful ENCRYPT"), e.getMessage());
    assertTrue(e.getMessage().contains("itself completed"), e.getMessage());
    assertEquals("disk full", e.getCause().getMessage());
  }

  @Test
  void hashedContextIsStableAndKeysOnlyDropsValues() {
    InMemoryAuditSink hashed = new InMemoryAuditSink();
    InMemoryAuditSink keysOnly = new InMemoryAuditSink();
    Envelope.builder().keyring(TestKeyrings.aes()).auditSink(hashed).build()
        .encrypt(new byte[1], Map.of("tenant", "acme"));
    Envelope.builder().keyring(TestKeyrings.aes()).auditSink(keysOnly).contextInAudit(ContextInAudit.KEYS_ONLY)
        .build().encrypt(new byte[1], Map.of("tenant", "acme"));
    assertEquals("sha256:1f4a4bd3cc6bc38a9c2b5e4a5a9c8f1b".length(),
        hashed.events().get(0).encryptionContext().get("tenant").length());
    assertTrue(hashed.events().get(0).encryptionContext().get("tenant").startsWith("sha256:"));
    assertEquals(Map.of("tenant", ""), keysOnly.events().get(0).encryptionContext());
  }
}
