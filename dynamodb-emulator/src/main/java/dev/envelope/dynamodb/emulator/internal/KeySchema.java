package dev.envelope.dynamodb.emulator.internal;

import java.util.Map;

/**
 * The key of a table or of a secondary index: its partition key, its sort key (null when it has none) and the
 * declared type ({@code S}, {@code N} or {@code B}) of each.
 */
record KeySchema(String partitionKey, String sortKey, Map<String, String> types) {
  KeySchema {
    types = Map.copyOf(types);
  }

  String typeOf(String attribute) {
    return types.get(attribute);
  }

  boolean isKey(String attribute) {
    return attribute.equals(partitionKey) || attribute.equals(sortKey);
  }
}
