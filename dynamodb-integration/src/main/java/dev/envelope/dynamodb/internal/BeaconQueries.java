package dev.envelope.dynamodb.internal;

import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.beacon.Beacons;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.internal.dbe.DbeAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Rewrites the key condition and filter of a Query or Scan that search beacons, as the AWS Database Encryption SDK
 * does, and gives the check that drops false positives (beacons are truncated hashes) from the decrypted results.
 * The supported shape is a conjunction ({@code AND}) whose beacon clauses are {@code beacon = :value} (standard and
 * compound beacons) or {@code begins_with(beacon, :value)} (compound beacons); a beacon inside {@code OR},
 * {@code NOT} or parentheses, another operator on a beacon, or a placeholder used twice, is refused with the reason.
 */
public final class BeaconQueries {
  private static final Pattern EQUALS = Pattern.compile("^\\s*(#?[A-Za-z0-9_]+)\\s*=\\s*(:[A-Za-z0-9_]+)\\s*$");
  private static final Pattern BEGINS_WITH = Pattern.compile(
      "^\\s*begins_with\\s*\\(\\s*(#?[A-Za-z0-9_]+)\\s*,\\s*(:[A-Za-z0-9_]+)\\s*\\)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern AND = Pattern.compile("\\s+(?i:AND)\\s+");

  private BeaconQueries() {}

  /** A rewritten request's expressions and placeholders, and the check of its decrypted items. */
  public record Rewritten(String keyCondition, String filter, Map<String, String> names,
      Map<String, AttributeValue> values, Predicate<Map<String, AttributeValue>> matches) {}

  /** One beacon clause, kept to check decrypted items against the plaintext value it asked for. */
  private record Clause(String beacon, boolean prefix, AttributeValue value) {}

  /**
   * The request rewritten, or null when neither expression names a beacon.
   *
   * @throws UnsupportedRequestException for a beacon used in a shape this rewriting does not support
   */
  public static Rewritten rewrite(Beacons beacons, String table, String keyCondition, String filter,
      Map<String, String> names, Map<String, AttributeValue> values) {
    Map<String, String> newNames = new HashMap<>(names);
    Map<String, AttributeValue> newValues = new HashMap<>(values);
    List<Clause> clauses = new ArrayList<>();
    String joined = (keyCondition == null ? "" : keyCondition) + " " + (filter == null ? "" : filter);
    String key = rewriteExpression(beacons, table, keyCondition, joined, newNames, newValues, clauses);
    String rewrittenFilter = rewriteExpression(beacons, table, filter, joined, newNames, newValues, clauses);
    if (clauses.isEmpty()) {
      return null;
    }
    return new Rewritten(key, rewrittenFilter, newNames, newValues, item -> clauses.stream()
        .allMatch(c -> matches(beacons, c, item)));
  }

  private static String rewriteExpression(Beacons beacons, String table, String expression, String all,
      Map<String, String> names, Map<String, AttributeValue> values, List<Clause> clauses) {
    if (expression == null) {
      return null;
    }
    String[] parts = AND.split(expression);
    List<String> out = new ArrayList<>();
    boolean rewrote = false;
    for (String part : parts) {
      Matcher eq = EQUALS.matcher(part);
      Matcher bw = BEGINS_WITH.matcher(part);
      boolean isEq = eq.matches();
      boolean isBw = !isEq && bw.matches();
      Matcher m = isEq ? eq : bw;
      String beacon = isEq || isBw ? beaconName(m.group(1), names, beacons) : null;
      if (beacon == null) {
        refuseHiddenBeacon(beacons, table, part, names);
        out.add(part);
        continue;
      }
      String operand = m.group(1);
      String placeholder = m.group(2);
      AttributeValue given = values.get(placeholder);
      if (given == null) {
        throw new UnsupportedRequestException("Table " + table + ": " + placeholder + " has no value");
      }
      if (occurrences(all, placeholder) != 1 || operand.startsWith("#") && occurrences(all, operand) != 1) {
        throw new UnsupportedRequestException("Table " + table + ": " + (occurrences(all, placeholder) != 1
            ? placeholder : operand) + " is used by beacon " + beacon + " and elsewhere; give the beacon "
            + "placeholders of its own");
      }
      String stored;
      StandardBeacon standard = beacons.standard(beacon).orElse(null);
      if (standard != null) {
        if (isBw) {
          throw new UnsupportedRequestException("Table " + table + ": begins_with on standard beacon " + beacon
              + ": a standard beacon is a hash and only compares for equality; use a compound beacon");
        }
        stored = beacons.standardBeacon(beacon, given);
      } else {
        if (given.type() != AttributeValue.Type.S) {
          throw new UnsupportedRequestException("Table " + table + ": compound beacon " + beacon + " compares "
              + "with a string, not " + given.type());
        }
        try {
          stored = beacons.compoundQueryValue(beacon, given.s(), isBw);
        } catch (IllegalArgumentException e) {
          throw new UnsupportedRequestException("Table " + table + ": " + e.getMessage());
        }
      }
      clauses.add(new Clause(beacon, isBw, given));
      values.put(placeholder, AttributeValue.fromS(stored));
      String attribute = Beacons.ATTRIBUTE_PREFIX + beacon;
      String newOperand = operand;
      if (operand.startsWith("#")) {
        names.put(operand, attribute);
      } else {
        newOperand = attribute;
      }
      out.add(isEq ? newOperand + " = " + placeholder : "begins_with(" + newOperand + ", " + placeholder + ")");
      rewrote = true;
    }
    return rewrote ? String.join(" AND ", out) : expression;
  }

  /** The beacon an operand names (directly or through its placeholder), or null. */
  private static String beaconName(String operand, Map<String, String> names, Beacons beacons) {
    String name = operand.startsWith("#") ? names.get(operand) : operand;
    if (name == null) {
      return null;
    }
    return beacons.standard(name).isPresent() || beacons.compound(name).isPresent() ? name : null;
  }

  /** A clause not in a supported shape must not name a beacon at all. */
  private static void refuseHiddenBeacon(Beacons beacons, String table, String clause, Map<String, String> names) {
    for (String name : ExpressionNames.referenced(clause, names)) {
      if (beacons.standard(name).isPresent() || beacons.compound(name).isPresent()) {
        throw new UnsupportedRequestException("Table " + table + ": beacon " + name + " appears in '" + clause.trim()
            + "'; beacons are searched only as 'beacon = :value' or 'begins_with(beacon, :value)' (compound "
            + "beacons), joined by AND");
      }
    }
  }

  private static int occurrences(String text, String token) {
    Matcher m = Pattern.compile(Pattern.quote(token) + "(?![A-Za-z0-9_])").matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Whether a decrypted item really has the value a beacon clause asked for (a beacon match may be a collision). */
  private static boolean matches(Beacons beacons, Clause clause, Map<String, AttributeValue> item) {
    StandardBeacon standard = beacons.standard(clause.beacon()).orElse(null);
    if (standard != null) {
      AttributeValue actual = item.get(standard.location());
      return actual != null && DbeAttributes.typeId(actual) == DbeAttributes.typeId(clause.value())
          && Arrays.equals(DbeAttributes.serialize(actual), DbeAttributes.serialize(clause.value()));
    }
    CompoundBeacon compound = beacons.compound(clause.beacon()).orElseThrow();
    String[] pieces = clause.value().s().split(Pattern.quote(String.valueOf(compound.split())), -1);
    for (int i = 0; i < pieces.length; i++) {
      CompoundBeacon.Part part = Beacons.partOf(compound, pieces[i]);
      String wanted = pieces[i].substring(part.prefix().length());
      AttributeValue actual = item.get(beacons.locationOf(part));
      String text = actual == null ? null : actual.type() == AttributeValue.Type.S ? actual.s()
          : actual.type() == AttributeValue.Type.N ? actual.n() : null;
      boolean last = i == pieces.length - 1;
      if (text == null || !(clause.prefix() && last ? text.startsWith(wanted) : text.equals(wanted))) {
        return false;
      }
    }
    return true;
  }
}
