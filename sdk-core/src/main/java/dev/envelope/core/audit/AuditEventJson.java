package dev.envelope.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** One event as one line of JSON (no line breaks inside), shared by the JSON Lines and SLF4J sinks. */
final class AuditEventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private AuditEventJson() {}

  static String toJson(AuditEvent e) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", e.time().toString());
      g.writeStringField("operation", e.operation().name());
      g.writeStringField("outcome", e.outcome().name());
      writeOptional(g, "errorClass", e.errorClass().orElse(null));
      writeOptional(g, "suite", e.suite().orElse(null));
      writeOptional(g, "messageId", e.messageId().orElse(null));
      g.writeArrayFieldStart("wrappingKeyIds");
      for (String id : e.wrappingKeyIds()) {
        g.writeString(id);
      }
      g.writeEndArray();
      g.writeObjectFieldStart("encryptionContext");
      for (Map.Entry<String, String> c : new TreeMap<>(e.encryptionContext()).entrySet()) {
        g.writeStringField(c.getKey(), c.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("bytes", e.byteCount());
      g.writeBooleanField("cacheHit", e.cacheHit());
      g.writeNumberField("kmsCalls", e.kmsCalls());
      if (e.keyStoreCalls() > 0) {
        g.writeNumberField("keyStoreCalls", e.keyStoreCalls());
      }
      g.writeNumberField("durationMicros", e.duration().toNanos() / 1000);
      writeOptional(g, "resource", e.resource().orElse(null));
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }

  private static void writeOptional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
