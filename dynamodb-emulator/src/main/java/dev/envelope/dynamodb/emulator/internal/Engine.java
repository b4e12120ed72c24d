package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
  private final TimeToLiveAndTags timeToLiveAndTags = new TimeToLiveAndTags(this);
  private final TableOperations tableOperations = new TableOperations(this);
  /** How many keys or writes one batch call processes (simulated throttling); unlimited by default. */
  private int batchCapacity = Integer.MAX_VALUE;
  /** Where changes are made durable, or null for an emulator that lives in memory only. */
  private Journal journal;
  /** The changes of the operation under way, written to the journal as one record when it ends. */
  private final List<ObjectNode> effects = new ArrayList<>();
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
        throw DynamoDbError.notSupported(parameter);
      }
    }
    timeToLiveAndTags.deleteExpired(tables.values(), clock.instant());
    try {
      return run(operation, request);
    } finally {
      if (journal != null && !effects.isEmpty()) {
        List<ObjectNode> changes = List.copyOf(effects);
        effects.clear();
        journal.append(changes, this::records);
      }
    }
  }

  private ObjectNode run(String operation, ObjectNode request) {
    return switch (operation) {
      case "CreateTable" -> tableOperations.create(request);
      case "DescribeTable" -> tableOperations.describe(request);
      case "DeleteTable" -> tableOperations.delete(request);
      case "UpdateTable" -> tableOperations.update(request);
      case "ListTables" -> tableOperations.list(request);
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
      case "UpdateTimeToLive" -> timeToLiveAndTags.updateTimeToLive(request);
      case "DescribeTimeToLive" -> timeToLiveAndTags.describeTimeToLive(request);
      case "TagResource" -> timeToLiveAndTags.tagResource(request);
      case "UntagResource" -> timeToLiveAndTags.untagResource(request);
      case "ListTagsOfResource" -> timeToLiveAndTags.listTagsOfResource(request);
      default -> throw DynamoDbError.unknownOperation("Operation " + operation + " is not supported by this "
          + "emulator");
    };
  }

  String tableName(ObjectNode request) {
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

  /** The table an ARN names (tags take ARNs only); an unknown one is ResourceNotFoundException. */
  Table tableOfArn(String arn) {
    var m = TABLE_ARN.matcher(arn);
    Table table = m.matches() && m.group(1).equals(region) && m.group(2).equals(account) ? tables.get(m.group(3))
        : null;
    if (table == null) {
      throw DynamoDbError.resourceNotFound("Requested resource not found: ResourceArn: " + arn + " not found");
    }
    return table;
  }

  /**
   * Simulates throttling of batches: each BatchGetItem and BatchWriteItem processes at most {@code itemsPerCall}
   * keys or writes and returns the rest as UnprocessedKeys/UnprocessedItems. {@code Integer.MAX_VALUE} stops it.
   */
  public synchronized void batchCapacity(int itemsPerCall) {
    if (itemsPerCall < 1) {
      throw new IllegalArgumentException("a throttled batch still processes at least one item: " + itemsPerCall);
    }
    this.batchCapacity = itemsPerCall;
  }

  int batchCapacity() {
    return batchCapacity;
  }

  /** Records a table's new definition (settings, indexes, TTL, tags) for the journal. */
  void tableChanged(Table table) {
    if (journal != null) {
      effects.add(Journal.table(table));
    }
  }

  /** The tables by name, for the operations on tables; called under the engine's lock. */
  NavigableMap<String, Table> tables() {
    return tables;
  }

  /** Records a deleted table for the journal. */
  void tableDropped(String name) {
    if (journal != null) {
      effects.add(Journal.dropped(name));
    }
  }

  /** A new table's ARN and creation time, in this engine's account, Region and clock. */
  String tableArn(String name) {
    return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
  }

  Instant now() {
    return clock.instant();
  }

  Table table(ObjectNode request) {
    String name = tableName(request);
    Table table = tables.get(name);
    if (table == null) {
      throw DynamoDbError.resourceNotFound("Requested resource not found: Table: " + name + " not found");
    }
    return table;
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

  /** Applies planned writes in order (a batch or a transaction whose every write was found fine). */
  void commitAll(List<Write> writes, List<String> kinds) {
    for (int i = 0; i < writes.size(); i++) {
      commit(writes.get(i), kinds.get(i));
    }
  }

  void commit(Write w, String kind) {
    if (kind.equals("ConditionCheck") || w.before() == null && w.after() == null) {
      return;
    }
    if (journal != null) {
      effects.add(w.after() == null ? Journal.deleted(w.table(), w.before()) : Journal.put(w.table(), w.after()));
    }
    apply(w.table(), w.key(), w.before(), w.after());
  }

  /**
   * Makes every change durable in {@code journal} from now on, after loading what it holds. Called once, before
   * the first request.
   */
  public synchronized void recordIn(Journal journal) {
    journal.load(this::restore);
    journal.compact(this::records);
    this.journal = journal;
  }

  /** Stops writing changes to the journal (the emulator is closing it). */
  public synchronized void stopRecording() {
    journal = null;
  }

  /** Re-applies one journal record: a table's definition, a dropped table, a put or a deleted item. */
  private void restore(ObjectNode record) {
    if (record.has("table")) {
      ObjectNode stored = (ObjectNode) record.get("table");
      String name = stored.get("TableName").asText();
      Table table = TableDefinitions.restore(stored, tableArn(name));
      Table existing = tables.put(name, table);
      if (existing != null) {
        existing.items.forEach((key, item) -> apply(table, key, null, item));
      }
    } else if (record.has("drop")) {
      tables.remove(record.get("drop").asText());
    } else {
      String name = record.has("put") ? record.get("put").asText() : record.path("delete").asText();
      Table table = tables.get(name);
      if (table == null) {
        throw new IllegalStateException("The data directory is damaged: a record names table " + name + ", which "
            + "no earlier record created. Restore a backup or remove the directory.");
      }
      if (record.has("put")) {
        ObjectNode item = (ObjectNode) record.get("item");
        Table.Key key = table.keyOfItem(item);
        apply(table, key, table.items.get(key), item);
      } else {
        Table.Key key = table.keyOfRequest(record.get("key"));
        apply(table, key, table.items.get(key), null);
      }
    }
  }

  /** Every table and item as journal records: what a compacted data directory holds. */
  private void records(java.util.function.Consumer<ObjectNode> out) {
    for (Table table : tables.values()) {
      out.accept(Journal.table(table));
      table.items.values().forEach(item -> out.accept(Journal.put(table, item)));
    }
  }

  /** Puts ({@code after}) or deletes (null) one item, keeping the table's size and its indexes up to date. */
  private static void apply(Table table, Table.Key key, ObjectNode before, ObjectNode after) {
    for (SecondaryIndex index : table.indexes.values()) {
      index.update(key, before, after);
    }
    long oldSize = before == null ? 0 : AttributeValues.itemSize(before);
    if (after == null) {
      table.items.remove(key);
      table.sizeBytes -= oldSize;
    } else {
      table.items.put(key, after);
      table.sizeBytes += AttributeValues.itemSize(after) - oldSize;
    }
  }

  ObjectNode updateItem(ObjectNode request) {
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
