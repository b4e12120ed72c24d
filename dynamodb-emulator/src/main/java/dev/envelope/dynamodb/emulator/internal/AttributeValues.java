package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB's attribute values as they travel in the JSON protocol ({@code {"S": "x"}}, {@code {"N": "1"}}, ...):
 * validated and normalized the way DynamoDB stores them (numbers without trailing zeros or exponent, 38 digits at
 * most; no empty sets, no duplicates in a set), compared the way DynamoDB orders sort keys (numbers numerically,
 * strings and binary as unsigned bytes), and sized the way DynamoDB counts item size.
 */
public final class AttributeValues {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> TYPES = Set.of("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL");
  private static final BigDecimal MAX = new BigDecimal("9.9999999999999999999999999999999999999E+125");
  private static final BigDecimal MIN_POSITIVE = new BigDecimal("1E-130");

  private AttributeValues() {}

  /** The type of a value: its one key. */
  public static String type(JsonNode value) {
    if (value == null || !value.isObject() || value.size() != 1) {
      throw DynamoDbError.validation("Supplied AttributeValue is empty, must contain exactly one of the supported "
          + "datatypes");
    }
    String type = value.fieldNames().next();
    if (!TYPES.contains(type)) {
      throw DynamoDbError.serialization("Unexpected field type: " + type);
    }
    return type;
  }

  /** A copy of {@code value} as DynamoDB stores it, or a ValidationException naming what is wrong. */
  public static ObjectNode normalize(JsonNode value) {
    String type = type(value);
    JsonNode v = value.get(type);
    ObjectNode out = JSON.objectNode();
    switch (type) {
      case "S" -> out.put("S", text(v, type));
      case "N" -> out.put("N", number(text(v, type)));
      case "B" -> out.put("B", binary(text(v, type)));
      case "BOOL" -> {
        if (!v.isBoolean()) {
          throw DynamoDbError.serialization("BOOL must be a boolean");
        }
        out.put("BOOL", v.booleanValue());
      }
      case "NULL" -> {
        if (!v.isBoolean() || !v.booleanValue()) {
          throw DynamoDbError.validation("One or more parameter values were invalid: Null attribute value types "
              + "must have the value of true");
        }
        out.put("NULL", true);
      }
      case "SS", "NS", "BS" -> out.set(type, set(type, v));
      case "L" -> {
        if (!v.isArray()) {
          throw DynamoDbError.serialization("L must be a list");
        }
        var list = out.putArray("L");
        v.forEach(e -> list.add(normalize(e)));
      }
      case "M" -> {
        if (!v.isObject()) {
          throw DynamoDbError.serialization("M must be a map");
        }
        ObjectNode map = out.putObject("M");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          map.set(e.getKey(), normalize(e.getValue()));
        }
      }
      default -> throw new IllegalStateException(type);
    }
    return out;
  }

  private static String text(JsonNode v, String type) {
    if (v == null || !v.isTextual()) {
      throw DynamoDbError.serialization("Value of type " + type + " must be a string");
    }
    return v.textValue();
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode set(String type, JsonNode v) {
    if (!v.isArray()) {
      throw DynamoDbError.serialization(type + " must be a list");
    }
    if (v.isEmpty()) {
      String name = switch (type) {
        case "SS" -> "string set";
        case "NS" -> "number set";
        default -> "binary set";
      };
      throw DynamoDbError.validation("One or more parameter values were invalid: An " + name + "  may not be empty");
    }
    var out = JSON.arrayNode();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : v) {
      String element = text(e, type);
      String normalized = switch (type) {
        case "NS" -> number(element);
        case "BS" -> binary(element);
        default -> element;
      };
      if (!seen.add(type.equals("NS") ? new BigDecimal(normalized).stripTrailingZeros().toPlainString()
          : normalized)) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Input collection " + v
            + " contains duplicates.");
      }
      out.add(normalized);
    }
    return out;
  }

  /** A number as DynamoDB returns it: plain notation, no trailing zeros, at most 38 significant digits. */
  static String number(String text) {
    BigDecimal n;
    try {
      n = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw DynamoDbError.validation("A value provided cannot be converted into a number");
    }
    if (n.signum() == 0) {
      return "0";
    }
    n = n.stripTrailingZeros();
    if (n.precision() > 38) {
      throw DynamoDbError.validation("Attempting to store more than 38 significant digits in a Number");
    }
    BigDecimal abs = n.abs();
    if (abs.compareTo(MAX) > 0) {
      throw DynamoDbError.validation("Number overflow. Attempting to store a number with magnitude larger than "
          + "supported range");
    }
    if (abs.compareTo(MIN_POSITIVE) < 0) {
      throw DynamoDbError.validation("Number underflow. Attempting to store a number with magnitude smaller than "
          + "supported range");
    }
    return n.toPlainString();
  }

  private static String binary(String base64) {
    try {
      return Base64.getEncoder().encodeToString(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw DynamoDbError.serialization("Base64 encoded length is expected a multiple of 4 bytes");
    }
  }

  /** Orders key values of one type as DynamoDB orders sort keys. */
  public static final Comparator<JsonNode> KEY_ORDER = (a, b) -> {
    String type = type(a);
    return switch (type) {
      case "N" -> new BigDecimal(a.get("N").textValue()).compareTo(new BigDecimal(b.get("N").textValue()));
      case "S" -> Arrays.compareUnsigned(a.get("S").textValue().getBytes(StandardCharsets.UTF_8),
          b.get("S").textValue().getBytes(StandardCharsets.UTF_8));
      case "B" -> Arrays.compareUnsigned(Base64.getDecoder().decode(a.get("B").textValue()),
          Base64.getDecoder().decode(b.get("B").textValue()));
      default -> throw new IllegalStateException("not a key type: " + type);
    };
  };

  /** Whether two normalized values are equal as DynamoDB compares them (sets regardless of order). */
  public static boolean sameValue(JsonNode a, JsonNode b) {
    String type = type(a);
    if (!type.equals(type(b))) {
      return false;
    }
    if (type.endsWith("S") && type.length() == 2) {
      Set<String> left = new HashSet<>();
      a.get(type).forEach(e -> left.add(e.textValue()));
      Set<String> right = new HashSet<>();
      b.get(type).forEach(e -> right.add(e.textValue()));
      return left.equals(right);
    }
    return a.equals(b);
  }

  /** Whether a key value is empty (an empty string or binary), which DynamoDB refuses for keys. */
  public static boolean isEmptyScalar(JsonNode value) {
    String type = type(value);
    return (type.equals("S") || type.equals("B")) && value.get(type).textValue().isEmpty();
  }

  /**
   * The size DynamoDB counts for an item: per attribute, the UTF-8 length of its name plus its value's size
   * (strings: UTF-8 bytes; binary: bytes; numbers: about one byte per two digits plus one; 1 for booleans and
   * null; 3 plus the elements for lists and maps).
   */
  public static long itemSize(ObjectNode item) {
    long size = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = item.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      size += utf8(e.getKey()) + valueSize(e.getValue());
    }
    return size;
  }

  /** The size DynamoDB counts for one value (see {@link #itemSize}). */
  static long valueSize(JsonNode value) {
    String type = type(value);
    JsonNode v = value.get(type);
    return switch (type) {
      case "S" -> utf8(v.textValue());
      case "N" -> numberSize(v.textValue());
      case "B" -> Base64.getDecoder().decode(v.textValue()).length;
      case "BOOL", "NULL" -> 1;
      case "SS" -> sum(v, e -> utf8(e.textValue()));
      case "NS" -> sum(v, e -> numberSize(e.textValue()));
      case "BS" -> sum(v, e -> Base64.getDecoder().decode(e.textValue()).length);
      case "L" -> 3 + sum(v, e -> 1 + valueSize(e));
      case "M" -> {
        long s = 3;
        for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          s += 1 + utf8(e.getKey()) + valueSize(e.getValue());
        }
        yield s;
      }
      default -> throw new IllegalStateException(type);
    };
  }

  private interface Size {
    long of(JsonNode element);
  }

  private static long sum(JsonNode array, Size size) {
    long s = 0;
    for (JsonNode e : array) {
      s += size.of(e);
    }
    return s;
  }

  private static long numberSize(String number) {
    String digits = number.replace("-", "").replace(".", "").replaceAll("^0+", "");
    return (digits.length() + 1) / 2 + 1;
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
