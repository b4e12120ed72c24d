package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.KmsError;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A statement's Condition block, parsed when the policy is set and evaluated the way IAM evaluates it
 * ("Condition operators" and "Condition keys" in the IAM User Guide):
 * <ul>
 *   <li>operators: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null, each with
 *       the {@code IfExists} suffix (except Null) and the {@code ForAnyValue:}/{@code ForAllValues:} set prefixes.
 *       An unknown operator is refused when the policy is set ({@code MalformedPolicyDocumentException}), as IAM
 *       refuses it: it never silently makes a statement inapplicable;</li>
 *   <li>several operators, and several keys under one operator, must all hold; several values for one key match
 *       if any does (negated operators: if none does);</li>
 *   <li>a key absent from the request: positive operators fail, negated ones ({@code StringNotEquals},
 *       {@code NotIpAddress}, ...) hold, {@code ...IfExists} holds, {@code ForAllValues} holds and
 *       {@code ForAnyValue} fails. Keys the emulator does not supply count as absent, as they would be in a request
 *       that does not carry them (see {@link RequestContext} for the keys it supplies).</li>
 * </ul>
 * Immutable.
 */
final class Conditions {
  private static final Set<String> OPERATORS = Set.of(
      "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
      "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
      "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
      "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
      "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null");
  private static final Set<String> NEGATED = Set.of("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
      "NumericNotEquals", "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike");

  /** One operator applied to one key. */
  private record Clause(String operator, String setQualifier, boolean ifExists, String key, List<String> values) {}

  static final Conditions NONE = new Conditions(List.of());

  private final List<Clause> clauses;

  private Conditions(List<Clause> clauses) {
    this.clauses = clauses;
  }

  /** Parses a Condition element; null or missing means no condition. */
  static Conditions parse(JsonNode condition) {
    if (condition == null || condition.isNull() || condition.isMissingNode()) {
      return NONE;
    }
    if (!condition.isObject()) {
      throw malformed("Condition must be a JSON object.");
    }
    List<Clause> clauses = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.properties().iterator(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      String name = op.getKey();
      String qualifier = null;
      if (name.startsWith("ForAnyValue:") || name.startsWith("ForAllValues:")) {
        qualifier = name.substring(0, name.indexOf(':'));
        name = name.substring(name.indexOf(':') + 1);
      }
      boolean ifExists = name.endsWith("IfExists") && !name.equals("IfExists");
      String base = ifExists ? name.substring(0, name.length() - "IfExists".length()) : name;
      if (!OPERATORS.contains(base) || ifExists && base.equals("Null")) {
        throw malformed("Policy contains an invalid condition operator: " + op.getKey() + ".");
      }
      if (!op.getValue().isObject()) {
        throw malformed("Condition operator " + op.getKey() + " must map condition keys to values.");
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().properties().iterator(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        List<String> values = new ArrayList<>();
        if (key.getValue().isArray()) {
          key.getValue().forEach(v -> values.add(scalar(v, op.getKey())));
        } else {
          values.add(scalar(key.getValue(), op.getKey()));
        }
        if (values.isEmpty()) {
          throw malformed("Condition " + op.getKey() + " on " + key.getKey() + " has no values.");
        }
        clauses.add(new Clause(base, qualifier, ifExists, key.getKey(), List.copyOf(values)));
      }
    }
    return new Conditions(List.copyOf(clauses));
  }

  private static String scalar(JsonNode value, String operator) {
    if (!value.isValueNode() || value.isNull()) {
      throw malformed("Condition " + operator + " has a value that is not a string, number or boolean.");
    }
    return value.asText();
  }

  private static KmsError malformed(String message) {
    return new KmsError("MalformedPolicyDocumentException", message);
  }

  boolean hold(RequestContext request) {
    for (Clause c : clauses) {
      if (!holds(c, request.values(c.key()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(Clause c, List<String> actual) {
    if (c.operator().equals("Null")) {
      boolean absent = actual == null || actual.isEmpty();
      return c.values().stream().anyMatch(v -> v.equalsIgnoreCase(Boolean.toString(absent)));
    }
    boolean negated = NEGATED.contains(c.operator());
    if (actual == null || actual.isEmpty()) {
      if ("ForAllValues".equals(c.setQualifier())) {
        return true; // vacuously: pair with a Null check to require the key
      }
      if ("ForAnyValue".equals(c.setQualifier())) {
        return false;
      }
      return c.ifExists() || negated;
    }
    if ("ForAllValues".equals(c.setQualifier())) {
      return actual.stream().allMatch(a -> matches(c, a));
    }
    // ForAnyValue, and unqualified operators on a multi-valued key, hold when any request value matches.
    return actual.stream().anyMatch(a -> matches(c, a));
  }

  /** One request value against the clause's values: any match, or for negated operators no match. */
  private static boolean matches(Clause c, String actual) {
    boolean negated = NEGATED.contains(c.operator());
    String positive = positiveOf(c.operator());
    boolean any = false;
    for (String expected : c.values()) {
      any |= compare(positive, actual, expected);
    }
    return negated != any;
  }

  private static String positiveOf(String operator) {
    return switch (operator) {
      case "StringNotEquals" -> "StringEquals";
      case "StringNotEqualsIgnoreCase" -> "StringEqualsIgnoreCase";
      case "StringNotLike" -> "StringLike";
      case "NumericNotEquals" -> "NumericEquals";
      case "DateNotEquals" -> "DateEquals";
      case "NotIpAddress" -> "IpAddress";
      case "ArnNotEquals" -> "ArnEquals";
      case "ArnNotLike" -> "ArnLike";
      default -> operator;
    };
  }

  private static boolean compare(String operator, String actual, String expected) {
    return switch (operator) {
      case "StringEquals" -> actual.equals(expected);
      case "StringEqualsIgnoreCase" -> actual.equalsIgnoreCase(expected);
      case "StringLike", "ArnLike" -> Wildcard.matches(expected, actual);
      case "ArnEquals" -> actual.equals(expected);
      case "Bool" -> actual.equalsIgnoreCase(expected);
      case "BinaryEquals" -> binaryEquals(actual, expected);
      case "IpAddress" -> inCidr(actual, expected);
      default -> {
        if (operator.startsWith("Numeric")) {
          yield ordered(operator.substring("Numeric".length()), number(actual), number(expected));
        }
        yield ordered(operator.substring("Date".length()), date(actual), date(expected));
      }
    };
  }

  private static <T extends Comparable<T>> boolean ordered(String relation, T actual, T expected) {
    if (actual == null || expected == null) {
      return false; // a value that is not a number or date matches nothing
    }
    int c = actual.compareTo(expected);
    return switch (relation) {
      case "Equals" -> c == 0;
      case "LessThan" -> c < 0;
      case "LessThanEquals" -> c <= 0;
      case "GreaterThan" -> c > 0;
      case "GreaterThanEquals" -> c >= 0;
      default -> throw new IllegalStateException(relation);
    };
  }

  private static BigDecimal number(String s) {
    try {
      return new BigDecimal(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** ISO 8601 (with or without an offset, or a date alone) or epoch seconds, as IAM accepts. */
  private static Instant date(String s) {
    String t = s.trim();
    try {
      if (t.matches("-?\\d+(\\.\\d+)?")) {
        return Instant.ofEpochMilli(new BigDecimal(t).movePointRight(3).longValue());
      }
      if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return Instant.parse(t + "T00:00:00Z");
      }
      if (!t.matches(".*([zZ]|[+-]\\d{2}:?\\d{2})$")) {
        t = t + "Z";
      }
      return OffsetDateTime.parse(t.toUpperCase(Locale.ROOT)).toInstant();
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static boolean binaryEquals(String actual, String expected) {
    try {
      return java.util.Arrays.equals(Base64.getDecoder().decode(actual), Base64.getDecoder().decode(expected));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code address} lies in {@code cidr} ({@code 203.0.113.0/24}, {@code 2001:db8::/32} or one address). */
  private static boolean inCidr(String address, String cidr) {
    try {
      int slash = cidr.indexOf('/');
      byte[] network = literal(slash < 0 ? cidr : cidr.substring(0, slash));
      byte[] candidate = literal(address);
      if (network == null || candidate == null || network.length != candidate.length) {
        return false;
      }
      int bits = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1).trim());
      if (bits < 0 || bits > network.length * 8) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The bytes of an IP literal, or null; never a DNS lookup. */
  private static byte[] literal(String s) {
    String t = s.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      return null; // anything else could make InetAddress resolve a host name
    }
    try {
      return InetAddress.getByName(t).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
