package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations on several items: batches (each write checked before any is applied), transactions (all or
 * nothing, with a cancellation reason per item) and the simple PartiQL statements. Called by the {@link Engine}
 * under its lock, and built on its single-item planning, so that a transaction's Put means exactly what PutItem
 * means.
 */
final class MultiItemOperations {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** DynamoDB's limit on a BatchGetItem response: past 16 MB, the remaining keys come back unprocessed. */
  static final long MAX_BATCH_GET_RESPONSE_BYTES = 16L << 20;

  /** DynamoDB's limit on the aggregate size of the items a transaction writes: 4 MB. */
  static final long MAX_TRANSACTION_BYTES = 4L << 20;

  private final Engine engine;

  MultiItemOperations(Engine engine) {
    this.engine = engine;
  }

  ObjectNode batchGet(ObjectNode request) {
    JsonNode requestItems = request.get("RequestItems");
    if (requestItems == null || !requestItems.isObject() || requestItems.isEmpty()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
          + "constraint: Member must not be null");
    }
    int total = 0;
    for (JsonNode tableRequest : requestItems) {
      total += tableRequest.path("Keys").size();
      if (tableRequest.has("AttributesToGet")) {
        throw DynamoDbError.notSupported("AttributesToGet");
      }
    }
    if (total > 100) {
      throw DynamoDbError.validation("Too many items requested for the BatchGetItem call");
    }
    // Every key is checked first, as DynamoDB validates the whole request before reading anything.
    List<Map.Entry<String, JsonNode>> tablesAsked = requestItems.properties().stream().toList();
    List<List<Table.Key>> keys = new ArrayList<>();
    List<List<Expressions.Path>> projections = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : tablesAsked) {
      Table table = engine.table(JSON.objectNode().put("TableName", e.getKey()));
      Expressions expressions = new Expressions((ObjectNode) e.getValue());
      projections.add(Projection.of((ObjectNode) e.getValue(), expressions));
      expressions.checkAllUsed();
      Set<Table.Key> seen = new TreeSet<>(Table.ORDER);
      List<Table.Key> tableKeys = new ArrayList<>();
      for (JsonNode key : e.getValue().path("Keys")) {
        Table.Key k = table.keyOfRequest(key);
        if (!seen.add(k)) {
          throw DynamoDbError.validation("Provided list of item keys contains duplicates");
        }
        tableKeys.add(k);
      }
      keys.add(tableKeys);
    }
    ObjectNode response = JSON.objectNode();
    ObjectNode responses = response.putObject("Responses");
    ObjectNode unprocessed = response.putObject("UnprocessedKeys");
    int read = 0;
    long bytes = 0;
    for (int t = 0; t < tablesAsked.size(); t++) {
      String name = tablesAsked.get(t).getKey();
      Table table = engine.table(JSON.objectNode().put("TableName", name));
      ArrayNode items = responses.putArray(name);
      JsonNode asked = tablesAsked.get(t).getValue();
      for (int i = 0; i < keys.get(t).size(); i++) {
        // DynamoDB returns what exceeds its capacity or 16 MB of response as UnprocessedKeys, to be asked again.
        if (read >= engine.batchCapacity() || bytes > MAX_BATCH_GET_RESPONSE_BYTES) {
          ObjectNode rest = (ObjectNode) unprocessed.get(name);
          if (rest == null) {
            rest = ((ObjectNode) asked).deepCopy();
            rest.putArray("Keys");
            unprocessed.set(name, rest);
          }
          ((ArrayNode) rest.get("Keys")).add(asked.get("Keys").get(i));
          continue;
        }
        read++;
        ObjectNode item = table.items.get(keys.get(t).get(i));
        if (item != null) {
          bytes += AttributeValues.itemSize(item);
          items.add(Projection.apply(projections.get(t), item));
        }
      }
    }
    return response;
  }

  ObjectNode batchWrite(ObjectNode request) {
    JsonNode requestItems = request.get("RequestItems");
    if (requestItems == null || !requestItems.isObject() || requestItems.isEmpty()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
          + "constraint: Member must not be null");
    }
    int total = 0;
    for (JsonNode writes : requestItems) {
      total += writes.size();
    }
    if (total > 25) {
      throw DynamoDbError.validation("Too many items requested for the BatchWriteItem call");
    }
    List<Engine.Write> planned = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    List<String> tableOfWrite = new ArrayList<>();
    List<JsonNode> writes = new ArrayList<>();
    requestItems.properties().forEach(e -> {
      Set<Table.Key> seen = new TreeSet<>(Table.ORDER);
      for (JsonNode write : e.getValue()) {
        String kind = write.has("PutRequest") ? "Put" : write.has("DeleteRequest") ? "Delete" : null;
        if (kind == null) {
          throw DynamoDbError.validation("Supplied AttributeValue has no PutRequest or DeleteRequest");
        }
        ObjectNode op = ((ObjectNode) write.get(kind + "Request")).deepCopy();
        op.put("TableName", e.getKey());
        Engine.Write w = engine.plan(kind, op);
        if (!seen.add(w.key())) {
          throw DynamoDbError.validation("Provided list of item keys contains duplicates");
        }
        planned.add(w);
        kinds.add(kind);
        tableOfWrite.add(e.getKey());
        writes.add(write);
      }
    });
    for (Engine.Write w : planned) {
      if (Engine.refusal(w) != null) {
        throw Engine.refusal(w);
      }
    }
    // Under simulated throttling the first writes are applied and the rest come back, as DynamoDB returns them.
    int applied = Math.min(planned.size(), engine.batchCapacity());
    engine.commitAll(planned.subList(0, applied), kinds.subList(0, applied));
    ObjectNode response = JSON.objectNode();
    ObjectNode unprocessed = response.putObject("UnprocessedItems");
    for (int i = applied; i < planned.size(); i++) {
      String name = tableOfWrite.get(i);
      (unprocessed.has(name) ? (ArrayNode) unprocessed.get(name) : unprocessed.putArray(name)).add(writes.get(i));
    }
    return response;
  }

  ObjectNode transactGet(ObjectNode request) {
    JsonNode items = request.path("TransactItems");
    if (items.isEmpty() || items.size() > 100) {
      throw DynamoDbError.validation("1 validation error detected: Value at 'transactItems' failed to satisfy "
          + "constraint: Member must have length less than or equal to 100 and greater than or equal to 1");
    }
    ObjectNode response = JSON.objectNode();
    ArrayNode responses = response.putArray("Responses");
    for (JsonNode item : items) {
      ObjectNode get = (ObjectNode) item.get("Get");
      if (get == null) {
        throw DynamoDbError.validation("TransactItems can only contain Get operations");
      }
      Expressions expressions = new Expressions(get);
      List<Expressions.Path> projection = Projection.of(get, expressions);
      expressions.checkAllUsed();
      Table table = engine.table(get);
      ObjectNode found = table.items.get(table.keyOfRequest(get.get("Key")));
      ObjectNode entry = responses.addObject();
      if (found != null) {
        entry.set("Item", Projection.apply(projection, found));
      }
    }
    return response;
  }

  /** Idempotency tokens of TransactWriteItems and the items they were first used with (kept while the engine lives). */
  private final Map<String, JsonNode> transactionTokens = new HashMap<>();

  ObjectNode transactWrite(ObjectNode request) {
    JsonNode items = request.path("TransactItems");
    if (items.isEmpty() || items.size() > 100) {
      throw DynamoDbError.validation("1 validation error detected: Value at 'transactItems' failed to satisfy "
          + "constraint: Member must have length less than or equal to 100 and greater than or equal to 1");
    }
    String token = request.path("ClientRequestToken").asText(null);
    if (token != null && transactionTokens.containsKey(token)) {
      if (!transactionTokens.get(token).equals(items)) {
        throw DynamoDbError.idempotentParameterMismatch();
      }
      return JSON.objectNode(); // the same request again: already applied, not applied twice
    }
    List<Engine.Write> planned = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    Set<String> targets = new HashSet<>();
    for (JsonNode item : items) {
      String kind = item.size() == 1 ? item.fieldNames().next() : "";
      if (!Set.of("Put", "Delete", "Update", "ConditionCheck").contains(kind)) {
        throw DynamoDbError.validation("TransactItems can only contain one of Check, Put, Update or Delete");
      }
      Engine.Write w = engine.plan(kind, (ObjectNode) item.get(kind));
      if (!targets.add(w.table().name + "/" + w.key())) {
        throw DynamoDbError.validation("Transaction request cannot include multiple operations on one item");
      }
      planned.add(w);
      kinds.add(kind);
    }
    long written = planned.stream().filter(w -> w.after() != null && w.after() != w.before())
        .mapToLong(w -> AttributeValues.itemSize(w.after())).sum();
    if (written > MAX_TRANSACTION_BYTES) {
      throw DynamoDbError.validation("Transaction request cannot be larger than 4 MB");
    }
    if (planned.stream().anyMatch(w -> !w.conditionHolds() || w.collectionTooLarge())) {
      ArrayNode reasons = JSON.arrayNode();
      for (Engine.Write w : planned) {
        ObjectNode reason = reasons.addObject();
        if (w.conditionHolds() && !w.collectionTooLarge()) {
          reason.put("Code", "None");
        } else if (w.conditionHolds()) {
          reason.put("Code", "ItemCollectionSizeLimitExceeded");
          reason.put("Message", "Collection size exceeded");
        } else {
          reason.put("Code", "ConditionalCheckFailed");
          reason.put("Message", "The conditional request failed");
          if (w.returnOldOnFailure() && w.before() != null) {
            reason.set("Item", w.before().deepCopy());
          }
        }
      }
      throw DynamoDbError.transactionCanceled(reasons);
    }
    engine.commitAll(planned, kinds);
    if (token != null) {
      transactionTokens.put(token, items.deepCopy());
    }
    return JSON.objectNode();
  }

  /** The simple PartiQL statements {@link PartiQl} understands, run as the operations they mean. */
  ObjectNode executeStatement(ObjectNode request) {
    JsonNode statement = request.get("Statement");
    if (statement == null || !statement.isTextual()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'statement' failed to satisfy "
          + "constraint: Member must not be null");
    }
    PartiQl.Translated t = PartiQl.translate(statement.textValue(), request.get("Parameters"));
    ObjectNode op = t.request();
    switch (t.operation()) {
      case "PartiQLInsert" -> {
        Engine.Write w = engine.plan("Put", op);
        if (w.before() != null) {
          throw DynamoDbError.duplicateItem();
        }
        engine.commit(w, "Put");
        return JSON.objectNode();
      }
      case "DeleteItem" -> {
        engine.writeOne("Delete", op);
        return JSON.objectNode();
      }
      case "UpdateItem" -> {
        engine.updateItem(op);
        return JSON.objectNode();
      }
      default -> {
        Table table = engine.table(op);
        JsonNode where = op.get("Where");
        ObjectNode response = JSON.objectNode();
        ArrayNode items = response.putArray("Items");
        for (ObjectNode item : table.items.values()) {
          boolean matches = true;
          if (where != null) {
            for (var e : where.properties()) {
              JsonNode actual = item.get(e.getKey());
              matches &= actual != null && AttributeValues.sameValue(actual, e.getValue());
            }
          }
          if (matches) {
            items.add(item.deepCopy());
          }
        }
        return response;
      }
    }
  }
}
