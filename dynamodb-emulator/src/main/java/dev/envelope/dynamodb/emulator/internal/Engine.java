package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tables and what each operation does to them. Every operation runs under one lock, so each is atomic and
 * conditional writes (when they come) cannot interleave; each takes microseconds.
 */
public final class Engine {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Pattern TABLE_ARN = Pattern.compile("arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\\d{12}):table/"
      + "([a-zA-Z0-9_.-]{3,255})");
  /** DynamoDB's item size limit, 400 KB. */
  public static final long MAX_ITEM_BYTES = 400 * 1024;
  /** Parameters of operations this emulator does not evaluate yet: refused, never silently ignored. */
  private static final List<String> NOT_YET = List.of("Expected", "ConditionalOperator", "AttributesToGet",
      "ScanFilter", "QueryFilter", "KeyConditions");

  private final Clock clock;
  private final long itemCollectionLimit;
  private final String account;
  private final String region;
  private final NavigableMap<String, Table> tables = new TreeMap<>();
  private final MultiItemOperations multi = new MultiItemOperations(this);
  private final ItemReads reads = new ItemReads(this);

  /** {@code itemCollectionLimit}: the most bytes an item collection of a table with a local index may hold. */
  public Engine(Clock clock, String account, String region, long itemCollectionLimit) {
    this.clock = clock;
    this.itemCollectionLimit = itemCollectionLimit;
    this.account = account;
    this.region = region;
  }

  /** Runs {@code operation} with {@code request}; unknown operations are {@code UnknownOperationException}. */
  public synchronized ObjectNode execute(String operation, ObjectNode request) {
    for (String parameter : NOT_YET) {
      if (request.has(parameter)) {
        throw DynamoDbError.validation(parameter + " is not supported by this emulator yet (see the "
            + "dynamodb-emulator LIMITATIONS.md); the request was not applied");
      }
    }
    return switch (operation) {
      case "CreateTable" -> createTable(request);
      case "DescribeTable" -> describe(table(request));
      case "DeleteTable" -> deleteTable(request);
      case "UpdateTable" -> updateTable(request);
      case "ListTables" -> listTables(request);
      case "PutItem" -> putItem(request);
      case "GetItem" -> getItem(request);
      case "DeleteItem" -> deleteItem(request);
      case "Scan" -> reads.scan(request);
      case "Query" -> reads.query(request);
      case "UpdateItem" -> updateItem(request);
      case "BatchGetItem" -> multi.batchGet(request);
      case "BatchWriteItem" -> multi.batchWrite(request);
      case "TransactGetItems" -> multi.transactGet(request);
      case "TransactWriteItems" -> multi.transactWrite(request);
      case "ExecuteStatement" -> multi.executeStatement(request);
      default -> throw DynamoDbError.unknownOperation("Operation " + operation + " is not supported by this "
          + "emulator");
    };
  }

  private String tableName(ObjectNode request) {
    JsonNode name = request.get("TableName");
    if (name == null || !name.isTextual()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'tableName' failed to satisfy "
          + "constraint: Member must not be null");
    }
    String text = name.textValue();
    var arn = TABLE_ARN.matcher(text);
    if (arn.matches()) {
      if (!arn.group(1).equals(region) || !arn.group(2).equals(account)) {
        throw DynamoDbError.resourceNotFound("Requested resource not found: Table: " + text + " not found");
      }
      return arn.group(3);
    }
    if (!TABLE_NAME.matcher(text).matches()) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + text + "' at 'tableName' failed to "
          + "satisfy constraint: Member must " + (text.length() < 3 || text.length() > 255
          ? "have length between 3 and 255" : "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
    }
    return text;
  }

  Table table(ObjectNode request) {
    String name = tableName(request);
    Table table = tables.get(name);
    if (table == null) {
      throw DynamoDbError.resourceNotFound("Requested resource not found: Table: " + name + " not found");
    }
    return table;
  }

  private ObjectNode createTable(ObjectNode request) {
    String name = tableName(request);
    Table table = TableDefinitions.table(name, "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name,
        request, clock.instant());
    if (tables.containsKey(name)) {
      throw DynamoDbError.resourceInUse("Table already exists: " + name);
    }
    tables.put(name, table);
    ObjectNode response = JSON.objectNode();
    response.set("TableDescription", TableDefinitions.description(table, "ACTIVE"));
    return response;
  }

  private ObjectNode describe(Table table) {
    ObjectNode response = JSON.objectNode();
    response.set("Table", TableDefinitions.description(table, "ACTIVE"));
    return response;
  }

  /**
   * UpdateTable: billing mode and throughput, attribute definitions for a new index, and one global index created
   * (filled from the table's items at once; DynamoDB builds it in the background) or deleted per call, as
   * DynamoDB allows. What this emulator does not model (streams, replicas, SSE, table class) is refused.
   */
  private ObjectNode updateTable(ObjectNode request) {
    Table table = table(request);
    for (String unsupported : List.of("StreamSpecification", "ReplicaUpdates", "SSESpecification", "TableClass",
        "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput")) {
      if (request.has(unsupported)) {
        throw DynamoDbError.validation(unsupported + " is not supported by this emulator yet (see the "
            + "dynamodb-emulator LIMITATIONS.md); the request was not applied");
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
        String name = update.get("Delete").path("IndexName").asText();
        SecondaryIndex index = updated.indexes.get(name);
        if (index == null || !index.global) {
          throw DynamoDbError.resourceNotFound("Requested resource not found: Index: " + name + " not found for "
              + "table " + table.name);
        }
        updated.indexes.remove(name);
      } else if (update.has("Update")) {
        String name = update.get("Update").path("IndexName").asText();
        if (!updated.indexes.containsKey(name) || !updated.indexes.get(name).global) {
          throw DynamoDbError.resourceNotFound("Requested resource not found: Index: " + name + " not found for "
              + "table " + table.name);
        }
      }
    }
    TableDefinitions.checkAllDefinitionsUsed(updated, types);
    tables.put(updated.name, updated);
    ObjectNode response = JSON.objectNode();
    response.set("TableDescription", TableDefinitions.description(updated, "ACTIVE"));
    return response;
  }

  private ObjectNode deleteTable(ObjectNode request) {
    Table table = table(request);
    tables.remove(table.name);
    ObjectNode response = JSON.objectNode();
    response.set("TableDescription", TableDefinitions.description(table, "DELETING"));
    return response;
  }

  private ObjectNode listTables(ObjectNode request) {
    int limit = request.path("Limit").asInt(100);
    if (limit < 1 || limit > 100) {
      throw DynamoDbError.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to "
          + "satisfy constraint: Member must have value less than or equal to 100");
    }
    String start = request.path("ExclusiveStartTableName").asText(null);
    var names = (start == null ? tables : tables.tailMap(start, false)).keySet().iterator();
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

  private static ObjectNode normalizedItem(JsonNode item) {
    if (item == null || !item.isObject()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'item' failed to satisfy "
          + "constraint: Member must not be null");
    }
    ObjectNode out = JSON.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = item.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().isEmpty()) {
        throw DynamoDbError.validation("One or more parameter values were invalid: An AttributeValue may not "
            + "contain an empty attribute name");
      }
      out.set(e.getKey(), AttributeValues.normalize(e.getValue()));
    }
    return out;
  }

  private static String returnValues(ObjectNode request, Set<String> allowed) {
    String value = request.path("ReturnValues").asText("NONE");
    if (!allowed.contains(value)) {
      throw DynamoDbError.validation("Return values set to invalid value");
    }
    return value;
  }

  private ObjectNode putItem(ObjectNode request) {
    return writeOne("Put", request);
  }

  private ObjectNode getItem(ObjectNode request) {
    Table table = table(request);
    Expressions expressions = new Expressions(request);
    List<Expressions.Path> projection = Projection.of(request, expressions);
    expressions.checkAllUsed();
    ObjectNode item = table.items.get(table.keyOfRequest(request.get("Key")));
    ObjectNode response = JSON.objectNode();
    if (item != null) {
      response.set("Item", Projection.apply(projection, item));
    }
    return response;
  }

  private ObjectNode deleteItem(ObjectNode request) {
    return writeOne("Delete", request);
  }

  /** PutItem and DeleteItem: the condition checked against the current item, then the write. */
  ObjectNode writeOne(String kind, ObjectNode request) {
    String returnValues = returnValues(request, Set.of("NONE", "ALL_OLD"));
    Write w = plan(kind, request);
    if (!w.conditionHolds()) {
      throw DynamoDbError.conditionalCheckFailed(w.returnOldOnFailure() && w.before() != null
          ? w.before().deepCopy() : null);
    }
    if (refusal(w) != null) {
      throw refusal(w);
    }
    commit(w, kind);
    ObjectNode response = JSON.objectNode();
    if (w.before() != null && returnValues.equals("ALL_OLD")) {
      response.set("Attributes", w.before().deepCopy());
    }
    return response;
  }

  /** The key attributes of a request's Key, normalized. */
  private static ObjectNode keyNode(JsonNode key) {
    ObjectNode out = JSON.objectNode();
    key.properties().forEach(e -> out.set(e.getKey(), AttributeValues.normalize(e.getValue())));
    return out;
  }

  /**
   * One write of an UpdateItem, a batch or a transaction, planned against the current item before anything
   * changes: the item after it (null to delete; unchanged for a condition check) and whether its condition holds.
   */
  record Write(Table table, Table.Key key, ObjectNode before, ObjectNode after, boolean conditionHolds,
      boolean returnOldOnFailure, Set<String> touched, boolean collectionTooLarge) {}

  Write plan(String kind, ObjectNode op) {
    Table table = table(op);
    Expressions expressions = new Expressions(op);
    Expressions.Condition condition = op.has("ConditionExpression")
        ? expressions.parseCondition(op.get("ConditionExpression").asText(), "Condition") : null;
    Table.Key key;
    ObjectNode after;
    List<Expressions.Action> actions = List.of();
    ObjectNode before;
    switch (kind) {
      case "Put" -> {
        after = normalizedItem(op.get("Item"));
        key = table.keyOfItem(after);
        before = table.items.get(key);
      }
      case "Delete", "ConditionCheck" -> {
        key = table.keyOfRequest(op.get("Key"));
        before = table.items.get(key);
        after = kind.equals("Delete") ? null : before;
        if (kind.equals("ConditionCheck") && condition == null) {
          throw DynamoDbError.validation("1 validation error detected: Value null at 'conditionExpression' failed "
              + "to satisfy constraint: Member must not be null");
        }
      }
      case "Update" -> {
        key = table.keyOfRequest(op.get("Key"));
        before = table.items.get(key);
        actions = op.has("UpdateExpression") ? expressions.parseUpdate(op.get("UpdateExpression").asText())
            : List.of();
        after = null; // computed below, once every name and value is known to be used
      }
      default -> throw new IllegalStateException(kind);
    }
    expressions.checkAllUsed();
    if (kind.equals("Update")) {
      after = Updates.apply(actions, before, keyNode(op.get("Key")), table);
    }
    if (after != null && AttributeValues.itemSize(after) > MAX_ITEM_BYTES) {
      throw DynamoDbError.validation("Item size has exceeded the maximum allowed size");
    }
    if (after != null && after != before) {
      table.checkIndexKeys(after);
    }
    boolean holds = condition == null || Evaluator.matches(condition, before);
    boolean returnOld = op.path("ReturnValuesOnConditionCheckFailure").asText("NONE").equals("ALL_OLD");
    return new Write(table, key, before, after, holds, returnOld, Updates.touched(actions),
        collectionTooLarge(table, key, before, after));
  }

  /**
   * Whether the write would grow an item collection (the items sharing a partition key) past the limit; DynamoDB
   * enforces it only on tables with a local secondary index (10 GB there; the builder lowers it for tests).
   */
  private boolean collectionTooLarge(Table table, Table.Key key, ObjectNode before, ObjectNode after) {
    if (after == null || table.indexes.values().stream().allMatch(i -> i.global)) {
      return false;
    }
    long growth = AttributeValues.itemSize(after) - (before == null ? 0 : AttributeValues.itemSize(before));
    if (growth <= 0) {
      return false;
    }
    long size = growth;
    for (ObjectNode item : table.partition(key.partition()).values()) {
      size += AttributeValues.itemSize(item);
    }
    return size > itemCollectionLimit;
  }

  /** The error of a planned write that cannot be applied (condition aside), or null. */
  static DynamoDbError refusal(Write w) {
    return w.collectionTooLarge() ? DynamoDbError.itemCollectionSizeLimitExceeded(w.table().name) : null;
  }

  static void commit(Write w, String kind) {
    if (kind.equals("ConditionCheck")) {
      return;
    }
    for (SecondaryIndex index : w.table().indexes.values()) {
      index.update(w.key(), w.before(), w.after());
    }
    long oldSize = w.before() == null ? 0 : AttributeValues.itemSize(w.before());
    if (w.after() == null) {
      w.table().items.remove(w.key());
      w.table().sizeBytes -= oldSize;
    } else {
      w.table().items.put(w.key(), w.after());
      w.table().sizeBytes += AttributeValues.itemSize(w.after()) - oldSize;
    }
  }

  private ObjectNode updateItem(ObjectNode request) {
    String returnValues = returnValues(request, Set.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
        "UPDATED_NEW"));
    Write w = plan("Update", request);
    if (!w.conditionHolds()) {
      throw DynamoDbError.conditionalCheckFailed(w.returnOldOnFailure() && w.before() != null
          ? w.before().deepCopy() : null);
    }
    if (refusal(w) != null) {
      throw refusal(w);
    }
    commit(w, "Update");
    ObjectNode response = JSON.objectNode();
    ObjectNode source = returnValues.endsWith("OLD") ? w.before() : w.after();
    if (!returnValues.equals("NONE") && source != null) {
      ObjectNode attributes = source.deepCopy();
      if (returnValues.startsWith("UPDATED")) {
        attributes.retain(w.touched());
      }
      if (!attributes.isEmpty()) {
        response.set("Attributes", attributes);
      }
    }
    return response;
  }
}
