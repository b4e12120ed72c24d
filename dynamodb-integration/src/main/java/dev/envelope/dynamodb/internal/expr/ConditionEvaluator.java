package dev.envelope.dynamodb.internal.expr;

import dev.envelope.dynamodb.internal.expr.Condition.And;
import dev.envelope.dynamodb.internal.expr.Condition.Between;
import dev.envelope.dynamodb.internal.expr.Condition.Call;
import dev.envelope.dynamodb.internal.expr.Condition.Comparison;
import dev.envelope.dynamodb.internal.expr.Condition.In;
import dev.envelope.dynamodb.internal.expr.Condition.Not;
import dev.envelope.dynamodb.internal.expr.Condition.Operand;
import dev.envelope.dynamodb.internal.expr.Condition.Or;
import dev.envelope.dynamodb.internal.expr.Condition.PathOperand;
import dev.envelope.dynamodb.internal.expr.Condition.SizeOperand;
import dev.envelope.dynamodb.internal.expr.Condition.ValueOperand;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Evaluates a condition on an item as DynamoDB does: a comparison with a missing attribute, or between values of
 * different types, is false ({@code <>} true); ordering applies to numbers (by value), strings (by code point, which
 * is DynamoDB's UTF-8 byte order) and binary (unsigned bytes); numbers and sets compare by value, not by spelling.
 * Stateless and thread-safe.
 */
public final class ConditionEvaluator {
  private final Map<String, String> names;
  private final Map<String, AttributeValue> values;

  public ConditionEvaluator(Map<String, String> names, Map<String, AttributeValue> values) {
    this.names = Map.copyOf(names);
    this.values = Map.copyOf(values);
  }

  /** Whether {@code item} satisfies {@code condition}. */
  public boolean matches(Condition condition, Map<String, AttributeValue> item) {
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
      AttributeValue v = value(b.value(), item);
      return compare(">=", v, value(b.low(), item)) && compare("<=", v, value(b.high(), item));
    }
    if (condition instanceof In in) {
      AttributeValue v = value(in.value(), item);
      return in.candidates().stream().anyMatch(c -> compare("=", v, value(c, item)));
    }
    return call((Call) condition, item);
  }

  private boolean call(Call call, Map<String, AttributeValue> item) {
    AttributeValue target = value(call.arguments().get(0), item);
    return switch (call.function()) {
      case "attribute_exists" -> target != null;
      case "attribute_not_exists" -> target == null;
      case "attribute_type" -> {
        AttributeValue type = value(call.arguments().get(1), item);
        yield target != null && type != null && type.s() != null && typeName(target).equals(type.s());
      }
      case "begins_with" -> {
        AttributeValue prefix = value(call.arguments().get(1), item);
        if (target == null || prefix == null || target.type() != prefix.type()) {
          yield false;
        }
        yield switch (target.type()) {
          case S -> target.s().startsWith(prefix.s());
          case B -> startsWith(target.b().asByteArray(), prefix.b().asByteArray());
          default -> false;
        };
      }
      case "contains" -> contains(target, value(call.arguments().get(1), item));
      default -> throw new IllegalStateException(call.function());
    };
  }

  private static boolean contains(AttributeValue target, AttributeValue operand) {
    if (target == null || operand == null) {
      return false;
    }
    return switch (target.type()) {
      case S -> operand.type() == AttributeValue.Type.S && target.s().contains(operand.s());
      case SS -> operand.type() == AttributeValue.Type.S && target.ss().contains(operand.s());
      case NS -> operand.type() == AttributeValue.Type.N && target.ns().stream()
          .anyMatch(n -> new BigDecimal(n).compareTo(new BigDecimal(operand.n())) == 0);
      case BS -> operand.type() == AttributeValue.Type.B && target.bs().contains(operand.b());
      case L -> target.l().stream().anyMatch(e -> same(e, operand));
      default -> false;
    };
  }

  private static boolean compare(String operator, AttributeValue left, AttributeValue right) {
    if (left == null || right == null || left.type() != right.type()) {
      return operator.equals("<>") && (left != null || right != null);
    }
    if (operator.equals("=") || operator.equals("<>")) {
      return operator.equals("=") == same(left, right);
    }
    int c;
    switch (left.type()) {
      case N -> c = new BigDecimal(left.n()).compareTo(new BigDecimal(right.n()));
      case S -> c = compareCodePoints(left.s(), right.s());
      case B -> c = compareUnsigned(left.b().asByteArray(), right.b().asByteArray());
      default -> {
        return false;
      }
    }
    return switch (operator) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      default -> throw new IllegalStateException(operator);
    };
  }

  /** Whether two values are equal as DynamoDB compares them. */
  static boolean same(AttributeValue a, AttributeValue b) {
    if (a.type() != b.type()) {
      return false;
    }
    return switch (a.type()) {
      case N -> new BigDecimal(a.n()).compareTo(new BigDecimal(b.n())) == 0;
      case SS -> new HashSet<>(a.ss()).equals(new HashSet<>(b.ss()));
      case NS -> numbers(a.ns()).equals(numbers(b.ns()));
      case BS -> new HashSet<>(a.bs()).equals(new HashSet<>(b.bs()));
      case L -> a.l().size() == b.l().size() && sameElements(a.l(), b.l());
      case M -> a.m().keySet().equals(b.m().keySet())
          && a.m().entrySet().stream().allMatch(e -> same(e.getValue(), b.m().get(e.getKey())));
      default -> a.equals(b);
    };
  }

  private static boolean sameElements(List<AttributeValue> a, List<AttributeValue> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static Set<BigDecimal> numbers(List<String> ns) {
    Set<BigDecimal> out = new HashSet<>();
    ns.forEach(n -> out.add(new BigDecimal(n).stripTrailingZeros()));
    return out;
  }

  private AttributeValue value(Operand operand, Map<String, AttributeValue> item) {
    if (operand instanceof ValueOperand v) {
      return values.get(v.placeholder());
    }
    if (operand instanceof PathOperand p) {
      return resolve(p.path().text(), item);
    }
    AttributeValue target = resolve(((SizeOperand) operand).path().path().text(), item);
    Long size = target == null ? null : size(target);
    return size == null ? null : AttributeValue.fromN(size.toString());
  }

  private static Long size(AttributeValue value) {
    return switch (value.type()) {
      case S -> (long) value.s().getBytes(StandardCharsets.UTF_8).length;
      case B -> (long) value.b().asByteArray().length;
      case SS -> (long) value.ss().size();
      case NS -> (long) value.ns().size();
      case BS -> (long) value.bs().size();
      case L -> (long) value.l().size();
      case M -> (long) value.m().size();
      default -> null;
    };
  }

  /** The value at a path such as {@code a.#b[2].c} in {@code item}, or null. */
  private AttributeValue resolve(String path, Map<String, AttributeValue> item) {
    int i = 0;
    AttributeValue current = null;
    boolean first = true;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '[') {
        int close = path.indexOf(']', i);
        int index = Integer.parseInt(path.substring(i + 1, close));
        current = current == null || current.type() != AttributeValue.Type.L || index >= current.l().size() ? null
            : current.l().get(index);
        i = close + 1;
      } else {
        int start = c == '.' ? i + 1 : i;
        int end = start + 1;
        while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
          end++;
        }
        String segment = path.substring(start, end);
        String name = segment.startsWith("#") ? names.get(segment) : segment;
        if (first) {
          current = item.get(name);
          first = false;
        } else {
          current = current == null || current.type() != AttributeValue.Type.M ? null : current.m().get(name);
        }
        i = end;
      }
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  private static String typeName(AttributeValue v) {
    return v.type() == AttributeValue.Type.NUL ? "NULL" : v.type().name();
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

  private static int compareUnsigned(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
