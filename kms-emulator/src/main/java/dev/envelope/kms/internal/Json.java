package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading requests and writing responses in the KMS JSON 1.1 shapes, with KMS's validation messages. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** lowerCamel member name, as KMS validation messages write it. */
  private static String member(String name) {
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  static String string(JsonNode req, String name) {
    JsonNode v = req.get(name);
    if (v == null || v.isNull()) {
      throw KmsError.constraint(member(name), null, "Member must not be null");
    }
    if (!v.isTextual()) {
      throw new KmsError("SerializationException", "Member " + name + " must be a string");
    }
    return v.asText();
  }

  static String optionalString(JsonNode req, String name) {
    JsonNode v = req.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new KmsError("SerializationException", "Member " + name + " must be a string");
    }
    return v.asText();
  }

  static byte[] blob(JsonNode req, String name, boolean sensitive, int min, int max) {
    String text = optionalString(req, name);
    if (text == null) {
      throw KmsError.constraint(member(name), null, "Member must not be null");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new KmsError("SerializationException", "Member " + name + " is not valid base64");
    }
    if (bytes.length < min || bytes.length > max) {
      String c = bytes.length < min ? "Member must have length greater than or equal to " + min
          : "Member must have length less than or equal to " + max;
      throw sensitive ? KmsError.sensitiveConstraint(member(name), c) : KmsError.constraint(member(name), "…", c);
    }
    return bytes;
  }

  static Integer optionalInt(JsonNode req, String name, int min, int max) {
    JsonNode v = req.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt()) {
      throw new KmsError("SerializationException", "Member " + name + " must be an integer");
    }
    int i = v.asInt();
    if (i < min) {
      throw KmsError.constraint(member(name), i, "Member must have value greater than or equal to " + min);
    }
    if (i > max) {
      throw KmsError.constraint(member(name), i, "Member must have value less than or equal to " + max);
    }
    return i;
  }

  static boolean bool(JsonNode req, String name) {
    JsonNode v = req.get(name);
    return v != null && v.asBoolean(false);
  }

  static Map<String, String> stringMap(JsonNode req, String name) {
    JsonNode v = req.get(name);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw new KmsError("SerializationException", "Member " + name + " must be a map");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  static List<String> stringList(JsonNode req, String name) {
    JsonNode v = req.get(name);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new KmsError("SerializationException", "Member " + name + " must be a list");
    }
    v.forEach(n -> out.add(n.asText()));
    return out;
  }

  static void putBlob(ObjectNode out, String name, byte[] bytes) {
    out.put(name, Base64.getEncoder().encodeToString(bytes));
  }

  /** KMS timestamps are epoch seconds as JSON numbers, possibly fractional. */
  static void putTime(ObjectNode out, String name, Instant t) {
    if (t != null) {
      out.put(name, t.toEpochMilli() / 1000.0);
    }
  }

  static ArrayNode array(ObjectNode out, String name) {
    return out.putArray(name);
  }
}
