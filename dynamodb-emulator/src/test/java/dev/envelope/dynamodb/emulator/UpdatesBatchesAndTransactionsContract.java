package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** UpdateItem's expressions, the batch limits and transactions, all or nothing, also under concurrency. */
abstract class UpdatesBatchesAndTransactionsContract extends EmulatorContract {

  @BeforeEach
  void createAccounts() {
    ddb.createTable(b -> b.tableName("Accounts").keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
  }

  static Map<String, AttributeValue> id(String id) {
    return Map.of("id", AttributeValue.fromS(id));
  }

  static AttributeValue n(int n) {
    return AttributeValue.fromN(Integer.toString(n));
  }

  private Map<String, AttributeValue> get(String id) {
    return ddb.getItem(b -> b.tableName("Accounts").key(id(id))).item();
  }

  @Test
  void updateExpressionsSetRemoveAddAndDeleteAsDynamoDbDoes() {
    var created = ddb.updateItem(b -> b.tableName("Accounts").key(id("a"))
        .updateExpression("SET balance = if_not_exists(balance, :zero) + :ten, history = :empty, "
            + "profile = :profile ADD tags :tags, visits :one")
        .expressionAttributeValues(Map.of(":zero", n(0), ":ten", n(10), ":empty", AttributeValue.fromL(List.of()),
            ":profile", AttributeValue.fromM(Map.of("city", AttributeValue.fromS("Oslo"))), ":tags",
            AttributeValue.fromSs(List.of("new", "vip")), ":one", n(1)))
        .returnValues(ReturnValue.ALL_NEW));
    assertEquals("10", created.attributes().get("balance").n(), "an update creates the item, if_not_exists seeds");
    assertEquals("a", created.attributes().get("id").s());

    var updated = ddb.updateItem(b -> b.tableName("Accounts").key(id("a"))
        .updateExpression("SET balance = balance - :three, history = list_append(history, :entry), "
            + "profile.country = :no REMOVE profile.city DELETE tags :vip ADD visits :one")
        .expressionAttributeValues(Map.of(":three", n(3), ":entry", AttributeValue.fromL(List.of(
            AttributeValue.fromS("debit 3"))), ":no", AttributeValue.fromS("NO"), ":vip",
            AttributeValue.fromSs(List.of("vip")), ":one", n(1)))
        .returnValues(ReturnValue.UPDATED_NEW));
    Map<String, AttributeValue> attributes = updated.attributes();
    assertEquals("7", attributes.get("balance").n());
    assertEquals(List.of(AttributeValue.fromS("debit 3")), attributes.get("history").l());
    assertEquals(Map.of("country", AttributeValue.fromS("NO")), attributes.get("profile").m());
    assertEquals(List.of("new"), attributes.get("tags").ss());
    assertEquals("2", attributes.get("visits").n());
    assertFalse(attributes.containsKey("id"), "UPDATED_NEW returns only the attributes the update touched");

    var old = ddb.updateItem(b -> b.tableName("Accounts").key(id("a")).updateExpression("REMOVE history[0], tags")
        .returnValues(ReturnValue.ALL_OLD));
    assertEquals("7", old.attributes().get("balance").n());
    assertEquals(List.of(), get("a").get("history").l());
    assertFalse(get("a").containsKey("tags"));
  }

  @Test
  void invalidUpdatesAreRefusedAndChangeNothing() {
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("a"), "balance", n(5),
        "label", AttributeValue.fromS("x"))));
    assertValidation("One or more parameter values were invalid: Cannot update attribute id. This attribute is "
        + "part of the key", () -> ddb.updateItem(b -> b.tableName("Accounts").key(id("a"))
        .updateExpression("SET id = :v").expressionAttributeValues(Map.of(":v", AttributeValue.fromS("b")))));
    assertValidation("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
        + "one of these paths; path one: [balance], path two: [balance]", () -> ddb.updateItem(b -> b
        .tableName("Accounts").key(id("a")).updateExpression("SET balance = :v REMOVE balance")
        .expressionAttributeValues(Map.of(":v", n(1)))));
    assertValidation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
        + "function: +, operand type: S", () -> ddb.updateItem(b -> b.tableName("Accounts").key(id("a"))
        .updateExpression("SET balance = label + :v").expressionAttributeValues(Map.of(":v", n(1)))));
    assertValidation("The document path provided in the update expression is invalid for update",
        () -> ddb.updateItem(b -> b.tableName("Accounts").key(id("a")).updateExpression("SET absent.child = :v")
            .expressionAttributeValues(Map.of(":v", n(1)))));
    assertValidation("Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
        + "expression;", () -> ddb.updateItem(b -> b.tableName("Accounts").key(id("a"))
        .updateExpression("SET a = :v SET b = :v").expressionAttributeValues(Map.of(":v", n(1)))));
    ConditionalCheckFailedException failed = assertThrows(ConditionalCheckFailedException.class,
        () -> ddb.updateItem(b -> b.tableName("Accounts").key(id("a")).updateExpression("SET balance = :v")
            .conditionExpression("balance > :v").expressionAttributeValues(Map.of(":v", n(9)))
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals("5", failed.item().get("balance").n());
    assertEquals("5", get("a").get("balance").n(), "nothing changed");
  }

  @Test
  void batchesHoldTheirLimitsExactly() {
    List<WriteRequest> writes = new ArrayList<>();
    for (int i = 0; i < 26; i++) {
      writes.add(WriteRequest.builder().putRequest(p -> p.item(Map.of("id", AttributeValue.fromS("k" +
          writes.size())))).build());
    }
    assertValidation("Too many items requested for the BatchWriteItem call", () -> ddb.batchWriteItem(b -> b
        .requestItems(Map.of("Accounts", writes))));
    assertTrue(ddb.batchWriteItem(b -> b.requestItems(Map.of("Accounts", writes.subList(0, 25))))
        .unprocessedItems().isEmpty());
    assertEquals(25, ddb.scan(b -> b.tableName("Accounts")).count());

    var keys = new ArrayList<Map<String, AttributeValue>>();
    for (int i = 0; i < 101; i++) {
      keys.add(id("k" + i));
    }
    assertValidation("Too many items requested for the BatchGetItem call", () -> ddb.batchGetItem(b -> b
        .requestItems(Map.of("Accounts", software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
            .keys(keys).build()))));
    var got = ddb.batchGetItem(b -> b.requestItems(Map.of("Accounts",
        software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(keys.subList(0, 100))
            .build())));
    assertEquals(25, got.responses().get("Accounts").size(), "25 exist of the 100 asked for");
    assertValidation("Provided list of item keys contains duplicates", () -> ddb.batchGetItem(b -> b
        .requestItems(Map.of("Accounts", software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
            .keys(id("k1"), id("k1")).build()))));
  }

  static TransactWriteItem transfer(String account, int delta, boolean mustCover) {
    return TransactWriteItem.builder().update(u -> u.tableName("Accounts").key(id(account))
        .updateExpression("SET balance = balance + :d")
        .conditionExpression(mustCover ? "balance >= :need" : "attribute_exists(balance)")
        .expressionAttributeValues(mustCover ? Map.of(":d", n(delta), ":need", n(-delta)) : Map.of(":d", n(delta)))
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build();
  }

  @Test
  void transactionsAreAllOrNothingWithAReasonPerItem() {
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("a"), "balance", n(10))));
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("b"), "balance", n(0))));
    TransactionCanceledException e = assertThrows(TransactionCanceledException.class, () -> ddb.transactWriteItems(
        b -> b.transactItems(transfer("b", 5, false), transfer("a", -50, true))));
    assertEquals("Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
        + "ConditionalCheckFailed]", e.awsErrorDetails().errorMessage());
    assertEquals("None", e.cancellationReasons().get(0).code());
    assertEquals("ConditionalCheckFailed", e.cancellationReasons().get(1).code());
    assertEquals("10", e.cancellationReasons().get(1).item().get("balance").n());
    assertEquals("0", get("b").get("balance").n(), "the first update did not happen either");

    ddb.transactWriteItems(b -> b.clientRequestToken("t-1").transactItems(transfer("b", 5, false),
        transfer("a", -5, true)));
    ddb.transactWriteItems(b -> b.clientRequestToken("t-1").transactItems(transfer("b", 5, false),
        transfer("a", -5, true)));
    assertEquals("5", get("b").get("balance").n(), "a retried token is not applied twice");
    assertThrows(IdempotentParameterMismatchException.class, () -> ddb.transactWriteItems(b -> b
        .clientRequestToken("t-1").transactItems(transfer("b", 1, false), transfer("a", -1, true))));
    assertValidation("Transaction request cannot include multiple operations on one item",
        () -> ddb.transactWriteItems(b -> b.transactItems(transfer("a", 1, false), transfer("a", -1, true))));

    var read = ddb.transactGetItems(b -> b.transactItems(t -> t.get(g -> g.tableName("Accounts").key(id("a"))),
        t -> t.get(g -> g.tableName("Accounts").key(id("nobody")))));
    assertEquals("5", read.responses().get(0).item().get("balance").n());
    assertFalse(read.responses().get(1).hasItem());
  }
}
