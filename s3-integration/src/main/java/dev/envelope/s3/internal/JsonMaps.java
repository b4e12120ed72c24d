package dev.envelope.s3.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.envelope.core.MalformedMessageException;
import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** String-to-string JSON objects: the S3EC material description, encryption context and instruction files. */
public final class JsonMaps {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonMaps() {}

  /** Serializes with sorted keys, so the same map always gives the same bytes. */
  public static String write(Map<String, String> map) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("impossible: writing to a string", e);
    }
    return out.toString();
  }

  /** Parses a JSON object whose values are all strings; {@code what} names it in errors. */
  public static Map<String, String> read(String json, String what) {
    Map<String, String> map = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedMessageException(what + " is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (p.nextToken() != JsonToken.VALUE_STRING) {
          throw new MalformedMessageException(what + " member '" + name + "' is not a string");
        }
        if (map.put(name, p.getText()) != null) {
          throw new MalformedMessageException(what + " has member '" + name + "' twice");
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new MalformedMessageException(what + " is not one JSON object");
      }
    } catch (IOException e) {
      throw new MalformedMessageException(what + " is not valid JSON: " + e.getMessage(), e);
    }
    return map;
  }
}
