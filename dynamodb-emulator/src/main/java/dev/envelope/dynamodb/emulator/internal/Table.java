package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One table: its key schema, attribute definitions and items, kept in key order (partition key, then sort key as
 * DynamoDB orders sort keys). Not thread-safe: the {@link Engine} serializes access.
 */
final class Table {
  /** An item's primary key; {@code sort} is null for a table without a sort key. */
  record Key(JsonNode partition, JsonNode sort) {}

  private static final Comparator<JsonNode> NULLS_FIRST = Comparator.nullsFirst(AttributeValues.KEY_ORDER);
  static final Comparator<Key> ORDER = Comparator.comparing(Key::partition, AttributeValues.KEY_ORDER)
      .thenComparing(Key::sort, NULLS_FIRST);

  /** DynamoDB's key size limits: 2048 bytes for a partition key value, 1024 for a sort key value. */
  static final int MAX_PARTITION_KEY_BYTES = 2048;
  static final int MAX_SORT_KEY_BYTES = 1024;

  final String name;
  final String arn;
  final String id;
  final String partitionKey;
  final String sortKey;
  final Map<String, String> attributeTypes;
  final KeySchema schema;
  /** Secondary indexes by name, in the order they were declared. */
  final Map<String, SecondaryIndex> indexes = new LinkedHashMap<>();
  final ObjectNode definition;
  final Instant created;
  /** The TTL attribute (epoch seconds, a number), or null while TTL is disabled. */
  String timeToLiveAttribute;
  /** The epoch second of the last TTL sweep, so that a table is swept at most once per second of the clock. */
  long sweptAtSecond = Long.MIN_VALUE;
  final NavigableMap<String, String> tags = new TreeMap<>();
  final NavigableMap<Key, ObjectNode> items = new TreeMap<>(ORDER);
  long sizeBytes;

  Table(String name, String arn, String id, String partitionKey, String sortKey,
      Map<String, String> attributeTypes, ObjectNode definition, Instant created) {
    this.name = name;
    this.arn = arn;
    this.id = id;
    this.partitionKey = partitionKey;
    this.sortKey = sortKey;
    this.attributeTypes = Map.copyOf(attributeTypes);
    this.schema = new KeySchema(partitionKey, sortKey, this.attributeTypes);
    this.definition = definition;
    this.created = created;
  }

  /**
   * This table with other attribute definitions, billing mode or throughput (UpdateTable), holding the same items
   * and indexes, so that an update can be planned on it and dropped if it is refused.
   */
  Table withDefinitions(Map<String, String> types, String billing, JsonNode throughput) {
    ObjectNode newDefinition = definition.deepCopy();
    var definitions = newDefinition.putArray("AttributeDefinitions");
    new TreeMap<>(types).forEach((attribute, type) -> definitions.addObject().put("AttributeName", attribute)
        .put("AttributeType", type));
    newDefinition.put("BillingMode", billing);
    newDefinition.set("ProvisionedThroughput", TableDefinitions.provisioned(throughput != null ? throughput
        : definition.get("ProvisionedThroughput"), billing));
    Table copy = new Table(name, arn, id, partitionKey, sortKey, types, newDefinition, created);
    copy.items.putAll(items);
    copy.sizeBytes = sizeBytes;
    copy.indexes.putAll(indexes);
    copy.timeToLiveAttribute = timeToLiveAttribute;
    copy.tags.putAll(tags);
    return copy;
  }

  /** The key of a full item, checked against the schema (presence, type, not empty). */
  Key keyOfItem(ObjectNode item) {
    return new Key(keyValue(item, partitionKey, true), sortKey == null ? null : keyValue(item, sortKey, true));
  }

  /** The key given as a request's {@code Key}: exactly the key attributes, of the declared types. */
  Key keyOfRequest(JsonNode key) {
    if (key == null || !key.isObject()) {
      throw DynamoDbError.validation("The provided key element does not match the schema");
    }
    int expected = sortKey == null ? 1 : 2;
    if (key.size() != expected || !key.has(partitionKey) || sortKey != null && !key.has(sortKey)) {
      throw DynamoDbError.validation("The provided key element does not match the schema");
    }
    ObjectNode normalized = JsonNodeFactory.instance.objectNode();
    key.properties().forEach(e -> normalized.set(e.getKey(), AttributeValues.normalize(e.getValue())));
    for (String name : normalized.properties().stream().map(Map.Entry::getKey).toList()) {
      if (!AttributeValues.type(normalized.get(name)).equals(attributeTypes.get(name))) {
        throw DynamoDbError.validation("The provided key element does not match the schema");
      }
    }
    return keyOfItem(normalized);
  }

  private JsonNode keyValue(ObjectNode item, String name, boolean required) {
    JsonNode value = item.get(name);
    if (value == null) {
      if (required) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Missing the key " + name
            + " in the item");
      }
      return null;
    }
    String type = AttributeValues.type(value);
    String expected = attributeTypes.get(name);
    if (!type.equals(expected)) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Type mismatch for key " + name
          + " expected: " + expected + " actual: " + type);
    }
    if (AttributeValues.isEmptyScalar(value)) {
      throw DynamoDbError.validation("One or more parameter values are not valid. The AttributeValue for a key "
          + "attribute cannot contain an empty " + (type.equals("S") ? "string" : "binary") + " value. Key: "
          + name);
    }
    long size = AttributeValues.valueSize(value);
    if (name.equals(partitionKey) && size > MAX_PARTITION_KEY_BYTES) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Size of hashkey has exceeded the "
          + "maximum size limit of" + MAX_PARTITION_KEY_BYTES + " bytes"); // sic: DynamoDB's text has no space
    }
    if (name.equals(sortKey) && size > MAX_SORT_KEY_BYTES) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Aggregated size of all range keys "
          + "has exceeded the size limit of " + MAX_SORT_KEY_BYTES + " bytes");
    }
    return value;
  }

  /**
   * Refuses an item whose secondary index key attributes are of the wrong type or empty, as DynamoDB does; an
   * item without them is fine (it is left out of that index).
   */
  void checkIndexKeys(ObjectNode item) {
    for (SecondaryIndex index : indexes.values()) {
      for (String attribute : new String[] {index.schema.partitionKey(), index.schema.sortKey()}) {
        JsonNode value = attribute == null ? null : item.get(attribute);
        if (value == null || schema.isKey(attribute)) {
          continue;
        }
        String type = AttributeValues.type(value);
        String expected = index.schema.typeOf(attribute);
        if (!type.equals(expected)) {
          throw DynamoDbError.validation("One or more parameter values were invalid: Type mismatch for Index Key "
              + attribute + " Expected: " + expected + " Actual: " + type + " IndexName: " + index.name);
        }
        if (AttributeValues.isEmptyScalar(value)) {
          throw DynamoDbError.validation("One or more parameter values are not valid. A value specified for a "
              + "secondary index key is not supported. The AttributeValue for a key attribute cannot contain an "
              + "empty " + (type.equals("S") ? "string" : "binary") + " value. IndexName: " + index.name
              + ", IndexKey: " + attribute);
        }
      }
    }
  }

  /** The items of one partition (an item collection), in sort key order: a view, not a copy. */
  NavigableMap<Key, ObjectNode> partition(JsonNode partition) {
    return run(items.tailMap(new Key(partition, null), true), k -> AttributeValues.sameValue(k.partition(),
        partition));
  }

  /** The leading entries of {@code from} whose keys {@code belongs} accepts: a view, not a copy. */
  static <K> NavigableMap<K, ObjectNode> run(NavigableMap<K, ObjectNode> from, Predicate<K> belongs) {
    K next = from.keySet().stream().filter(belongs.negate()).findFirst().orElse(null);
    return next == null ? from : from.headMap(next, false);
  }

  /** The item's key attributes only, as LastEvaluatedKey and Key show them. */
  ObjectNode keyAttributes(ObjectNode item) {
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    key.set(partitionKey, item.get(partitionKey));
    if (sortKey != null) {
      key.set(sortKey, item.get(sortKey));
    }
    return key;
  }
}
