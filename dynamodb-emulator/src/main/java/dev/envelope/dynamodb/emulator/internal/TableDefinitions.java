package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What CreateTable and UpdateTable declare, checked as DynamoDB checks it: key schemas (a HASH key first, at most
 * one RANGE key), attribute definitions that define exactly the key attributes of the table and its indexes, and
 * secondary indexes (at most 20 global and 5 local; a local index shares the table's partition key and has a sort
 * key; projections ALL, KEYS_ONLY or INCLUDE with NonKeyAttributes). Also writes DescribeTable's view of a table.
 */
final class TableDefinitions {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Pattern INDEX_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  static final int MAX_GLOBAL_INDEXES = 20;
  static final int MAX_LOCAL_INDEXES = 5;

  private TableDefinitions() {}

  /** The attribute types a request's AttributeDefinitions declare. */
  static Map<String, String> attributeTypes(JsonNode definitions) {
    Map<String, String> types = new HashMap<>();
    if (definitions == null) {
      return types;
    }
    for (JsonNode d : definitions) {
      String type = d.path("AttributeType").asText();
      if (!Set.of("S", "N", "B").contains(type)) {
        throw DynamoDbError.validation("1 validation error detected: Value '" + type + "' at "
            + "'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum "
            + "value set: [B, N, S]");
      }
      String name = d.path("AttributeName").asText();
      if (types.put(name, type) != null) {
        throw DynamoDbError.validation("Cannot have two attributes with the same name");
      }
    }
    return types;
  }

  /** A KeySchema: HASH first, then at most one RANGE, every attribute defined. */
  static KeySchema keySchema(JsonNode schema, Map<String, String> types, String what) {
    if (schema == null || !schema.isArray() || schema.isEmpty() || schema.size() > 2) {
      throw DynamoDbError.validation("1 validation error detected: Value at '" + what + "' failed to satisfy "
          + "constraint: Member must have length less than or equal to 2 and greater than or equal to 1");
    }
    String partition = null;
    String sort = null;
    for (JsonNode k : schema) {
      String keyType = k.path("KeyType").asText();
      String attribute = k.path("AttributeName").asText();
      if (keyType.equals("HASH") && partition == null && sort == null) {
        partition = attribute;
      } else if (keyType.equals("RANGE") && partition != null && sort == null) {
        sort = attribute;
      } else {
        throw DynamoDbError.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
      }
      if (!types.containsKey(attribute)) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Some index key attributes are "
            + "not defined in AttributeDefinitions. Keys: [" + attribute + "], AttributeDefinitions: "
            + new TreeSet<>(types.keySet()));
      }
    }
    if (partition.equals(sort)) {
      throw DynamoDbError.validation("Both the Hash Key and the Range Key element in the KeySchema have the same "
          + "name");
    }
    Map<String, String> keyTypes = new HashMap<>();
    keyTypes.put(partition, types.get(partition));
    if (sort != null) {
      keyTypes.put(sort, types.get(sort));
    }
    return new KeySchema(partition, sort, keyTypes);
  }

  /** A Table from a CreateTable request, with its indexes; {@code arn} is the table's ARN. */
  static Table table(String name, String arn, ObjectNode request, Instant created) {
    return table(name, arn, UUID.randomUUID().toString(), request, created);
  }

  /** A table as {@link #stored} wrote it down: the same definition, id, creation time, TTL and tags. */
  static Table restore(ObjectNode stored, String arn) {
    Table table = table(stored.get("TableName").asText(), arn, stored.get("TableId").asText(), stored,
        Instant.parse(stored.get("Created").asText()));
    if (stored.hasNonNull("TimeToLiveAttribute")) {
      table.timeToLiveAttribute = stored.get("TimeToLiveAttribute").asText();
    }
    stored.path("Tags").forEach(t -> table.tags.put(t.path("Key").asText(), t.path("Value").asText()));
    return table;
  }

  /** A table's definition as CreateTable would declare it, plus its id, creation time, TTL and tags. */
  static ObjectNode stored(Table table) {
    ObjectNode out = JSON.objectNode();
    out.put("TableName", table.name);
    out.put("TableId", table.id);
    out.put("Created", table.created.toString());
    out.set("KeySchema", table.definition.get("KeySchema"));
    out.set("AttributeDefinitions", table.definition.get("AttributeDefinitions"));
    out.put("BillingMode", table.definition.get("BillingMode").asText());
    out.set("ProvisionedThroughput", table.definition.get("ProvisionedThroughput"));
    for (SecondaryIndex index : table.indexes.values()) {
      String kind = index.global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
      (out.has(kind) ? (ArrayNode) out.get(kind) : out.putArray(kind)).add(index.definition);
    }
    if (table.timeToLiveAttribute != null) {
      out.put("TimeToLiveAttribute", table.timeToLiveAttribute);
    }
    ArrayNode tags = out.putArray("Tags");
    table.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    return out;
  }

  private static Table table(String name, String arn, String id, ObjectNode request, Instant created) {
    Map<String, String> types = attributeTypes(request.get("AttributeDefinitions"));
    KeySchema key = keySchema(request.get("KeySchema"), types, "keySchema");
    String billing = billingMode(request.path("BillingMode").asText("PROVISIONED"));
    ObjectNode definition = JSON.objectNode();
    definition.set("KeySchema", request.get("KeySchema").deepCopy());
    definition.put("BillingMode", billing);
    definition.set("ProvisionedThroughput", provisioned(request.get("ProvisionedThroughput"), billing));
    Table table = new Table(name, arn, id, key.partitionKey(), key.sortKey(), types, definition, created);
    JsonNode locals = request.get("LocalSecondaryIndexes");
    JsonNode globals = request.get("GlobalSecondaryIndexes");
    if (locals != null && (!locals.isArray() || locals.isEmpty())) {
      throw DynamoDbError.validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is "
          + "empty");
    }
    if (globals != null && (!globals.isArray() || globals.isEmpty())) {
      throw DynamoDbError.validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is "
          + "empty");
    }
    if (locals != null && locals.size() > MAX_LOCAL_INDEXES) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes "
          + "exceeds per-table limit of " + MAX_LOCAL_INDEXES);
    }
    if (globals != null && globals.size() > MAX_GLOBAL_INDEXES) {
      throw DynamoDbError.validation("One or more parameter values were invalid: GlobalSecondaryIndex count "
          + "exceeds the per-table limit of " + MAX_GLOBAL_INDEXES);
    }
    for (JsonNode local : locals == null ? JSON.arrayNode() : locals) {
      addIndex(table, local, false, types);
    }
    for (JsonNode global : globals == null ? JSON.arrayNode() : globals) {
      addIndex(table, global, true, types);
    }
    checkAllDefinitionsUsed(table, types);
    table.definition.set("AttributeDefinitions", request.get("AttributeDefinitions").deepCopy());
    return table;
  }

  static String billingMode(String mode) {
    if (!Set.of("PROVISIONED", "PAY_PER_REQUEST").contains(mode)) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + mode + "' at 'billingMode' failed to "
          + "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    }
    return mode;
  }

  /** Adds one index declared as CreateTable or UpdateTable's Create declares it. */
  static SecondaryIndex addIndex(Table table, JsonNode declared, boolean global, Map<String, String> types) {
    String name = declared.path("IndexName").asText("");
    if (!INDEX_NAME.matcher(name).matches()) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + name + "' at 'indexName' failed to "
          + "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length "
          + "between 3 and 255");
    }
    if (table.indexes.containsKey(name)) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Duplicate index name: " + name);
    }
    KeySchema key = keySchema(declared.get("KeySchema"), types, "indexKeySchema");
    if (!global) {
      if (table.sortKey == null) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Table KeySchema does not have a "
            + "range key, which is required when specifying a LocalSecondaryIndex");
      }
      if (!key.partitionKey().equals(table.partitionKey)) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Index KeySchema does not have "
            + "the same leading hash key as table KeySchema for index: " + name + ". index hash key: "
            + key.partitionKey() + ", table hash key: " + table.partitionKey);
      }
      if (key.sortKey() == null) {
        throw DynamoDbError.validation("One or more parameter values were invalid: Index KeySchema must have a "
            + "range key for index: " + name);
      }
    }
    JsonNode projection = declared.get("Projection");
    String type = projection == null ? "" : projection.path("ProjectionType").asText("");
    if (!Set.of("ALL", "KEYS_ONLY", "INCLUDE").contains(type)) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Unknown ProjectionType: " + type);
    }
    Set<String> included = new LinkedHashSet<>();
    projection.path("NonKeyAttributes").forEach(a -> included.add(a.asText()));
    if (type.equals("INCLUDE") && included.isEmpty()) {
      throw DynamoDbError.validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but "
          + "NonKeyAttributes is not specified");
    }
    if (!type.equals("INCLUDE") && projection.has("NonKeyAttributes")) {
      throw DynamoDbError.validation("One or more parameter values were invalid: ProjectionType is " + type
          + ", but NonKeyAttributes is specified");
    }
    ObjectNode definition = JSON.objectNode();
    definition.put("IndexName", name);
    definition.set("KeySchema", declared.get("KeySchema").deepCopy());
    definition.set("Projection", projection.deepCopy());
    if (declared.has("ProvisionedThroughput")) {
      definition.set("ProvisionedThroughput", declared.get("ProvisionedThroughput").deepCopy());
    }
    SecondaryIndex index = new SecondaryIndex(name, global, key, table.schema, type, included, definition);
    table.indexes.put(name, index);
    return index;
  }

  /** Every attribute definition must be a key attribute of the table or of an index. */
  static void checkAllDefinitionsUsed(Table table, Map<String, String> types) {
    Set<String> used = new TreeSet<>();
    used.add(table.partitionKey);
    if (table.sortKey != null) {
      used.add(table.sortKey);
    }
    for (SecondaryIndex index : table.indexes.values()) {
      used.add(index.schema.partitionKey());
      if (index.schema.sortKey() != null) {
        used.add(index.schema.sortKey());
      }
    }
    if (!used.equals(new TreeSet<>(types.keySet()))) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Some AttributeDefinitions are not "
          + "used. AttributeDefinitions: " + new TreeSet<>(types.keySet()) + ", keys used: " + used);
    }
  }

  /** DescribeTable's TableDescription. */
  static ObjectNode description(Table table, String status) {
    ObjectNode d = JSON.objectNode();
    d.put("TableName", table.name);
    d.put("TableArn", table.arn);
    d.put("TableId", table.id);
    d.put("TableStatus", status);
    d.set("KeySchema", table.definition.get("KeySchema"));
    d.set("AttributeDefinitions", table.definition.get("AttributeDefinitions"));
    d.put("CreationDateTime", table.created.getEpochSecond() + table.created.getNano() / 1e9);
    d.put("ItemCount", table.items.size());
    d.put("TableSizeBytes", table.sizeBytes);
    String billing = table.definition.get("BillingMode").asText();
    d.putObject("BillingModeSummary").put("BillingMode", billing);
    d.set("ProvisionedThroughput", table.definition.get("ProvisionedThroughput"));
    List<ObjectNode> globals = new ArrayList<>();
    List<ObjectNode> locals = new ArrayList<>();
    for (SecondaryIndex index : table.indexes.values()) {
      ObjectNode i = index.definition.deepCopy();
      i.put("IndexArn", table.arn + "/index/" + index.name);
      i.put("ItemCount", index.entries.size());
      i.put("IndexSizeBytes", index.sizeBytes);
      if (index.global) {
        i.put("IndexStatus", "ACTIVE");
        i.set("ProvisionedThroughput", provisioned(index.definition.get("ProvisionedThroughput"), billing));
        globals.add(i);
      } else {
        locals.add(i);
      }
    }
    if (!globals.isEmpty()) {
      ArrayNode out = d.putArray("GlobalSecondaryIndexes");
      globals.forEach(out::add);
    }
    if (!locals.isEmpty()) {
      ArrayNode out = d.putArray("LocalSecondaryIndexes");
      locals.forEach(out::add);
    }
    return d;
  }

  /**
   * ProvisionedThroughput as DescribeTable shows it: what was asked for, zeros in on-demand mode. (Capacity is
   * recorded, never enforced.)
   */
  static ObjectNode provisioned(JsonNode requested, String billing) {
    ObjectNode throughput = JSON.objectNode();
    boolean onDemand = billing.equals("PAY_PER_REQUEST");
    throughput.put("NumberOfDecreasesToday", 0);
    throughput.put("ReadCapacityUnits", onDemand ? 0 : requested == null ? 5
        : requested.path("ReadCapacityUnits").asLong(5));
    throughput.put("WriteCapacityUnits", onDemand ? 0 : requested == null ? 5
        : requested.path("WriteCapacityUnits").asLong(5));
    return throughput;
  }
}
