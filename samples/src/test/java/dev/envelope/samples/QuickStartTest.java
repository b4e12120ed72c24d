package dev.envelope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
  @Test
  void runShowsRoundTripFailuresCachingAndAudit(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Path audit = dir.resolve("audit.jsonl");
    InMemoryAuditSink events = QuickStart.run(new PrintStream(printed, true, StandardCharsets.UTF_8), audit);
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("decrypted: {\"order\":\"A-1001\""), out);
    assertTrue(out.contains("EncryptionContextMismatchException"), out);
    assertTrue(out.contains("AuthenticationFailedException"), out);
    assertTrue(out.contains("caching: 1000 messages, 10 keyring calls, 990 saved"), out);
    // 1 + 1 + 2 (streams) + 2 failures + 1000 cached encryptions
    assertEquals(1006, events.events().size());
    assertEquals(2, events.events().stream().filter(e -> e.outcome() == AuditEvent.Outcome.FAILURE).count());
    String jsonLines = Files.readString(audit);
    assertEquals(1006, jsonLines.lines().count());
    assertFalse(jsonLines.contains("129.90"), "plaintext in the audit file");
  }
}
