package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

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

  final String name;
  final String arn;
  final String id = UUID.randomUUID().toString();
  final String partitionKey;
  final String sortKey;
  final Map<String, String> attributeTypes;
  final ObjectNode definition;
  final Instant created;
  final NavigableMap<Key, ObjectNode> items = new TreeMap<>(ORDER);
  long sizeBytes;

  Table(String name, String arn, String partitionKey, String sortKey, Map<String, String> attributeTypes,
      ObjectNode definition, Instant created) {
    this.name = name;
    this.arn = arn;
    this.partitionKey = partitionKey;
    this.sortKey = sortKey;
    this.attributeTypes = Map.copyOf(attributeTypes);
    this.definition = definition;
    this.created = created;
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
    return value;
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
