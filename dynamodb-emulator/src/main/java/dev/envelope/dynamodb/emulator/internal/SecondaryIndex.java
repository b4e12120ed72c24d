package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A global or local secondary index of a {@link Table}: the table's items that carry every index key attribute
 * (an index is sparse), ordered by index partition key, index sort key, then table key, as DynamoDB orders an
 * index. Kept up to date on every write, so a Query on an index costs what a Query on the table costs. Reads
 * see the item as the index projects it ({@code ALL}, {@code KEYS_ONLY} or {@code INCLUDE}). Not thread-safe: the
 * {@link Engine} serializes access.
 */
final class SecondaryIndex {
  /** An index entry's position: index key first, the table key to order items that share it. */
  record Key(JsonNode partition, JsonNode sort, Table.Key tableKey) {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final Comparator<Key> ORDER = Comparator.comparing(Key::partition, AttributeValues.KEY_ORDER)
      .thenComparing(Key::sort, Comparator.nullsFirst(AttributeValues.KEY_ORDER))
      .thenComparing(Key::tableKey, Comparator.nullsFirst(Table.ORDER));

  final String name;
  final boolean global;
  final KeySchema schema;
  /** The table's own key, which every projection carries. */
  private final KeySchema table;
  final String projectionType;
  final Set<String> nonKeyAttributes;
  /** As DescribeTable shows the index: IndexName, KeySchema, Projection (and its throughput for a GSI). */
  final ObjectNode definition;
  final NavigableMap<Key, ObjectNode> entries = new TreeMap<>(ORDER);
  long sizeBytes;

  SecondaryIndex(String name, boolean global, KeySchema schema, KeySchema table, String projectionType,
      Set<String> nonKeyAttributes, ObjectNode definition) {
    this.name = name;
    this.global = global;
    this.schema = schema;
    this.table = table;
    this.projectionType = projectionType;
    this.nonKeyAttributes = Set.copyOf(nonKeyAttributes);
    this.definition = definition;
  }

  /** The item's entry key, or null when it lacks an index key attribute (the index is sparse). */
  Key keyOf(Table.Key tableKey, ObjectNode item) {
    JsonNode partition = item.get(schema.partitionKey());
    JsonNode sort = schema.sortKey() == null ? null : item.get(schema.sortKey());
    if (partition == null || schema.sortKey() != null && sort == null) {
      return null;
    }
    return new Key(partition, sort, tableKey);
  }

  /** The entries of one index partition key value, in index sort key order: a view, not a copy. */
  NavigableMap<Key, ObjectNode> partition(JsonNode partition) {
    return Table.run(entries.tailMap(new Key(partition, null, null), true),
        k -> AttributeValues.sameValue(k.partition(), partition));
  }

  /** Moves the item's entry from what it was ({@code before}, may be null) to what it is ({@code after}). */
  void update(Table.Key tableKey, ObjectNode before, ObjectNode after) {
    Key old = before == null ? null : keyOf(tableKey, before);
    if (old != null && entries.remove(old) != null) {
      sizeBytes -= AttributeValues.itemSize(project(before));
    }
    Key now = after == null ? null : keyOf(tableKey, after);
    if (now != null) {
      entries.put(now, after);
      sizeBytes += AttributeValues.itemSize(project(after));
    }
  }

  /** The item as this index holds it: every attribute, or the keys (and the included attributes). */
  ObjectNode project(ObjectNode item) {
    if (projectionType.equals("ALL")) {
      return item;
    }
    ObjectNode out = JSON.objectNode();
    item.properties().forEach(e -> {
      String attribute = e.getKey();
      if (table.isKey(attribute) || schema.isKey(attribute) || nonKeyAttributes.contains(attribute)) {
        out.set(attribute, e.getValue());
      }
    });
    return out;
  }

  /** The key attributes of an entry as LastEvaluatedKey names it: the table key and the index key. */
  ObjectNode startKeyOf(ObjectNode item) {
    ObjectNode key = JSON.objectNode();
    for (String attribute : new String[] {table.partitionKey(), table.sortKey(), schema.partitionKey(),
        schema.sortKey()}) {
      if (attribute != null) {
        key.set(attribute, item.get(attribute));
      }
    }
    return key;
  }
}
