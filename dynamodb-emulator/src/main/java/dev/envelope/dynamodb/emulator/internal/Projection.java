package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.emulator.internal.Expressions.Path;
import java.util.List;

/**
 * A ProjectionExpression applied to an item: only the named paths, nested maps kept as maps of what was named,
 * list elements named by index kept in index order (as DynamoDB returns them, without gaps).
 */
final class Projection {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Projection() {}

  /** The request's ProjectionExpression parsed with its names, or null when it has none. */
  static List<Path> of(ObjectNode request, Expressions expressions) {
    return request.has("ProjectionExpression")
        ? expressions.parseProjection(request.get("ProjectionExpression").asText()) : null;
  }

  static ObjectNode apply(List<Path> paths, ObjectNode item) {
    if (paths == null) {
      return item.deepCopy();
    }
    ObjectNode out = JSON.objectNode();
    for (Path path : paths) {
      JsonNode value = Evaluator.resolve(path, item);
      if (value != null) {
        place(out, path, item);
      }
    }
    return out;
  }

  /** Copies the value at {@code path} into {@code out}, creating the enclosing maps and lists as they are. */
  private static void place(ObjectNode out, Path path, ObjectNode item) {
    List<Object> elements = path.elements();
    JsonNode source = item.get(path.top());
    if (elements.size() == 1) {
      out.set(path.top(), source.deepCopy());
      return;
    }
    JsonNode target = out.get(path.top());
    if (target == null) {
      target = JSON.objectNode().set(AttributeValues.type(source), containerOf(source));
      out.set(path.top(), target);
    }
    for (int i = 1; i < elements.size(); i++) {
      Object element = elements.get(i);
      boolean last = i == elements.size() - 1;
      String type = AttributeValues.type(source);
      JsonNode next = element instanceof Integer index ? source.get("L").get(index)
          : source.get("M").get((String) element);
      if (element instanceof Integer) {
        ArrayNode list = (ArrayNode) target.get(type);
        JsonNode copy = last ? next.deepCopy() : JSON.objectNode().set(AttributeValues.type(next), containerOf(next));
        list.add(copy);
        target = copy;
      } else {
        ObjectNode map = (ObjectNode) target.get(type);
        JsonNode existing = map.get((String) element);
        if (last) {
          map.set((String) element, next.deepCopy());
        } else if (existing == null) {
          existing = JSON.objectNode().set(AttributeValues.type(next), containerOf(next));
          map.set((String) element, existing);
        }
        target = existing;
      }
      source = next;
    }
  }

  private static JsonNode containerOf(JsonNode value) {
    return AttributeValues.type(value).equals("L") ? JSON.arrayNode() : JSON.objectNode();
  }
}
