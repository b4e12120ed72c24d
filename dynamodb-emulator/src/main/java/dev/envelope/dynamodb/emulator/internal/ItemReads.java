package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Scan and Query: items in key order, a page at a time as DynamoDB pages them, narrowed by a key condition and a
 * filter. Called by the {@link Engine} under its lock.
 */
final class ItemReads {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Where DynamoDB ends a Query or Scan page: 1 MB of items read. */
  static final long PAGE_BYTES = 1024 * 1024;

  private final Engine engine;

  ItemReads(Engine engine) {
    this.engine = engine;
  }

  /** The request's Limit (no limit when absent); below 1 is DynamoDB's ValidationException. */
  private static int limit(ObjectNode request) {
    int limit = request.path("Limit").asInt(Integer.MAX_VALUE);
    if (limit < 1) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to "
          + "satisfy constraint: Member must have value greater than or equal to 1");
    }
    return limit;
  }

  /** A page of the table in key order: {@code Limit} items or 1 MB, whichever comes first. */
  ObjectNode scan(ObjectNode request) {
    Table table = engine.table(request);
    int limit = limit(request);
    Expressions expressions = new Expressions(request);
    Expressions.Condition filter = request.has("FilterExpression")
        ? expressions.parseCondition(request.get("FilterExpression").asText(), "Filter") : null;
    List<Expressions.Path> projection = Projection.of(request, expressions);
    expressions.checkAllUsed();
    JsonNode start = request.get("ExclusiveStartKey");
    NavigableMap<Table.Key, ObjectNode> rest = start == null ? table.items
        : table.items.tailMap(table.keyOfRequest(start), false);
    return page(table, rest.values(), limit, filter, projection, request);
  }

  /**
   * One page of {@code candidates}, in order: {@code Limit} items read or 1 MB, whichever first; the filter is
   * applied to what was read (Count) and does not change where the page ends (ScannedCount), as in DynamoDB.
   */
  private static ObjectNode page(Table table, Iterable<ObjectNode> candidates, int limit,
      Expressions.Condition filter, List<Expressions.Path> projection, ObjectNode request) {
    boolean countOnly = request.path("Select").asText("ALL_ATTRIBUTES").equals("COUNT");
    ObjectNode response = JSON.objectNode();
    ArrayNode items = countOnly ? null : response.putArray("Items");
    int scanned = 0;
    int count = 0;
    long bytes = 0;
    ObjectNode last = null;
    boolean pageFull = false;
    for (ObjectNode item : candidates) {
      scanned++;
      bytes += AttributeValues.itemSize(item);
      last = item;
      if (filter == null || Evaluator.matches(filter, item)) {
        count++;
        if (items != null) {
          items.add(Projection.apply(projection, item));
        }
      }
      // As DynamoDB: a page ends at Limit items read or once it holds 1 MB, and then names where to go on, even
      // when nothing follows (the next page is empty).
      if (scanned == limit || bytes >= PAGE_BYTES) {
        pageFull = true;
        break;
      }
    }
    response.put("Count", count);
    response.put("ScannedCount", scanned);
    if (pageFull) {
      response.set("LastEvaluatedKey", table.keyAttributes(last));
    }
    return response;
  }

  /** A Query: one partition, in sort key order (or reversed), narrowed by the key condition. */
  ObjectNode query(ObjectNode request) {
    Table table = engine.table(request);
    int limit = limit(request);
    if (!request.has("KeyConditionExpression")) {
      throw DynamoDbError.validation("Either the KeyConditions or KeyConditionExpression parameter must be "
          + "specified in the request.");
    }
    Expressions expressions = new Expressions(request);
    KeyCondition key = KeyCondition.of(expressions.parseCondition(request.get("KeyConditionExpression").asText(),
        "KeyCondition"), table);
    Expressions.Condition filter = request.has("FilterExpression")
        ? expressions.parseCondition(request.get("FilterExpression").asText(), "Filter") : null;
    List<Expressions.Path> projection = Projection.of(request, expressions);
    expressions.checkAllUsed();
    NavigableMap<Table.Key, ObjectNode> partition = partitionOf(table, key.partition());
    boolean forward = request.path("ScanIndexForward").asBoolean(true);
    NavigableMap<Table.Key, ObjectNode> ordered = forward ? partition : partition.descendingMap();
    JsonNode start = request.get("ExclusiveStartKey");
    if (start != null) {
      ordered = ordered.tailMap(table.keyOfRequest(start), false);
    }
    List<ObjectNode> matching = new ArrayList<>();
    for (ObjectNode item : ordered.values()) {
      if (key.matchesSort(item)) {
        matching.add(item);
      }
    }
    return page(table, matching, limit, filter, projection, request);
  }

  private static NavigableMap<Table.Key, ObjectNode> partitionOf(Table table, JsonNode partition) {
    NavigableMap<Table.Key, ObjectNode> out = new TreeMap<>(Table.ORDER);
    for (Map.Entry<Table.Key, ObjectNode> e : table.items.tailMap(new Table.Key(partition, null), true)
        .entrySet()) {
      if (!AttributeValues.sameValue(e.getKey().partition(), partition)) {
        break;
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }
}
