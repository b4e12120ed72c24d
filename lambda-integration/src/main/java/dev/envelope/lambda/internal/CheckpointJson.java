package dev.envelope.lambda.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * A checkpoint's versions as JSON, {@code {"versions":{"<key>":"<version>",...}}}, written by hand and read with
 * the SDK's own parser: no data-binding library in the Lambda layer.
 */
public final class CheckpointJson {
  private CheckpointJson() {}

  public static String write(Map<String, String> versions) {
    StringBuilder json = new StringBuilder(versions.size() * 64).append("{\"versions\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(versions).entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      quote(json, e.getKey()).append(':');
      quote(json, e.getValue());
    }
    return json.append("}}").toString();
  }

  /**
   * @throws IllegalArgumentException if {@code json} is not a checkpoint
   */
  public static Map<String, String> read(String json, String what) {
    JsonNode root;
    try {
      root = JsonNode.parser().parse(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + " is not JSON");
    }
    JsonNode versions = root.isObject() ? root.field("versions").orElse(null) : null;
    if (versions == null || !versions.isObject()) {
      throw new IllegalArgumentException(what + " has no \"versions\" object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    versions.asObject().forEach((key, value) -> {
      if (!value.isString()) {
        throw new IllegalArgumentException(what + ": the version of a document is not a string");
      }
      out.put(key, value.asString());
    });
    return out;
  }

  private static StringBuilder quote(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"');
  }
}
