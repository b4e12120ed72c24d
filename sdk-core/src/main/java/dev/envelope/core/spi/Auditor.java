package dev.envelope.core.spi;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The audit configuration of an {@code Envelope}: where events go, how context values appear, the resource. */
public record Auditor(AuditSink sink, ContextInAudit contextMode, String resource) {
  public Auditor {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(contextMode, "contextMode");
  }

  public Auditor withResource(String newResource) {
    return new Auditor(sink, contextMode, newResource);
  }

  /** Starts the record of one operation; exactly one event is emitted when it ends. */
  public OperationAudit start(AuditEvent.Operation operation, Map<String, String> requestContext) {
    return new OperationAudit(this, operation, requestContext);
  }

  public Map<String, String> presentContext(Map<String, String> context) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (e.getKey().startsWith("aws-crypto-")) {
        continue; // the ephemeral public key of signed suites: noise in an audit trail
      }
      String value = switch (contextMode) {
        case PLAIN -> e.getValue();
        case HASHED -> hash(e.getValue());
        case KEYS_ONLY -> "";
      };
      out.put(e.getKey(), value);
    }
    return out;
  }

  private static String hash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
