package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Condition, filter and key condition expressions through the SDK client, evaluated as DynamoDB evaluates them. */
abstract class ConditionsAndQueriesContract extends EmulatorContract {

  @BeforeEach
  void createEvents() {
    ddb.createTable(b -> b.tableName("Events")
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
        .attributeDefinitions(
            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
            AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build()));
    for (String sk : List.of("2026-01-05#a", "2026-01-20#b", "2026-02-01#c", "2026-03-15#d", "2027-01-01#e")) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put("pk", AttributeValue.fromS("user-1"));
      item.put("sk", AttributeValue.fromS(sk));
      item.put("kind", AttributeValue.fromS(sk.endsWith("c") || sk.endsWith("e") ? "login" : "order"));
      item.put("amount", AttributeValue.fromN(Integer.toString(sk.charAt(sk.length() - 1) - 'a' + 1)));
      item.put("tags", AttributeValue.fromSs(List.of("x", sk.substring(0, 4))));
      item.put("detail", AttributeValue.fromM(Map.of("steps", AttributeValue.fromL(List.of(
          AttributeValue.fromS("first"), AttributeValue.fromS("second"))))));
      ddb.putItem(b -> b.tableName("Events").item(item));
    }
    ddb.putItem(b -> b.tableName("Events").item(Map.of("pk", AttributeValue.fromS("user-2"), "sk",
        AttributeValue.fromS("2026-01-01#z"))));
  }

  private List<String> sortKeys(QueryResponse response) {
    List<String> out = new ArrayList<>();
    response.items().forEach(i -> out.add(i.get("sk").s()));
    return out;
  }

  @Test
  void conditionalPutsAndDeletesHoldOrFailWithTheItemWhenAsked() {
    Map<String, AttributeValue> again = Map.of("pk", AttributeValue.fromS("user-1"), "sk",
        AttributeValue.fromS("2026-01-05#a"));
    ConditionalCheckFailedException e = assertThrows(ConditionalCheckFailedException.class,
        () -> ddb.putItem(b -> b.tableName("Events").item(again).conditionExpression("attribute_not_exists(pk)")
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals("The conditional request failed", e.awsErrorDetails().errorMessage());
    assertEquals("order", e.item().get("kind").s(), "the item that failed the condition comes back when asked");
    assertFalse(assertThrows(ConditionalCheckFailedException.class, () -> ddb.deleteItem(b -> b.tableName("Events")
        .key(again).conditionExpression("amount > :n").expressionAttributeValues(values(":n", 5)))).hasItem());

    ddb.deleteItem(b -> b.tableName("Events").key(again).conditionExpression("#k = :k AND amount BETWEEN :lo AND :hi")
        .expressionAttributeNames(Map.of("#k", "kind")).expressionAttributeValues(values(":k", "order", ":lo", 1,
            ":hi", 3)));
    assertFalse(ddb.getItem(b -> b.tableName("Events").key(again)).hasItem(), "the condition held: deleted");
  }

  @Test
  void queriesNarrowBySortKeyInOrderAndPage() {
    QueryResponse january = ddb.query(b -> b.tableName("Events")
        .keyConditionExpression("pk = :p AND begins_with(sk, :month)")
        .expressionAttributeValues(values(":p", "user-1", ":month", "2026-01")));
    assertEquals(List.of("2026-01-05#a", "2026-01-20#b"), sortKeys(january));

    QueryResponse between = ddb.query(b -> b.tableName("Events")
        .keyConditionExpression("sk BETWEEN :a AND :b AND pk = :p").scanIndexForward(false)
        .expressionAttributeValues(values(":p", "user-1", ":a", "2026-01-10", ":b", "2026-12-31")));
    assertEquals(List.of("2026-03-15#d", "2026-02-01#c", "2026-01-20#b"), sortKeys(between));

    List<String> paged = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page = ddb.query(b -> b.tableName("Events").keyConditionExpression("pk = :p").limit(2)
          .exclusiveStartKey(from).expressionAttributeValues(values(":p", "user-1")));
      paged.addAll(sortKeys(page));
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    assertEquals(5, paged.size(), "every item of the partition once, none of user-2's");
  }

  @Test
  void filtersApplyAfterTheLimitAsInDynamoDb() {
    QueryResponse filtered = ddb.query(b -> b.tableName("Events").keyConditionExpression("pk = :p")
        .filterExpression("kind = :login OR contains(tags, :year) AND NOT amount < :two")
        .expressionAttributeValues(values(":p", "user-1", ":login", "login", ":year", "2027", ":two", 2)).limit(3));
    assertEquals(3, filtered.scannedCount(), "Limit counts items read");
    assertEquals(List.of("2026-02-01#c"), sortKeys(filtered), "of the three read, only the login matches");

    var scanned = ddb.scan(b -> b.tableName("Events")
        .filterExpression("size(detail.steps) = :two AND detail.steps[1] = :second AND amount IN (:one, :five)")
        .expressionAttributeValues(values(":two", 2, ":second", "second", ":one", 1, ":five", 5)));
    assertEquals(2, scanned.count());
    assertEquals(6, scanned.scannedCount());
  }

  @Test
  void projectionsReturnOnlyTheNamedPaths() {
    Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("user-1"), "sk",
        AttributeValue.fromS("2026-01-05#a"));
    Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName("Events").key(key)
        .projectionExpression("#k, detail.steps[1], absent").expressionAttributeNames(Map.of("#k", "kind"))).item();
    assertEquals(Map.of("kind", AttributeValue.fromS("order"), "detail", AttributeValue.fromM(Map.of("steps",
        AttributeValue.fromL(List.of(AttributeValue.fromS("second")))))), item);

    QueryResponse page = ddb.query(b -> b.tableName("Events").keyConditionExpression("pk = :p")
        .projectionExpression("sk").expressionAttributeValues(values(":p", "user-1")));
    assertEquals(5, page.count());
    page.items().forEach(i -> assertEquals(1, i.size(), "only sk: " + i));

    var batch = ddb.batchGetItem(b -> b.requestItems(Map.of("Events",
        software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(key)
            .projectionExpression("amount").build())));
    assertEquals(List.of(Map.of("amount", AttributeValue.fromN("1"))), batch.responses().get("Events"));
  }

  @Test
  void badExpressionsAreValidationExceptionsWithDynamoDbsTexts() {
    assertValidation("Query condition missed key schema element: pk", () -> ddb.query(b -> b.tableName("Events")
        .keyConditionExpression("sk = :s").expressionAttributeValues(values(":s", "x"))));
    assertValidation("Query key condition not supported", () -> ddb.query(b -> b.tableName("Events")
        .keyConditionExpression("pk = :p AND kind = :k").expressionAttributeValues(values(":p", "u", ":k", "x"))));
    assertValidation("One or more parameter values were invalid: Condition parameter type does not match schema "
        + "type", () -> ddb.query(b -> b.tableName("Events").keyConditionExpression("pk = :p")
        .expressionAttributeValues(values(":p", 1))));
    assertValidation("Invalid ConditionExpression: An expression attribute value used in expression is not "
        + "defined; attribute value: :missing", () -> ddb.putItem(b -> b.tableName("Events")
        .item(values("pk", "u", "sk", "s")).conditionExpression("kind = :missing")));
    assertValidation("Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}",
        () -> ddb.putItem(b -> b.tableName("Events").item(values("pk", "u", "sk", "s"))
            .conditionExpression("attribute_not_exists(pk)").expressionAttributeValues(values(":extra", 1))));
    assertValidation("Invalid ConditionExpression: An expression attribute name used in the document path is not "
        + "defined; attribute name: #nope", () -> ddb.putItem(b -> b.tableName("Events")
        .item(values("pk", "u", "sk", "s")).conditionExpression("attribute_exists(#nope)")));
    assertValidation("Invalid ConditionExpression: Invalid function name; function: exists",
        () -> ddb.putItem(b -> b.tableName("Events").item(values("pk", "u", "sk", "s"))
            .conditionExpression("exists(pk)")));
    DynamoDbException syntax = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName("Events")
        .item(values("pk", "u", "sk", "s")).conditionExpression("pk = = :v")
        .expressionAttributeValues(values(":v", "x"))));
    assertTrue(syntax.awsErrorDetails().errorMessage().startsWith("Invalid ConditionExpression: Syntax error;"),
        syntax.awsErrorDetails().errorMessage());
  }
}
