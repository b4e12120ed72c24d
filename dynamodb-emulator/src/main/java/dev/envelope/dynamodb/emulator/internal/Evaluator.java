package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.emulator.internal.Expressions.And;
import dev.envelope.dynamodb.emulator.internal.Expressions.Between;
import dev.envelope.dynamodb.emulator.internal.Expressions.Comparison;
import dev.envelope.dynamodb.emulator.internal.Expressions.Condition;
import dev.envelope.dynamodb.emulator.internal.Expressions.Function;
import dev.envelope.dynamodb.emulator.internal.Expressions.In;
import dev.envelope.dynamodb.emulator.internal.Expressions.Not;
import dev.envelope.dynamodb.emulator.internal.Expressions.Operand;
import dev.envelope.dynamodb.emulator.internal.Expressions.Or;
import dev.envelope.dynamodb.emulator.internal.Expressions.Path;
import dev.envelope.dynamodb.emulator.internal.Expressions.PathOperand;
import dev.envelope.dynamodb.emulator.internal.Expressions.SizeOperand;
import dev.envelope.dynamodb.emulator.internal.Expressions.ValueOperand;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Evaluates a parsed condition against an item (null for an item that does not exist). A comparison with a missing
 * attribute, or between values of different types, is false; ordering applies to numbers, strings and binary only.
 */
final class Evaluator {
  private static final Set<String> ORDERED = Set.of("N", "S", "B");

  private Evaluator() {}

  static boolean matches(Condition condition, ObjectNode item) {
    if (condition instanceof And a) {
      return matches(a.left(), item) && matches(a.right(), item);
    }
    if (condition instanceof Or o) {
      return matches(o.left(), item) || matches(o.right(), item);
    }
    if (condition instanceof Not n) {
      return !matches(n.condition(), item);
    }
    if (condition instanceof Comparison c) {
      return compare(c.operator(), value(c.left(), item), value(c.right(), item));
    }
    if (condition instanceof Between b) {
      JsonNode v = value(b.value(), item);
      return compare(">=", v, value(b.low(), item)) && compare("<=", v, value(b.high(), item));
    }
    if (condition instanceof In in) {
      JsonNode v = value(in.value(), item);
      return in.candidates().stream().anyMatch(c -> compare("=", v, value(c, item)));
    }
    return function((Function) condition, item);
  }

  private static boolean function(Function f, ObjectNode item) {
    JsonNode target = resolve(((PathOperand) f.arguments().get(0)).path(), item);
    return switch (f.name()) {
      case "attribute_exists" -> target != null;
      case "attribute_not_exists" -> target == null;
      case "attribute_type" -> {
        JsonNode type = value(f.arguments().get(1), item);
        yield target != null && type != null && type.has("S")
            && AttributeValues.type(target).equals(type.get("S").textValue());
      }
      case "begins_with" -> {
        JsonNode prefix = value(f.arguments().get(1), item);
        if (target == null || prefix == null || !AttributeValues.type(target).equals(AttributeValues.type(prefix))) {
          yield false;
        }
        yield switch (AttributeValues.type(target)) {
          case "S" -> target.get("S").textValue().startsWith(prefix.get("S").textValue());
          case "B" -> startsWith(Base64.getDecoder().decode(target.get("B").textValue()),
              Base64.getDecoder().decode(prefix.get("B").textValue()));
          default -> false;
        };
      }
      case "contains" -> contains(target, value(f.arguments().get(1), item));
      default -> throw new IllegalStateException(f.name());
    };
  }

  private static boolean contains(JsonNode target, JsonNode operand) {
    if (target == null || operand == null) {
      return false;
    }
    String type = AttributeValues.type(target);
    String operandType = AttributeValues.type(operand);
    return switch (type) {
      case "S" -> operandType.equals("S") && target.get("S").textValue().contains(operand.get("S").textValue());
      case "SS", "NS", "BS" -> operandType.equals(type.substring(0, 1))
          && contains(target.get(type), operand.get(operandType).textValue());
      case "L" -> {
        for (JsonNode element : target.get("L")) {
          if (element.equals(operand)) {
            yield true;
          }
        }
        yield false;
      }
      default -> false;
    };
  }

  private static boolean contains(JsonNode array, String element) {
    for (JsonNode e : array) {
      if (e.textValue().equals(element)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    if (prefix.length > value.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (value[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean compare(String operator, JsonNode left, JsonNode right) {
    if (left == null || right == null) {
      return operator.equals("<>") && (left != null || right != null);
    }
    String type = AttributeValues.type(left);
    if (!type.equals(AttributeValues.type(right))) {
      return operator.equals("<>");
    }
    if (operator.equals("=") || operator.equals("<>")) {
      return operator.equals("=") == AttributeValues.sameValue(left, right);
    }
    if (!ORDERED.contains(type)) {
      return false;
    }
    int c = AttributeValues.KEY_ORDER.compare(left, right);
    return switch (operator) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      default -> throw DynamoDbError.validation("Invalid ConditionExpression: Syntax error; token: \"" + operator
          + "\"");
    };
  }

  private static JsonNode value(Operand operand, ObjectNode item) {
    if (operand instanceof ValueOperand v) {
      return v.value();
    }
    if (operand instanceof PathOperand p) {
      return resolve(p.path(), item);
    }
    JsonNode target = resolve(((SizeOperand) operand).path(), item);
    Long size = target == null ? null : size(target);
    return size == null ? null : JsonNodeFactory.instance.objectNode().put("N", size.toString());
  }

  private static Long size(JsonNode value) {
    String type = AttributeValues.type(value);
    JsonNode v = value.get(type);
    return switch (type) {
      case "S" -> (long) v.textValue().getBytes(StandardCharsets.UTF_8).length;
      case "B" -> (long) Base64.getDecoder().decode(v.textValue()).length;
      case "SS", "NS", "BS", "L", "M" -> (long) v.size();
      default -> null;
    };
  }

  /** The value at {@code path} in {@code item}, or null. */
  static JsonNode resolve(Path path, ObjectNode item) {
    if (item == null) {
      return null;
    }
    JsonNode current = item.get(path.top());
    for (int i = 1; i < path.elements().size() && current != null; i++) {
      Object element = path.elements().get(i);
      if (element instanceof Integer index) {
        JsonNode list = current.get("L");
        current = list == null || index >= list.size() ? null : list.get(index);
      } else {
        JsonNode map = current.get("M");
        current = map == null ? null : map.get((String) element);
      }
    }
    return current;
  }
}
