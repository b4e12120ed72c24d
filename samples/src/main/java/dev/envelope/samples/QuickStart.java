package dev.envelope.samples;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.DecryptResult;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.Envelope;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.audit.JsonLinesAuditSink;
import dev.envelope.core.cache.CachingMaterialsManager;
import dev.envelope.core.keyring.RawAesKeyring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

/**
 * Encrypt and decrypt with Envelope in one page: a raw AES keyring, an order document bound to its encryption
 * context, a stream, the caching materials manager, two failures a reader should recognise, and the audit trail
 * (also written as JSON Lines to {@code target/quickstart-audit.jsonl}).
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) throws IOException {
    run(System.out, Path.of("target", "quickstart-audit.jsonl"));
  }

  /** The whole example; returns the audit events it produced. */
  static InMemoryAuditSink run(PrintStream out, Path auditFile) throws IOException {
    // 1. A wrapping key. In production it lives in KMS or an HSM; here it is 32 random bytes.
    byte[] wrappingKey = new byte[32];
    new SecureRandom().nextBytes(wrappingKey);
    RawAesKeyring keyring = RawAesKeyring.builder()
        .keyNamespace("securecart").keyName("orders-key-1").wrappingKey(wrappingKey).build();

    Files.createDirectories(auditFile.toAbsolutePath().getParent());
    Files.deleteIfExists(auditFile);
    InMemoryAuditSink memory = new InMemoryAuditSink();
    try (JsonLinesAuditSink jsonLines = JsonLinesAuditSink.toFile(auditFile)) {
      // 2. One Envelope, built once and shared: immutable and thread-safe.
      Envelope envelope = Envelope.builder()
          .keyring(keyring)
          .auditSink(AuditSink.combine(memory, jsonLines))
          .build();

      // 3. Encrypt an order, bound to who it belongs to. The context is authenticated, not secret.
      byte[] order = "{\"order\":\"A-1001\",\"customer\":\"c-42\",\"total\":\"129.90 EUR\"}"
          .getBytes(StandardCharsets.UTF_8);
      Map<String, String> context = Map.of("tenant", "securecart", "order", "A-1001");
      byte[] message = envelope.encrypt(order, context);
      out.printf("encrypted %d bytes into a %d-byte AWS Encryption SDK message (suite 0x0578)%n",
          order.length, message.length);

      // 4. Decrypt, checking the context we expect.
      DecryptResult result = envelope.withResource("quickstart://orders/A-1001").decrypt(message, context);
      out.printf("decrypted: %s%n  wrapped by %s%n", new String(result.plaintext(), StandardCharsets.UTF_8),
          result.wrappingKeyIds());

      // 5. Streams: memory stays at two frames whatever the size.
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      try (OutputStream encrypting = envelope.encryptingStream(sink, context)) {
        for (int i = 0; i < 1000; i++) {
          encrypting.write(order);
        }
      }
      try (InputStream decrypting = envelope.decryptingStream(new ByteArrayInputStream(sink.toByteArray()))) {
        out.printf("streamed %d bytes through encryptingStream/decryptingStream%n", decrypting.readAllBytes().length);
      }

      // 6. Failures you should recognise.
      try {
        envelope.decrypt(message, Map.of("tenant", "another-tenant"));
      } catch (EncryptionContextMismatchException e) {
        out.println("wrong context  -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      byte[] tampered = message.clone();
      tampered[tampered.length - 120] ^= 1;
      try {
        envelope.decrypt(tampered);
      } catch (AuthenticationFailedException e) {
        out.println("tampered byte  -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }

      // 7. Caching: one keyring call per 100 messages instead of one per message.
      CachingMaterialsManager cache = CachingMaterialsManager.builder()
          .keyring(keyring).maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(100).build();
      Envelope cached = envelope.toBuilder().materialsManager(cache).build();
      for (int i = 0; i < 1000; i++) {
        cached.encrypt(order, context);
      }
      out.printf("caching: 1000 messages, %d keyring calls, %d saved%n", cache.stats().keyringCalls(),
          cache.stats().keyringCallsSaved());
    }

    out.printf("audit: %d events (%d failures), JSON Lines in %s%n", memory.events().size(),
        memory.events().stream().filter(e -> e.outcome() == AuditEvent.Outcome.FAILURE).count(), auditFile);
    out.println("  first: " + Files.readAllLines(auditFile).get(0));
    return memory;
  }
}
