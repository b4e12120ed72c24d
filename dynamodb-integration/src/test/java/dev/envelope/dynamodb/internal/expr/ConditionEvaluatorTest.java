package dev.envelope.dynamodb.internal.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The evaluator that drops beacon false positives decides as DynamoDB does: for each expression, the items our
 * evaluator keeps are the items a Scan with that filter returns from the DynamoDB emulator, over items with
 * numbers spelled differently, missing attributes, values of other types, sets, lists, maps and binary.
 */
class ConditionEvaluatorTest {
  private static DynamoDbEmulator emulator;
  private static DynamoDbClient ddb;
  private static final List<Map<String, AttributeValue>> ITEMS = new ArrayList<>();

  @BeforeAll
  static void start() {
    emulator = DynamoDbEmulator.create();
    ddb = emulator.client();
    ddb.createTable(b -> b.tableName("Things").billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
    String[] strings = {"apple", "Apple", "äpfel", "banana", "", "\uD83D\uDE00", "ap"};
    String[] numbers = {"1", "1.0", "-2", "10", "1e1", "0.5", "100"};
    for (int i = 0; i < 28; i++) {
      Map<String, AttributeValue> item = new LinkedHashMap<>();
      item.put("pk", AttributeValue.fromS("p" + i));
      if (i % 7 != 3) {
        item.put("s", i % 5 == 4 ? AttributeValue.fromN(numbers[i % numbers.length])
            : AttributeValue.fromS(strings[i % strings.length]));
      }
      if (i % 4 != 1) {
        item.put("n", AttributeValue.fromN(numbers[(i * 3) % numbers.length]));
      }
      item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {(byte) (i * 37), (byte) i})));
      item.put("tags", AttributeValue.fromSs(i % 2 == 0 ? List.of("x", "y") : List.of("y", "z" + i % 3)));
      item.put("nums", AttributeValue.fromNs(List.of(numbers[i % numbers.length], "7")));
      item.put("l", AttributeValue.fromL(List.of(AttributeValue.fromS("a" + i % 3), AttributeValue.fromN("1"))));
      item.put("m", AttributeValue.fromM(Map.of("k", AttributeValue.fromS("v" + i % 4),
          "deep", AttributeValue.fromM(Map.of("n", AttributeValue.fromN(String.valueOf(i % 6)))))));
      item.put("flag", i % 3 == 0 ? AttributeValue.fromBool(true) : AttributeValue.fromNul(true));
      ITEMS.add(item);
      ddb.putItem(b -> b.tableName("Things").item(item));
    }
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static void assertSameAsDynamoDb(String filter, Map<String, String> names,
      Map<String, AttributeValue> values) {
    List<String> dynamo = ddb.scan(b -> b.tableName("Things").filterExpression(filter)
        .expressionAttributeNames(names.isEmpty() ? null : names)
        .expressionAttributeValues(values.isEmpty() ? null : values)).items().stream()
        .map(i -> i.get("pk").s()).sorted().toList();
    Condition condition = Condition.parse(ExpressionTokens.of(filter), filter);
    ConditionEvaluator evaluator = new ConditionEvaluator(names, values);
    List<String> ours = ITEMS.stream().filter(i -> evaluator.matches(condition, i)).map(i -> i.get("pk").s())
        .sorted().toList();
    assertEquals(dynamo, ours, filter);
  }

  private static Map<String, AttributeValue> v(Object... pairs) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (AttributeValue) pairs[i + 1]);
    }
    return out;
  }

  private static AttributeValue s(String s) {
    return AttributeValue.fromS(s);
  }

  private static AttributeValue n(String n) {
    return AttributeValue.fromN(n);
  }

  @Test
  void comparisonsDecideAsDynamoDbDoes() {
    for (String op : List.of("=", "<>", "<", "<=", ">", ">=")) {
      assertSameAsDynamoDb("n " + op + " :v", Map.of(), v(":v", n("10.00")));
      assertSameAsDynamoDb("s " + op + " :v", Map.of(), v(":v", s("apple")));
      assertSameAsDynamoDb("b " + op + " :v", Map.of(), v(":v", AttributeValue.fromB(SdkBytes.fromByteArray(
          new byte[] {(byte) 0x80, 0}))));
      assertSameAsDynamoDb(":v " + op + " s", Map.of(), v(":v", n("1")));
    }
    assertSameAsDynamoDb("n BETWEEN :a AND :b", Map.of(), v(":a", n("0.5"), ":b", n("1e1")));
    assertSameAsDynamoDb("s BETWEEN :a AND :b", Map.of(), v(":a", s("Apple"), ":b", s("b")));
    assertSameAsDynamoDb("n IN (:a, :b, :c)", Map.of(), v(":a", n("1"), ":b", s("1"), ":c", n("-2.0")));
    assertSameAsDynamoDb("tags = :t", Map.of(), v(":t", AttributeValue.fromSs(List.of("y", "x"))));
    assertSameAsDynamoDb("nums = :t", Map.of(), v(":t", AttributeValue.fromNs(List.of("7.0", "1"))));
    assertSameAsDynamoDb("#m.deep.n >= :d AND l[0] = :a", Map.of("#m", "m"), v(":d", n("3"), ":a", s("a1")));
    assertSameAsDynamoDb("m = :m", Map.of(), v(":m", AttributeValue.fromM(Map.of("k", s("v1"),
        "deep", AttributeValue.fromM(Map.of("n", n("1.0")))))));
    assertSameAsDynamoDb("flag = :f", Map.of(), v(":f", AttributeValue.fromBool(true)));
  }

  @Test
  void functionsAndBooleanOperatorsDecideAsDynamoDbDoes() {
    assertSameAsDynamoDb("attribute_exists(s) AND attribute_not_exists(n)", Map.of(), Map.of());
    assertSameAsDynamoDb("attribute_type(s, :t) OR attribute_type(flag, :u)", Map.of(), v(":t", s("N"),
        ":u", s("NULL")));
    assertSameAsDynamoDb("begins_with(s, :p)", Map.of(), v(":p", s("ap")));
    assertSameAsDynamoDb("begins_with(b, :p)", Map.of(), v(":p", AttributeValue.fromB(SdkBytes.fromByteArray(
        new byte[] {(byte) 37}))));
    assertSameAsDynamoDb("contains(s, :p) OR contains(tags, :t)", Map.of(), v(":p", s("an"), ":t", s("z1")));
    assertSameAsDynamoDb("contains(nums, :x) AND contains(l, :y)", Map.of(), v(":x", n("1.00"), ":y", s("a2")));
    assertSameAsDynamoDb("size(s) > :z OR size(tags) = :two", Map.of(), v(":z", n("4"), ":two", n("3")));
    assertSameAsDynamoDb("NOT (n < :a OR s = :b) AND NOT attribute_exists(#x)", Map.of("#x", "nope"),
        v(":a", n("1"), ":b", s("banana")));
    assertSameAsDynamoDb("n = :a OR n = :b AND s = :c", Map.of(), v(":a", n("1"), ":b", n("10"),
        ":c", s("apple")));
  }

  @Test
  void malformedExpressionsAreRefusedWithWhereTheyBreak() {
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
        () -> Condition.parse(ExpressionTokens.of("a = :v AND"), "a = :v AND"));
    assertEquals("Syntax error at its end in expression \"a = :v AND\"", e.getMessage());
    e = assertThrows(UnsupportedRequestException.class, () -> ExpressionTokens.of("a = :v ; b"));
    assertEquals("Unexpected character ';' at position 7 of expression \"a = :v ; b\"", e.getMessage());
    e = assertThrows(UnsupportedRequestException.class,
        () -> Condition.parse(ExpressionTokens.of("begins_with(:v, a)"), "begins_with(:v, a)"));
    assertEquals("begins_with takes a path and a value in expression \"begins_with(:v, a)\"", e.getMessage());
  }

  @Test
  void keywordsAreWholeWordsSoAttributesNamedLikeThemStayNames() {
    List<ExpressionTokens.Token> tokens = ExpressionTokens.of("index = :i OR order IN (:o) AND android <> :a");
    assertEquals("index = :i OR order IN ( :o ) AND android <> :a", ExpressionTokens.join(tokens));
    assertEquals(ExpressionTokens.Kind.PATH, tokens.get(0).kind());
    assertEquals(ExpressionTokens.Kind.PATH, tokens.get(4).kind());
  }
}
