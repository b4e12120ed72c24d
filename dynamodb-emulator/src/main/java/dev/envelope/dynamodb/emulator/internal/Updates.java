package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.emulator.internal.Expressions.Action;
import dev.envelope.dynamodb.emulator.internal.Expressions.Arithmetic;
import dev.envelope.dynamodb.emulator.internal.Expressions.IfNotExists;
import dev.envelope.dynamodb.emulator.internal.Expressions.ListAppend;
import dev.envelope.dynamodb.emulator.internal.Expressions.Path;
import dev.envelope.dynamodb.emulator.internal.Expressions.Plain;
import dev.envelope.dynamodb.emulator.internal.Expressions.PathOperand;
import dev.envelope.dynamodb.emulator.internal.Expressions.SetValue;
import dev.envelope.dynamodb.emulator.internal.Expressions.ValueOperand;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies an update expression to an item as DynamoDB does: every operand is read from the item as it was before
 * the update, key attributes cannot change, overlapping paths are refused, a nested path needs its parent.
 */
final class Updates {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Updates() {}

  /** The updated item; {@code before} is null for an item that does not exist yet ({@code key} then seeds it). */
  static ObjectNode apply(List<Action> actions, ObjectNode before, ObjectNode key, Table table) {
    checkPaths(actions, table);
    ObjectNode original = before == null ? key.deepCopy() : before;
    ObjectNode after = original.deepCopy();
    List<Action> removals = new ArrayList<>();
    for (Action action : actions) {
      switch (action.clause()) {
        case "SET" -> put(after, action.path(), evaluate(action.value(), original));
        case "REMOVE" -> removals.add(action);
        case "ADD" -> add(after, action.path(), evaluate(action.value(), original));
        case "DELETE" -> delete(after, action.path(), evaluate(action.value(), original));
        default -> throw new IllegalStateException(action.clause());
      }
    }
    // Removals last and from the highest list index down, so that indexes mean what they meant before the update.
    removals.sort((a, b) -> Integer.compare(lastIndex(b.path()), lastIndex(a.path())));
    for (Action action : removals) {
      remove(after, action.path());
    }
    return after;
  }

  /** The top-level attributes an update touches: what UPDATED_OLD and UPDATED_NEW return. */
  static Set<String> touched(List<Action> actions) {
    Set<String> names = new LinkedHashSet<>();
    actions.forEach(a -> names.add(a.path().top()));
    return names;
  }

  private static int lastIndex(Path path) {
    Object last = path.elements().get(path.elements().size() - 1);
    return last instanceof Integer i ? i : -1;
  }

  private static void checkPaths(List<Action> actions, Table table) {
    for (int i = 0; i < actions.size(); i++) {
      Path path = actions.get(i).path();
      if (path.top().equals(table.partitionKey) || path.top().equals(table.sortKey)) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Cannot update attribute "
            + path.top() + ". This attribute is part of the key");
      }
      for (int j = 0; j < i; j++) {
        Path other = actions.get(j).path();
        if (overlaps(path, other)) {
          throw DynamoDbError.validation("Invalid UpdateExpression: Two document paths overlap with each other; "
              + "must remove or rewrite one of these paths; path one: [" + other + "], path two: [" + path + "]");
        }
      }
    }
  }

  private static boolean overlaps(Path a, Path b) {
    int n = Math.min(a.elements().size(), b.elements().size());
    return a.elements().subList(0, n).equals(b.elements().subList(0, n));
  }

  private static JsonNode evaluate(SetValue value, ObjectNode item) {
    if (value instanceof Plain plain) {
      JsonNode v;
      if (plain.operand() instanceof ValueOperand vo) {
        v = vo.value();
      } else if (plain.operand() instanceof PathOperand po) {
        v = Evaluator.resolve(po.path(), item);
      } else {
        throw DynamoDbError.validation("Invalid UpdateExpression: The function is not allowed in an update "
            + "expression; function: size");
      }
      if (v == null) {
        throw DynamoDbError.validation("The provided expression refers to an attribute that does not exist in the "
            + "item");
      }
      return v;
    }
    if (value instanceof IfNotExists ine) {
      JsonNode existing = Evaluator.resolve(ine.path(), item);
      return existing != null ? existing : evaluate(ine.fallback(), item);
    }
    if (value instanceof ListAppend la) {
      JsonNode first = evaluate(la.first(), item);
      JsonNode second = evaluate(la.second(), item);
      if (!AttributeValues.type(first).equals("L") || !AttributeValues.type(second).equals("L")) {
        throw DynamoDbError.validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
            + "operator or function: list_append, operand type: " + AttributeValues.type(
            AttributeValues.type(first).equals("L") ? second : first));
      }
      ObjectNode out = JSON.objectNode();
      ArrayNode list = out.putArray("L");
      first.get("L").forEach(e -> list.add(e.deepCopy()));
      second.get("L").forEach(e -> list.add(e.deepCopy()));
      return out;
    }
    Arithmetic a = (Arithmetic) value;
    JsonNode left = evaluate(a.left(), item);
    JsonNode right = evaluate(a.right(), item);
    for (JsonNode operand : List.of(left, right)) {
      if (!AttributeValues.type(operand).equals("N")) {
        throw DynamoDbError.validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
            + "operator or function: " + a.operator() + ", operand type: " + AttributeValues.type(operand));
      }
    }
    BigDecimal l = new BigDecimal(left.get("N").textValue());
    BigDecimal r = new BigDecimal(right.get("N").textValue());
    return JSON.objectNode().put("N", AttributeValues.number((a.operator().equals("+") ? l.add(r) : l.subtract(r))
        .toPlainString()));
  }

  private static DynamoDbError invalidPath() {
    return DynamoDbError.validation("The document path provided in the update expression is invalid for update");
  }

  /** The container (an M's map or an L's list) that holds the last element of {@code path}, or an error. */
  private static JsonNode parent(ObjectNode item, Path path) {
    JsonNode current = item;
    List<Object> elements = path.elements();
    for (int i = 0; i < elements.size() - 1; i++) {
      Object element = elements.get(i);
      JsonNode next;
      if (element instanceof Integer index) {
        JsonNode list = current.get("L");
        next = list == null || index >= list.size() ? null : list.get(index);
      } else {
        next = i == 0 ? current.get((String) element) : current.get("M") == null ? null
            : current.get("M").get((String) element);
      }
      if (next == null) {
        throw invalidPath();
      }
      current = next;
    }
    if (elements.size() == 1) {
      return item;
    }
    Object last = elements.get(elements.size() - 1);
    JsonNode container = last instanceof Integer ? current.get("L") : current.get("M");
    if (container == null) {
      throw invalidPath();
    }
    return container;
  }

  private static void put(ObjectNode item, Path path, JsonNode value) {
    JsonNode container = parent(item, path);
    Object last = path.elements().get(path.elements().size() - 1);
    if (last instanceof Integer index) {
      ArrayNode list = (ArrayNode) container;
      if (index >= list.size()) {
        list.add(value.deepCopy());
      } else {
        list.set(index, value.deepCopy());
      }
    } else {
      ((ObjectNode) container).set((String) last, value.deepCopy());
    }
  }

  private static void remove(ObjectNode item, Path path) {
    JsonNode container;
    try {
      container = parent(item, path);
    } catch (DynamoDbError missing) {
      return; // removing what is not there is not an error
    }
    Object last = path.elements().get(path.elements().size() - 1);
    if (last instanceof Integer index) {
      ArrayNode list = (ArrayNode) container;
      if (index < list.size()) {
        list.remove(index);
      }
    } else {
      ((ObjectNode) container).remove((String) last);
    }
  }

  private static void add(ObjectNode item, Path path, JsonNode value) {
    if (path.elements().size() != 1) {
      throw DynamoDbError.validation("Invalid UpdateExpression: ADD action is not supported for a nested path");
    }
    String type = AttributeValues.type(value);
    JsonNode existing = item.get(path.top());
    if (type.equals("N")) {
      if (existing != null && !AttributeValues.type(existing).equals("N")) {
        throw wrongType("ADD", existing);
      }
      BigDecimal base = existing == null ? BigDecimal.ZERO : new BigDecimal(existing.get("N").textValue());
      item.set(path.top(), JSON.objectNode().put("N", AttributeValues.number(
          base.add(new BigDecimal(value.get("N").textValue())).toPlainString())));
    } else if (type.length() == 2 && type.endsWith("S")) {
      if (existing != null && !AttributeValues.type(existing).equals(type)) {
        throw wrongType("ADD", existing);
      }
      Set<String> union = new LinkedHashSet<>();
      if (existing != null) {
        existing.get(type).forEach(e -> union.add(e.textValue()));
      }
      value.get(type).forEach(e -> union.add(e.textValue()));
      ObjectNode set = JSON.objectNode();
      ArrayNode elements = set.putArray(type);
      union.forEach(elements::add);
      item.set(path.top(), set);
    } else {
      throw wrongType("ADD", value);
    }
  }

  private static void delete(ObjectNode item, Path path, JsonNode value) {
    String type = AttributeValues.type(value);
    if (path.elements().size() != 1 || !(type.length() == 2 && type.endsWith("S"))) {
      throw wrongType("DELETE", value);
    }
    JsonNode existing = item.get(path.top());
    if (existing == null) {
      return;
    }
    if (!AttributeValues.type(existing).equals(type)) {
      throw wrongType("DELETE", existing);
    }
    Set<String> remove = new LinkedHashSet<>();
    value.get(type).forEach(e -> remove.add(e.textValue()));
    ObjectNode set = JSON.objectNode();
    ArrayNode elements = set.putArray(type);
    existing.get(type).forEach(e -> {
      if (!remove.contains(e.textValue())) {
        elements.add(e.textValue());
      }
    });
    if (elements.isEmpty()) {
      item.remove(path.top());
    } else {
      item.set(path.top(), set);
    }
  }

  private static DynamoDbError wrongType(String operator, JsonNode operand) {
    return DynamoDbError.validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
        + "operator: " + operator + ", operand type: " + AttributeValues.type(operand));
  }
}
