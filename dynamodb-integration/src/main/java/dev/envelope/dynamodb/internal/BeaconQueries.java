package dev.envelope.dynamodb.internal;

import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.BeaconStyle;
import dev.envelope.dynamodb.beacon.Beacons;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.internal.expr.Condition;
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
import dev.envelope.dynamodb.internal.expr.ConditionEvaluator;
import dev.envelope.dynamodb.internal.expr.ExpressionTokens;
import dev.envelope.dynamodb.internal.expr.ExpressionTokens.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Rewrites the key condition and filter of a Query or Scan on a table with beacons, as the AWS Database Encryption
 * SDK 3.9.0 does: a beacon's name becomes its attribute {@code aws_dbe_b_<name>} (signed beacons keep theirs), and
 * each value compared with it becomes the beacon of that value. Any expression shape works (AND, OR, NOT,
 * parentheses); per beacon, the operators the AWS library allows:
 * <ul>
 *   <li>standard beacons: {@code =}, {@code IN}, {@code contains} (hashes have no order, so no {@code <>},
 *       {@code <}, {@code BETWEEN} or {@code begins_with});</li>
 *   <li>compound beacons: all, with {@code <}, {@code <=}, {@code >}, {@code >=} only on values whose encrypted part
 *       is at most a last bare prefix, and BETWEEN only on bounds that are such after their common pieces;</li>
 *   <li>an encrypted attribute without a beacon: only {@code attribute_exists} and {@code attribute_not_exists};
 *       {@code size} and {@code attribute_type} on an encrypted attribute are refused.</li>
 * </ul>
 * The results' check re-evaluates the expressions as the caller wrote them on the decrypted items, so that the
 * false positives of truncated beacons are dropped. Unlike the AWS library, a hashed beacon value under
 * {@code NOT} (or {@code <>} anywhere) is refused: DynamoDB would drop the items whose beacon collides with the value's
 * (true results, silently lost, which no check after decryption can bring back).
 */
public final class BeaconQueries {
  private BeaconQueries() {}

  /**
   * A rewritten request's expressions and placeholders, and the check of its decrypted items ({@code matches} is
   * null when no value was replaced by a hash: then DynamoDB's comparison was exact). A multi-tenant search's
   * {@code beaconKeyId} is the branch key id whose items alone it finds (null otherwise).
   */
  public record Rewritten(String keyCondition, String filter, Map<String, String> names,
      Map<String, AttributeValue> values, Predicate<Map<String, AttributeValue>> matches, String beaconKeyId) {}

  /**
   * The request rewritten, or null when its expressions need no change (they name no beacon, or only signed ones);
   * either way, checked.
   *
   * @param encrypted whether a top-level attribute is ENCRYPT_AND_SIGN
   * @throws UnsupportedRequestException for a use of a beacon or an encrypted attribute that cannot work, with the
   *     reason
   */
  public static Rewritten rewrite(BeaconConfig config, Predicate<String> encrypted, String table,
      String keyCondition, String filter, Map<String, String> names, Map<String, AttributeValue> values) {
    Rewriting rewriting = new Rewriting(config, encrypted, table, names, values);
    Condition keyTree = rewriting.parse(keyCondition);
    Condition filterTree = rewriting.parse(filter);
    if (config.keyFieldName().isPresent()) {
      rewriting.keyId = TenantKeyIds.find(config, table, names, values, keyTree, filterTree);
    }
    Parsed key = rewriting.rewrite(keyCondition, keyTree);
    Parsed rewrittenFilter = rewriting.rewrite(filter, filterTree);
    if ((key == null || !key.changed()) && (rewrittenFilter == null || !rewrittenFilter.changed())) {
      return null;
    }
    Map<String, AttributeValue> newValues = new HashMap<>(values);
    newValues.putAll(rewriting.newValues);
    Predicate<Map<String, AttributeValue>> matches = null;
    if (rewriting.hashed) {
      ConditionEvaluator evaluator = new ConditionEvaluator(names, values);
      Beacons beacons = config.keyless();
      matches = item -> {
        Map<String, AttributeValue> plain = beacons.plainBeacons(item); // a new map: the item's attributes win
        plain.putAll(item);
        return (key == null || evaluator.matches(key.condition(), plain))
            && (rewrittenFilter == null || evaluator.matches(rewrittenFilter.condition(), plain));
      };
    }
    return new Rewritten(key == null ? null : key.text(), rewrittenFilter == null ? null : rewrittenFilter.text(),
        rewriting.newNames, newValues, matches, matches == null ? null : rewriting.keyId);
  }

  private record Parsed(Condition condition, String text, boolean changed) {}

  /** What a path operand names. */
  private record Target(String name, StandardBeacon standard, CompoundBeacon compound) {
    boolean beacon() {
      return standard != null || compound != null;
    }
  }

  /** The state of rewriting one request's expressions. */
  private static final class Rewriting {
    private final BeaconConfig config;
    private final Predicate<String> encrypted;
    private final String table;
    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Map<String, String> newNames;
    private final Map<String, AttributeValue> newValues = new HashMap<>();
    /** The {@code #name} placeholders left as they are, to catch one also renamed to a beacon. */
    private final Map<String, Boolean> placeholderRenamed = new HashMap<>();
    private boolean hashed;
    /** A multi-tenant search's branch key id; null for none or single-tenant. */
    private String keyId;
    /** Whether the clause being visited is under an odd number of NOTs. */
    private boolean negated;
    private List<Token> tokens;

    Rewriting(BeaconConfig config, Predicate<String> encrypted, String table, Map<String, String> names,
        Map<String, AttributeValue> values) {
      this.config = config;
      this.encrypted = encrypted;
      this.table = table;
      this.names = names;
      this.values = values;
      this.newNames = new HashMap<>(names);
    }

    Condition parse(String expression) {
      return expression == null ? null : Condition.parse(ExpressionTokens.of(expression), expression);
    }

    /** The beacons that hash this search's values: the table's, or the tenant's its key field names. */
    private Beacons hashing(String beacon) {
      if (config.keyFieldName().isEmpty()) {
        return config.beacons();
      }
      if (keyId == null) {
        throw refused("Need KeyId because of beacon " + beacon + " but no KeyId found in query: compare "
            + config.keyFieldName().get() + " with the tenant's branch key id");
      }
      return config.beacons(keyId);
    }

    Parsed rewrite(String expression, Condition condition) {
      if (expression == null) {
        return null;
      }
      tokens = new ArrayList<>(ExpressionTokens.of(expression));
      List<Token> original = List.copyOf(tokens);
      visit(condition);
      boolean changed = !tokens.equals(original) || original.stream()
          .filter(t -> t.kind() == ExpressionTokens.Kind.VALUE)
          .anyMatch(t -> !Objects.equals(newValues.getOrDefault(t.text(), values.get(t.text())),
              values.get(t.text())))
          || original.stream().anyMatch(t -> t.kind() == ExpressionTokens.Kind.PATH && t.text().startsWith("#")
              && !Objects.equals(newNames.get(t.top()), names.get(t.top())));
      return new Parsed(condition, changed ? ExpressionTokens.join(tokens) : expression, changed);
    }

    private void visit(Condition c) {
      if (c instanceof And a) {
        visit(a.left());
        visit(a.right());
      } else if (c instanceof Or o) {
        visit(o.left());
        visit(o.right());
      } else if (c instanceof Not n) {
        negated = !negated;
        visit(n.condition());
        negated = !negated;
      } else if (c instanceof Comparison cmp) {
        comparison(cmp);
      } else if (c instanceof Between b) {
        between(b);
      } else if (c instanceof In in) {
        in(in);
      } else {
        call((Call) c);
      }
    }

    private void comparison(Comparison c) {
      Target left = target(c.left());
      Target right = target(c.right());
      if (left == null && right == null) {
        plain(c.left());
        plain(c.right());
        return;
      }
      if (left != null && right != null) {
        // Two beacons of one key (a Shared beacon and its other) compare for equality.
        checkOperator(left, c.operator(), null);
        checkOperator(right, c.operator(), null);
        if (!c.operator().equals("=")) {
          throw refused("beacons " + left.name() + " and " + right.name() + " compare only with '='");
        }
        if (negated) {
          throw refused("beacons " + left.name() + " and " + right.name() + " are compared under NOT, which would "
              + "lose items whose values differ but whose beacons collide. Search without NOT and filter the rest "
              + "after reading");
        }
        rename(left, (PathOperand) c.left());
        rename(right, (PathOperand) c.right());
        hashed = true;
        return;
      }
      Target beacon = left != null ? left : right;
      Operand other = left != null ? c.right() : c.left();
      ValueOperand value = valueOf(other, beacon);
      checkOperator(beacon, c.operator(), stringOf(value, beacon));
      rename(beacon, (PathOperand) (left != null ? c.left() : c.right()));
      boolean outer = negated;
      negated ^= c.operator().equals("<>"); // a <> b is NOT a = b, with the same loss
      replace(value, beacon, c.operator().equals("=") || c.operator().equals("<>"), false);
      negated = outer;
    }

    private void between(Between b) {
      Target beacon = target(b.value());
      if (beacon == null) {
        plain(b.value());
        plain(b.low());
        plain(b.high());
        if (target(b.low()) != null || target(b.high()) != null) {
          throw refused("a beacon or encrypted attribute is a bound of BETWEEN; compare the beacon with values");
        }
        return;
      }
      ValueOperand low = valueOf(b.low(), beacon);
      ValueOperand high = valueOf(b.high(), beacon);
      if (beacon.standard() != null) {
        throw refused("The operation 'BETWEEN' cannot be used with a standard beacon. A standard beacon is a hash "
            + "and compares only with =, IN or contains; search prefixes and ranges with a compound beacon");
      }
      String lowText = stringOf(low, beacon);
      String highText = stringOf(high, beacon);
      if (!beacon.compound().betweenComparable(lowText, highText)) {
        throw refused("To use BETWEEN with a compound beacon, the part after any common prefix must be "
            + "LessThanComparable : BETWEEN " + lowText + " AND " + highText);
      }
      rename(beacon, (PathOperand) b.value());
      replace(low, beacon, false, false);
      replace(high, beacon, false, false);
    }

    private void in(In in) {
      Target beacon = target(in.value());
      if (beacon == null) {
        plain(in.value());
        for (Operand candidate : in.candidates()) {
          plain(candidate);
          if (target(candidate) != null) {
            throw refused("a beacon or encrypted attribute is a candidate of IN; compare the beacon with values");
          }
        }
        return;
      }
      List<ValueOperand> candidates = new ArrayList<>();
      for (Operand candidate : in.candidates()) {
        candidates.add(valueOf(candidate, beacon));
      }
      for (ValueOperand candidate : candidates) {
        checkOperator(beacon, "IN", stringOf(candidate, beacon));
      }
      rename(beacon, (PathOperand) in.value());
      candidates.forEach(candidate -> replace(candidate, beacon, true, false));
    }

    private void call(Call call) {
      String function = call.function();
      Target beacon = target(call.arguments().get(0));
      if (function.equals("attribute_exists") || function.equals("attribute_not_exists")) {
        // Existence is not hidden by encryption: the attribute itself is asked about, not its beacon.
        PathOperand path = (PathOperand) call.arguments().get(0);
        if (path.path().text().startsWith("#")) {
          keepPlaceholder(path.path().top());
        }
        return;
      }
      if (beacon == null) {
        call.arguments().forEach(this::plain);
        if (call.arguments().size() > 1 && target(call.arguments().get(1)) != null) {
          throw refused("a beacon or encrypted attribute is the second argument of " + function);
        }
        return;
      }
      if (function.equals("size") || function.equals("attribute_type")) {
        throw refused("Function " + function + " cannot be used on encrypted fields, but it is being used with "
            + beacon.name());
      }
      ValueOperand value = valueOf(call.arguments().get(1), beacon);
      checkOperator(beacon, function, stringOf(value, beacon));
      rename(beacon, (PathOperand) call.arguments().get(0));
      replace(value, beacon, false, function.equals("contains"));
    }

    /** What a path operand names, or null for an operand that is neither a beacon nor encrypted. */
    private Target target(Operand operand) {
      if (operand instanceof SizeOperand size) {
        Target inner = target(size.path());
        if (inner != null) {
          throw refused("Function size cannot be used on encrypted fields, but it is being used with " + inner.name());
        }
        return null;
      }
      if (!(operand instanceof PathOperand path)) {
        return null;
      }
      String top = path.path().top();
      String name = top.startsWith("#") ? names.get(top) : top;
      if (name == null) {
        throw refused("Name " + top + " not in ExpressionAttributeNames.");
      }
      if (name.startsWith(Beacons.ATTRIBUTE_PREFIX)) {
        name = name.substring(Beacons.ATTRIBUTE_PREFIX.length());
      }
      StandardBeacon standard = config.standard(name).orElse(null);
      CompoundBeacon compound = config.compound(name).orElse(null);
      if (standard == null && compound == null && !encrypted.test(name)) {
        return null;
      }
      if (path.path().nested()) {
        throw refused("Field " + name + " is encrypted; a path into it (" + path.path().text() + ") cannot be "
            + "searched");
      }
      if (standard != null && standard.style().kind() == BeaconStyle.Kind.PART_ONLY) {
        throw refused("Field " + name + " is encrypted, and has a PartOnly beacon, and so can only be used as part "
            + "of a compound beacon.");
      }
      return new Target(name, standard, compound);
    }

    /** The value operand compared with a beacon; anything else is refused. */
    private ValueOperand valueOf(Operand operand, Target beacon) {
      if (!beacon.beacon()) {
        throw refused("Field " + beacon.name() + " is encrypted, and cannot be searched without a beacon.");
      }
      if (!(operand instanceof ValueOperand value)) {
        throw refused("beacon " + beacon.name() + " is compared with an attribute; a beacon compares with a value "
            + "placeholder (:value)");
      }
      if (!values.containsKey(value.placeholder())) {
        throw refused(value.placeholder() + " not found in ExpressionAttributeValueMap");
      }
      return value;
    }

    /** A compound beacon's query value as text (it must be S); null for a standard beacon or no value. */
    private String stringOf(ValueOperand value, Target beacon) {
      if (beacon.compound() == null || value == null) {
        return null;
      }
      AttributeValue given = values.get(value.placeholder());
      if (given.type() != AttributeValue.Type.S) {
        throw refused("Value " + value.placeholder() + " supplied for compound beacon " + beacon.name() + " is of "
            + "type " + given.type() + " but must be of type S (string).");
      }
      try {
        beacon.compound().checkQueryValue(given.s());
      } catch (IllegalArgumentException e) {
        throw refused(e.getMessage());
      }
      return given.s();
    }

    private void checkOperator(Target beacon, String operator, String value) {
      if (beacon.standard() != null) {
        if (!operator.equals("=") && !operator.equals("IN") && !operator.equals("contains")) {
          throw refused("The operation '" + operator + "' cannot be used with a standard beacon. A standard beacon "
              + "is a hash and compares only with =, IN or contains; search prefixes and ranges with a compound "
              + "beacon");
        }
      } else if (value != null && Set.of("<", "<=", ">", ">=").contains(operator)
          && !beacon.compound().lessThanComparable(beacon.compound().pieces(value))) {
        throw refused("The operation '" + operator + "' cannot be used with a compound beacon, unless the value is "
            + "LessThanComparable : " + value);
      }
    }

    /** A beacon's path token (or its {@code #name}) made to name the beacon's attribute. */
    private void rename(Target beacon, PathOperand path) {
      boolean signed = beacon.compound() != null && beacon.compound().signed();
      String attribute = signed ? beacon.name() : Beacons.ATTRIBUTE_PREFIX + beacon.name();
      String text = path.path().text();
      if (text.startsWith("#")) {
        if (Boolean.FALSE.equals(placeholderRenamed.put(text, true))) {
          throw conflict(text, beacon.name());
        }
        newNames.put(text, attribute);
      } else {
        tokens.set(path.token(), new Token(ExpressionTokens.Kind.PATH, attribute));
      }
    }

    private void keepPlaceholder(String placeholder) {
      if (Boolean.TRUE.equals(placeholderRenamed.put(placeholder, false))) {
        throw conflict(placeholder, names.get(placeholder));
      }
    }

    /** An operand of a clause without beacons: its value stays, its {@code #name} must not name a beacon. */
    private void plain(Operand operand) {
      if (operand instanceof ValueOperand value) {
        put(value.placeholder(), values.get(value.placeholder()));
      } else if (operand instanceof PathOperand path && path.path().text().startsWith("#")) {
        keepPlaceholder(path.path().top());
      }
    }

    private void replace(ValueOperand value, Target beacon, boolean forEquality, boolean contains) {
      AttributeValue given = values.get(value.placeholder());
      AttributeValue stored;
      boolean hashes = beacon.standard() != null || beacon.compound().hashes(given.s(), forEquality);
      if (hashes && negated) {
        throw refused("beacon " + beacon.name() + " is searched under NOT, which would lose items: a beacon is a "
            + "truncated hash, so the negation also drops every item whose value merely shares the beacon of "
            + value.placeholder() + ". Search without NOT and filter the rest after reading");
      }
      if (beacon.standard() != null) {
        stored = hashing(beacon.name()).standardQueryValue(beacon.name(), given, contains);
      } else if (hashes) {
        stored = AttributeValue.fromS(hashing(beacon.name()).compoundQueryValue(beacon.name(), given.s(),
            forEquality));
      } else {
        stored = given;
      }
      hashed |= hashes;
      put(value.placeholder(), stored);
    }

    private void put(String placeholder, AttributeValue value) {
      if (value == null) {
        return;
      }
      AttributeValue previous = newValues.putIfAbsent(placeholder, value);
      if (previous != null && !previous.equals(value)) {
        throw refused(placeholder + " used in two different contexts, which is not allowed.");
      }
    }

    private UnsupportedRequestException conflict(String placeholder, String name) {
      return refused(placeholder + " names " + name + " both as a beacon and as the attribute itself (in "
          + "attribute_exists or attribute_not_exists); give each use its own placeholder");
    }

    private UnsupportedRequestException refused(String reason) {
      return new UnsupportedRequestException("Table " + table + ": " + reason);
    }
  }
}
