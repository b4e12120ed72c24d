package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Reading requests and writing responses in the KMS JSON 1.1 shapes, with KMS's validation messages.
 *
 * <p>Trees are read and written with jackson-core's streaming parser and generator, not an {@code ObjectMapper}:
 * constructing the first mapper costs about 250 ms in a fresh JVM, most of the emulator's start-up.
 */
public final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** Parses one JSON value; the text must hold nothing after it. */
  public static JsonNode parse(byte[] json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      return parseAll(p);
    }
  }

  public static JsonNode parse(String json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      return parseAll(p);
    }
  }

  private static JsonNode parseAll(JsonParser p) throws IOException {
    JsonToken first = p.nextToken();
    if (first == null) {
      return null;
    }
    JsonNode node = value(p, first);
    if (p.nextToken() != null) {
      throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the JSON value");
    }
    return node;
  }

  private static JsonNode value(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT: {
        ObjectNode o = NODES.objectNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          o.set(name, value(p, p.nextToken()));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = NODES.arrayNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          a.add(value(p, t));
        }
        return a;
      }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.INT ? NODES.numberNode(p.getIntValue())
            : p.getNumberType() == JsonParser.NumberType.LONG ? NODES.numberNode(p.getLongValue())
            : NODES.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + token);
    }
  }

  /** Compact JSON, UTF-8. */
  public static byte[] write(JsonNode node) {
    return write(node, false);
  }

  /** JSON text; {@code pretty} indents it for files people read. */
  public static byte[] write(JsonNode node, boolean pretty) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (pretty) {
        g.useDefaultPrettyPrinter();
      }
      write(g, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static String writeString(JsonNode node) {
    return new String(write(node), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void write(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          g.writeFieldName(e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode child : node) {
          write(g, child);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case NUMBER -> {
        if (node.isInt()) {
          g.writeNumber(node.intValue());
        } else if (node.isLong()) {
          g.writeNumber(node.longValue());
        } else if (node.isBigInteger()) {
          g.writeNumber(node.bigIntegerValue());
        } else {
          g.writeNumber(node.doubleValue());
        }
      }
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      default -> throw new IllegalArgumentException("cannot write a " + node.getNodeType() + " node");
    }
  }

  /** A string map as a JSON object. */
  public static ObjectNode objectOf(Map<String, String> map) {
    ObjectNode o = NODES.objectNode();
    map.forEach(o::put);
    return o;
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
    for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        // KMS's deserializer refuses a map value that is not a string instead of converting it.
        throw new KmsError("SerializationException", e.getValue().getNodeType() + "_VALUE can not be converted to a "
            + "String (member " + name + ", key '" + e.getKey() + "')");
      }
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
