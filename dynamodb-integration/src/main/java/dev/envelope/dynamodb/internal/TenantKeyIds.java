package dev.envelope.dynamodb.internal;

import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.TerminalLocation;
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
import dev.envelope.dynamodb.internal.expr.Condition.ValueOperand;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The branch key id a multi-tenant search names, as the AWS library finds it: the string values compared with the
 * key field, or, in a compound beacon with one signed part on the key field, that part's piece without its prefix;
 * anywhere in the key condition and filter.
 */
final class TenantKeyIds {
  private final BeaconConfig config;
  private final Map<String, String> names;
  private final Map<String, AttributeValue> values;

  private TenantKeyIds(BeaconConfig config, Map<String, String> names, Map<String, AttributeValue> values) {
    this.config = config;
    this.names = names;
    this.values = values;
  }

  /**
   * A multi-tenant search's branch key id, null when it names none.
   *
   * @throws UnsupportedRequestException when it names more than one
   */
  static String find(BeaconConfig config, String table, Map<String, String> names,
      Map<String, AttributeValue> values, Condition... conditions) {
    TenantKeyIds search = new TenantKeyIds(config, names, values);
    Set<String> ids = new LinkedHashSet<>();
    for (Condition c : conditions) {
      search.collect(c, ids);
    }
    if (ids.size() > 1) {
      throw new UnsupportedRequestException("Table " + table + ": Multiple values found for "
          + config.keyFieldName().get() + " in query : " + String.join(", ", ids));
    }
    return ids.isEmpty() ? null : ids.iterator().next();
  }

  private void collect(Condition c, Set<String> ids) {
    if (c instanceof And a) {
      collect(a.left(), ids);
      collect(a.right(), ids);
    } else if (c instanceof Or o) {
      collect(o.left(), ids);
      collect(o.right(), ids);
    } else if (c instanceof Not n) {
      collect(n.condition(), ids);
    } else if (c instanceof Comparison cmp) {
      keyIdOf(cmp.left(), cmp.right(), ids);
      keyIdOf(cmp.right(), cmp.left(), ids);
    } else if (c instanceof Between b) {
      keyIdOf(b.value(), b.low(), ids);
      keyIdOf(b.value(), b.high(), ids);
    } else if (c instanceof In in) {
      in.candidates().forEach(candidate -> keyIdOf(in.value(), candidate, ids));
    } else if (c instanceof Call call && call.arguments().size() == 2) {
      keyIdOf(call.arguments().get(0), call.arguments().get(1), ids);
    }
  }

  private void keyIdOf(Operand attribute, Operand value, Set<String> ids) {
    if (!(attribute instanceof PathOperand path) || path.path().nested()
        || !(value instanceof ValueOperand v) || values.get(v.placeholder()) == null
        || values.get(v.placeholder()).type() != AttributeValue.Type.S) {
      return;
    }
    String top = path.path().top();
    String name = top.startsWith("#") ? names.get(top) : top;
    String given = values.get(v.placeholder()).s();
    String field = config.keyFieldName().get();
    if (field.equals(name)) {
      ids.add(given);
      return;
    }
    CompoundBeacon compound = name == null ? null : config.compound(name).orElse(null);
    if (compound == null) {
      return;
    }
    List<CompoundBeacon.Part> onField = compound.parts().stream().filter(p -> !p.encrypted()
        && TerminalLocation.parse(p.location()).attribute().equals(field)).toList();
    if (onField.size() != 1) {
      return;
    }
    List<String> pieces = compound.pieces(given).stream().filter(p -> p.startsWith(onField.get(0).prefix()))
        .toList();
    if (pieces.size() == 1) {
      ids.add(pieces.get(0).substring(onField.get(0).prefix().length()));
    }
  }
}
