package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * IAM condition evaluation for the keys KMS supports here: {@code kms:EncryptionContext:<key>} (key name matched
 * case-insensitively), {@code kms:EncryptionContextKeys}, {@code kms:ViaService}, {@code kms:CallerAccount},
 * {@code aws:PrincipalArn}, {@code aws:PrincipalAccount}. Operators: String(Not)Equals(IgnoreCase), String(Not)Like,
 * ArnEquals/ArnLike, Bool, Null, the {@code ForAnyValue:}/{@code ForAllValues:} set prefixes and the
 * {@code IfExists} suffix. An unknown operator never holds (fail closed).
 */
final class Conditions {
  private Conditions() {}

  static boolean hold(JsonNode condition, PolicyDocument.Request request) {
    if (condition == null || condition.isNull() || condition.isMissingNode()) {
      return true;
    }
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        List<String> expected = new ArrayList<>();
        if (key.getValue().isArray()) {
          key.getValue().forEach(v -> expected.add(v.asText()));
        } else {
          expected.add(key.getValue().asText());
        }
        if (!holds(op.getKey(), key.getKey(), expected, request)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean holds(String operator, String key, List<String> expected, PolicyDocument.Request r) {
    List<String> actual = values(key, r);
    String op = operator;
    boolean ifExists = op.endsWith("IfExists");
    if (ifExists) {
      op = op.substring(0, op.length() - "IfExists".length());
    }
    if (op.equals("Null")) {
      boolean wantNull = Boolean.parseBoolean(expected.get(0));
      return wantNull == (actual == null || actual.isEmpty());
    }
    if (op.startsWith("ForAllValues:") && (actual == null || actual.isEmpty())) {
      return true; // vacuously true, as IAM: pair it with a Null check to require the key
    }
    if (actual == null) {
      return ifExists;
    }
    if (op.startsWith("ForAllValues:")) {
      String base = op.substring("ForAllValues:".length());
      for (String a : actual) {
        if (!matchesAny(base, a, expected)) {
          return false;
        }
      }
      return true;
    }
    if (op.startsWith("ForAnyValue:")) {
      String base = op.substring("ForAnyValue:".length());
      for (String a : actual) {
        if (matchesAny(base, a, expected)) {
          return true;
        }
      }
      return false;
    }
    if (actual.size() != 1) {
      return false;
    }
    return matchesAny(op, actual.get(0), expected);
  }

  private static boolean matchesAny(String op, String actual, List<String> expected) {
    boolean negated = op.contains("Not");
    String base = op.replace("Not", "");
    boolean any = false;
    for (String e : expected) {
      boolean m = switch (base) {
        case "StringEquals", "ArnEquals" -> actual.equals(e);
        case "StringEqualsIgnoreCase" -> actual.equalsIgnoreCase(e);
        case "StringLike", "ArnLike" -> PolicyDocument.wildcard(e, actual);
        case "Bool" -> actual.equalsIgnoreCase(e);
        default -> false;
      };
      any |= m;
    }
    if (!isKnown(base)) {
      return false;
    }
    return negated != any;
  }

  private static boolean isKnown(String base) {
    return switch (base) {
      case "StringEquals", "ArnEquals", "StringEqualsIgnoreCase", "StringLike", "ArnLike", "Bool" -> true;
      default -> false;
    };
  }

  /** The request's values for a condition key, or null when the key is absent. */
  private static List<String> values(String key, PolicyDocument.Request r) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith("kms:encryptioncontext:")) {
      String wanted = key.substring("kms:EncryptionContext:".length());
      for (Map.Entry<String, String> e : r.encryptionContext().entrySet()) {
        if (e.getKey().equalsIgnoreCase(wanted)) {
          return List.of(e.getValue());
        }
      }
      return null;
    }
    return switch (lower) {
      case "kms:encryptioncontextkeys" -> r.encryptionContext().isEmpty() ? null
          : List.copyOf(r.encryptionContext().keySet());
      case "kms:viaservice" -> r.viaService() == null ? null : List.of(r.viaService());
      case "kms:calleraccount", "aws:principalaccount" -> List.of(r.principalAccount());
      case "aws:principalarn" -> List.of(r.principalArn());
      default -> null;
    };
  }
}
