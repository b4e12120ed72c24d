package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations on tables themselves: CreateTable, DescribeTable, UpdateTable, DeleteTable and ListTables, with
 * what they declare checked by {@link TableDefinitions}. Called by the {@link Engine} under its lock.
 */
final class TableOperations {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Engine engine;

  TableOperations(Engine engine) {
    this.engine = engine;
  }

  ObjectNode create(ObjectNode request) {
    String name = engine.tableName(request);
    Table table = TableDefinitions.table(name, engine.tableArn(name), request, engine.now());
    if (engine.tables().containsKey(name)) {
      throw DynamoDbError.resourceInUse("Table already exists: " + name);
    }
    request.path("Tags").forEach(t -> table.tags.put(t.path("Key").asText(), t.path("Value").asText()));
    engine.tables().put(name, table);
    engine.tableChanged(table);
    return answer("TableDescription", table, "ACTIVE");
  }

  ObjectNode describe(ObjectNode request) {
    Table table = engine.table(request);
    return answer("Table", table, "ACTIVE");
  }

  /**
   * UpdateTable: billing mode and throughput, attribute definitions for a new index, and one global index created
   * (filled from the table's items at once; DynamoDB builds it in the background) or deleted per call, as
   * DynamoDB allows. What this emulator does not model (streams, replicas, SSE, table class) is refused.
   */
  ObjectNode update(ObjectNode request) {
    Table table = engine.table(request);
    for (String unsupported : List.of("StreamSpecification", "ReplicaUpdates", "SSESpecification", "TableClass",
        "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput")) {
      if (request.has(unsupported)) {
        throw DynamoDbError.notSupported(unsupported);
      }
    }
    JsonNode updates = request.path("GlobalSecondaryIndexUpdates");
    if (!request.has("BillingMode") && !request.has("ProvisionedThroughput") && updates.isEmpty()) {
      throw DynamoDbError.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
          + "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    }
    long indexChanges = 0;
    for (JsonNode update : updates) {
      if (update.has("Create") || update.has("Delete")) {
        indexChanges++;
      }
    }
    if (indexChanges > 1) {
      throw DynamoDbError.limitExceeded("Subscriber limit exceeded: Only 1 online index can be created or deleted "
          + "simultaneously per table");
    }
    Map<String, String> types = new HashMap<>(table.attributeTypes);
    TableDefinitions.attributeTypes(request.get("AttributeDefinitions")).forEach((name, type) -> {
      String existing = types.put(name, type);
      if (existing != null && !existing.equals(type)) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Attribute " + name + " is "
            + "already defined as " + existing);
      }
    });
    // Plan on a copy first: a refused update changes nothing.
    String billing = request.has("BillingMode") ? TableDefinitions.billingMode(request.get("BillingMode").asText())
        : table.definition.get("BillingMode").asText();
    Table updated = table.withDefinitions(types, billing, request.get("ProvisionedThroughput"));
    for (JsonNode update : updates) {
      if (update.has("Create")) {
        SecondaryIndex index = TableDefinitions.addIndex(updated, update.get("Create"), true, types);
        if (updated.indexes.values().stream().filter(i -> i.global).count() > TableDefinitions.MAX_GLOBAL_INDEXES) {
          throw DynamoDbError.limitExceeded("Subscriber limit exceeded: the table already has "
              + TableDefinitions.MAX_GLOBAL_INDEXES + " global secondary indexes");
        }
        updated.items.forEach((key, item) -> {
          updated.checkIndexKeys(item);
          index.update(key, null, item);
        });
      } else if (update.has("Delete")) {
        updated.indexes.remove(globalIndex(updated, update.get("Delete")).name);
      } else if (update.has("Update")) {
        globalIndex(updated, update.get("Update")); // throughput only: recorded nowhere, but the index must exist
      }
    }
    TableDefinitions.checkAllDefinitionsUsed(updated, types);
    engine.tables().put(updated.name, updated);
    engine.tableChanged(updated);
    return answer("TableDescription", updated, "ACTIVE");
  }

  /** The global index an update names; a missing one (or a local one) is ResourceNotFoundException. */
  private static SecondaryIndex globalIndex(Table table, JsonNode update) {
    String name = update.path("IndexName").asText();
    SecondaryIndex index = table.indexes.get(name);
    if (index == null || !index.global) {
      throw DynamoDbError.resourceNotFound("Requested resource not found: Index: " + name + " not found for table "
          + table.name);
    }
    return index;
  }

  /** A table's description as the answers of table operations carry it. */
  private static ObjectNode answer(String field, Table table, String status) {
    ObjectNode response = JSON.objectNode();
    response.set(field, TableDefinitions.description(table, status));
    return response;
  }

  ObjectNode delete(ObjectNode request) {
    Table table = engine.table(request);
    engine.tables().remove(table.name);
    engine.tableDropped(table.name);
    return answer("TableDescription", table, "DELETING");
  }

  ObjectNode list(ObjectNode request) {
    int limit = request.path("Limit").asInt(100);
    if (limit < 1 || limit > 100) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to "
          + "satisfy constraint: Member must have value less than or equal to 100");
    }
    String start = request.path("ExclusiveStartTableName").asText(null);
    var names = (start == null ? engine.tables() : engine.tables().tailMap(start, false)).keySet().iterator();
    ObjectNode response = JSON.objectNode();
    ArrayNode out = response.putArray("TableNames");
    while (names.hasNext() && out.size() < limit) {
      out.add(names.next());
    }
    if (names.hasNext()) {
      response.put("LastEvaluatedTableName", out.get(out.size() - 1).textValue());
    }
    return response;
  }
}
