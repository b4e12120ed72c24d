package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Scan and Query, on a table or on one of its secondary indexes: items in key order, a page at a time as DynamoDB
 * pages them, narrowed by a key condition and a filter, each item as the index projects it. Called by the
 * {@link Engine} under its lock.
 */
final class ItemReads {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Where DynamoDB ends a Query or Scan page: 1 MB of items read. */
  static final long PAGE_BYTES = 1024 * 1024;
  private static final int MAX_TOTAL_SEGMENTS = 1_000_000;
  private static final Set<String> SELECTS = Set.of("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
      "SPECIFIC_ATTRIBUTES", "COUNT");

  private final Engine engine;

  ItemReads(Engine engine) {
    this.engine = engine;
  }

  /** What a read goes through: the table itself, or one of its indexes, and how it shows each item. */
  private record Source(Table table, SecondaryIndex index, Function<ObjectNode, ObjectNode> view) {
    KeySchema schema() {
      return index == null ? table.schema : index.schema;
    }

    ObjectNode lastEvaluatedKey(ObjectNode item) {
      return index == null ? table.keyAttributes(item) : index.startKeyOf(item);
    }
  }

  private Source source(ObjectNode request, List<Expressions.Path> projection) {
    Table table = engine.table(request);
    String select = request.path("Select").asText(null);
    if (select != null && !SELECTS.contains(select)) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + select + "' at 'select' failed to "
          + "satisfy constraint: Member must satisfy enum value set: " + SELECTS);
    }
    if (select != null && projection != null && !select.equals("SPECIFIC_ATTRIBUTES")) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Select type " + select + " cannot "
          + "be combined with ProjectionExpression; use SPECIFIC_ATTRIBUTES (or leave Select out)");
    }
    if (!request.has("IndexName")) {
      if ("ALL_PROJECTED_ATTRIBUTES".equals(select)) {
        throw DynamoDbError.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
      }
      return new Source(table, null, Function.identity());
    }
    String name = request.get("IndexName").asText();
    SecondaryIndex index = table.indexes.get(name);
    if (index == null) {
      throw DynamoDbError.validation("The table does not have the specified index: " + name);
    }
    if (index.global && request.path("ConsistentRead").asBoolean(false)) {
      throw DynamoDbError.validation("Consistent reads are not supported on global secondary indexes");
    }
    boolean wantsAll = "ALL_ATTRIBUTES".equals(select);
    if (wantsAll && index.global && !index.projectionType.equals("ALL")) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
          + "supported for global secondary index " + name + " because its projection type is not ALL");
    }
    // A local index fetches what it does not project from the table, as DynamoDB does (at a cost there).
    boolean fetchFromTable = !index.global && (wantsAll || projection != null);
    return new Source(table, index, fetchFromTable ? Function.identity() : index::project);
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

  /**
   * A page of the table or index in key order: {@code Limit} items or 1 MB, whichever comes first; with
   * Segment/TotalSegments, only the partitions of that segment (a parallel scan).
   */
  ObjectNode scan(ObjectNode request) {
    int limit = limit(request);
    Expressions expressions = new Expressions(request);
    Expressions.Condition filter = request.has("FilterExpression")
        ? expressions.parseCondition(request.get("FilterExpression").asText(), "Filter") : null;
    List<Expressions.Path> projection = Projection.of(request, expressions);
    expressions.checkAllUsed();
    Source source = source(request, projection);
    Predicate<JsonNode> inSegment = segment(request);
    JsonNode start = request.get("ExclusiveStartKey");
    Iterable<ObjectNode> items;
    if (source.index() == null) {
      Table table = source.table();
      if (start != null && !inSegment.test(table.keyOfRequest(start).partition())) {
        throw startKeyOutsideSegment(request);
      }
      items = (start == null ? table.items : table.items.tailMap(table.keyOfRequest(start), false)).values();
    } else {
      SecondaryIndex index = source.index();
      NavigableMap<SecondaryIndex.Key, ObjectNode> entries = index.entries;
      if (start != null) {
        SecondaryIndex.Key startKey = startKey(source, start);
        if (!inSegment.test(startKey.partition())) {
          throw startKeyOutsideSegment(request);
        }
        entries = entries.tailMap(startKey, false);
      }
      items = entries.values();
    }
    String partitionKey = source.schema().partitionKey();
    Predicate<ObjectNode> read = item -> inSegment.test(item.get(partitionKey));
    return page(source, items, read, limit, filter, projection, request);
  }

  /** Which partition key values a parallel scan's segment holds: a stable hash of the value, as DynamoDB splits. */
  private static Predicate<JsonNode> segment(ObjectNode request) {
    boolean hasSegment = request.has("Segment");
    boolean hasTotal = request.has("TotalSegments");
    if (!hasSegment && !hasTotal) {
      return value -> true;
    }
    if (hasSegment != hasTotal) {
      throw DynamoDbError.validation("The TotalSegments parameter is required but was not present in the request "
          + "when Segment parameter is present");
    }
    int total = request.get("TotalSegments").asInt();
    int segment = request.get("Segment").asInt();
    if (total < 1 || total > MAX_TOTAL_SEGMENTS) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + total + "' at 'totalSegments' failed "
          + "to satisfy constraint: Member must have value " + (total < 1 ? "greater than or equal to 1"
          : "less than or equal to " + MAX_TOTAL_SEGMENTS));
    }
    if (segment < 0 || segment >= total) {
      throw DynamoDbError.validation("The Segment parameter is zero-based and must be less than parameter "
          + "TotalSegments: Segment: " + segment + " is out of bounds for TotalSegments: " + total);
    }
    return value -> Math.floorMod(value.toString().hashCode(), total) == segment;
  }

  private static DynamoDbError startKeyOutsideSegment(ObjectNode request) {
    return DynamoDbError.validation("The provided Exclusive start key does not map to the provided segment: "
        + request.get("Segment").asInt());
  }

  /**
   * One page: items read in order until {@code Limit} items or 1 MB, whichever first; the filter is applied to
   * what was read (Count) and does not change where the page ends (ScannedCount), as in DynamoDB. Items that
   * {@code read} rejects (another segment, outside the key condition) are not read at all.
   */
  private static ObjectNode page(Source source, Iterable<ObjectNode> candidates, Predicate<ObjectNode> read,
      int limit, Expressions.Condition filter, List<Expressions.Path> projection, ObjectNode request) {
    boolean countOnly = request.path("Select").asText("").equals("COUNT");
    ObjectNode response = JSON.objectNode();
    ArrayNode items = countOnly ? null : response.putArray("Items");
    int scanned = 0;
    int count = 0;
    long bytes = 0;
    ObjectNode last = null;
    boolean pageFull = false;
    for (ObjectNode stored : candidates) {
      if (!read.test(stored)) {
        continue;
      }
      ObjectNode item = source.view().apply(stored);
      scanned++;
      bytes += AttributeValues.itemSize(item);
      last = stored;
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
      response.set("LastEvaluatedKey", source.lastEvaluatedKey(last));
    }
    return response;
  }

  /** A Query: one partition of the table or index, in sort key order (or reversed), narrowed by the key condition. */
  ObjectNode query(ObjectNode request) {
    int limit = limit(request);
    if (!request.has("KeyConditionExpression")) {
      throw DynamoDbError.validation("Either the KeyConditions or KeyConditionExpression parameter must be "
          + "specified in the request.");
    }
    Expressions expressions = new Expressions(request);
    Expressions.Condition keyCondition = expressions.parseCondition(request.get("KeyConditionExpression").asText(),
        "KeyCondition");
    Expressions.Condition filter = request.has("FilterExpression")
        ? expressions.parseCondition(request.get("FilterExpression").asText(), "Filter") : null;
    List<Expressions.Path> projection = Projection.of(request, expressions);
    expressions.checkAllUsed();
    Source source = source(request, projection);
    KeyCondition key = KeyCondition.of(keyCondition, source.schema());
    boolean forward = request.path("ScanIndexForward").asBoolean(true);
    JsonNode start = request.get("ExclusiveStartKey");
    Iterable<ObjectNode> items;
    if (source.index() == null) {
      Table table = source.table();
      items = ordered(table.partition(key.partition()), forward, start == null ? null : table.keyOfRequest(start));
    } else {
      SecondaryIndex index = source.index();
      items = ordered(index.partition(key.partition()), forward, start == null ? null : startKey(source, start));
    }
    return page(source, items, key::matchesSort, limit, filter, projection, request);
  }

  private static <K> Iterable<ObjectNode> ordered(NavigableMap<K, ObjectNode> partition, boolean forward, K start) {
    NavigableMap<K, ObjectNode> ordered = forward ? partition : partition.descendingMap();
    return (start == null ? ordered : ordered.tailMap(start, false)).values();
  }

  /** An index read's ExclusiveStartKey: the table key and the index key, all of them, of the declared types. */
  private static SecondaryIndex.Key startKey(Source source, JsonNode start) {
    Table table = source.table();
    SecondaryIndex index = source.index();
    if (start == null || !start.isObject()) {
      throw DynamoDbError.validation("The provided starting key is invalid");
    }
    ObjectNode tablePart = JSON.objectNode();
    for (String attribute : new String[] {table.partitionKey, table.sortKey}) {
      if (attribute != null && start.has(attribute)) {
        tablePart.set(attribute, start.get(attribute));
      }
    }
    Table.Key tableKey = table.keyOfRequest(tablePart);
    ObjectNode normalized = JSON.objectNode();
    start.properties().forEach(e -> normalized.set(e.getKey(), AttributeValues.normalize(e.getValue())));
    SecondaryIndex.Key key = index.keyOf(tableKey, normalized);
    if (key == null) {
      throw DynamoDbError.validation("The provided starting key is invalid: it must name the index key attributes "
          + index.schema.partitionKey() + (index.schema.sortKey() == null ? "" : " and " + index.schema.sortKey()));
    }
    return key;
  }
}
