package dev.envelope.dynamodb;

import static dev.envelope.dynamodb.TestItems.n;
import static dev.envelope.dynamodb.TestItems.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Every operation the interceptor handles, with the table named by name and by ARN (DynamoDB accepts both in
 * {@code TableName}): writes are encrypted, reads verified, conditions and projections checked, whatever the form.
 * Regression for the fail-open found from outside: a PutItem naming the table's ARN was stored in plaintext and a
 * GetItem by ARN returned tampered values unverified.
 */
class TableNameFormsTest {
  private static String table;
  private static String arn;
  private static String plainTable;
  private static String undeclared;
  private static DynamoDbClient ddb;
  private static DynamoDbClient raw;

  @BeforeAll
  static void start() {
    table = DdbTestParts.createTable("forms", "pk", "sk");
    plainTable = DdbTestParts.createTable("declared-plain", "pk", null);
    undeclared = DdbTestParts.createTable("undeclared", "pk", null);
    raw = DdbTestParts.rawClient();
    arn = raw.describeTable(b -> b.tableName(table)).table().tableArn();
    ddb = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(TestItems.config(table, DdbTestParts.aesKeyring()).build())
        .plaintextTable(plainTable)
        .build());
  }

  @AfterAll
  static void stop() {
    ddb.close();
    raw.close();
  }

  private static String form(boolean byArn) {
    return byArn ? arn : table;
  }

  private static Map<String, AttributeValue> key(String pk, int sk) {
    return Map.of("pk", s(pk), "sk", n(Integer.toString(sk)));
  }

  private static Map<String, AttributeValue> stored(String pk, int sk) {
    return raw.getItem(b -> b.tableName(table).key(key(pk, sk)).consistentRead(true)).item();
  }

  private static void assertEncrypted(String pk, int sk) {
    Map<String, AttributeValue> item = stored(pk, sk);
    assertTrue(item.containsKey(ItemFormat.HEADER_ATTRIBUTE) && item.containsKey(ItemFormat.SIGNATURE_ATTRIBUTE),
        pk + " was stored without env_head/env_sig: " + item.keySet());
    assertFalse(item.toString().contains(TestItems.SECRET), pk + " was stored with plaintext");
  }

  /** Changes the stored SIGN_ONLY status of an item behind the interceptor's back. */
  private static void tamper(String pk, int sk) {
    Map<String, AttributeValue> item = new HashMap<>(stored(pk, sk));
    item.put("status", s("REFUNDED"));
    raw.putItem(b -> b.tableName(table).item(item));
  }

  private static void assertTamperDetected(Executable read) {
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, read);
    assertTrue(e.getMessage().contains("status"), e.getMessage());
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void putAndGetAreEncryptedAndVerified(boolean byArn) {
    String pk = "put-" + byArn;
    ddb.putItem(b -> b.tableName(form(byArn)).item(TestItems.everyType(pk, 1)));
    assertEncrypted(pk, 1);
    assertEquals(TestItems.normalized(TestItems.everyType(pk, 1)),
        ddb.getItem(b -> b.tableName(form(byArn)).key(key(pk, 1)).consistentRead(true)).item());
    Map<String, AttributeValue> old = ddb.putItem(b -> b.tableName(form(byArn)).item(TestItems.everyType(pk, 1))
        .returnValues(ReturnValue.ALL_OLD)).attributes();
    assertEquals(s(TestItems.SECRET), old.get("card"), "ALL_OLD comes back decrypted");
    tamper(pk, 1);
    assertTamperDetected(() -> ddb.getItem(b -> b.tableName(form(byArn)).key(key(pk, 1)).consistentRead(true)));
    assertTamperDetected(() -> ddb.putItem(b -> b.tableName(form(byArn)).item(TestItems.everyType(pk, 1))
        .returnValues(ReturnValue.ALL_OLD)));
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void queryAndScanAreVerified(boolean byArn) {
    String pk = "query-" + byArn;
    ddb.putItem(b -> b.tableName(form(byArn)).item(TestItems.everyType(pk, 1)));
    Function<DynamoDbClient, List<Map<String, AttributeValue>>> query = c -> c.query(b -> b.tableName(form(byArn))
        .keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", s(pk))).consistentRead(true))
        .items();
    assertEquals(s(TestItems.SECRET), query.apply(ddb).get(0).get("card"));
    tamper(pk, 1);
    assertTamperDetected(() -> query.apply(ddb));
    assertTamperDetected(() -> ddb.scan(b -> b.tableName(form(byArn)).filterExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", s(pk))).consistentRead(true)));
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void batchWriteAndBatchGetAreEncryptedAndVerified(boolean byArn) {
    String pk = "batch-" + byArn;
    ddb.batchWriteItem(b -> b.requestItems(Map.of(form(byArn), List.of(WriteRequest.builder()
        .putRequest(PutRequest.builder().item(TestItems.everyType(pk, 1)).build()).build()))));
    assertEncrypted(pk, 1);
    Function<DynamoDbClient, Map<String, List<Map<String, AttributeValue>>>> get = c -> c.batchGetItem(b -> b
        .requestItems(Map.of(form(byArn), KeysAndAttributes.builder().keys(key(pk, 1)).consistentRead(true)
            .build()))).responses();
    assertEquals(s(TestItems.SECRET), get.apply(ddb).values().iterator().next().get(0).get("card"));
    tamper(pk, 1);
    assertTamperDetected(() -> get.apply(ddb));
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void transactionsAreEncryptedAndVerified(boolean byArn) {
    String pk = "tx-" + byArn;
    ddb.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().put(Put.builder()
        .tableName(form(byArn)).item(TestItems.everyType(pk, 1)).build()).build()));
    assertEncrypted(pk, 1);
    Function<DynamoDbClient, Map<String, AttributeValue>> get = c -> c.transactGetItems(b -> b.transactItems(
        TransactGetItem.builder().get(Get.builder().tableName(form(byArn)).key(key(pk, 1)).build()).build()))
        .responses().get(0).item();
    assertEquals(s(TestItems.SECRET), get.apply(ddb).get("card"));
    tamper(pk, 1);
    assertTamperDetected(() -> get.apply(ddb));
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void updateAndDeleteAreCheckedAndTheirOldValuesVerified(boolean byArn) {
    String pk = "upd-" + byArn;
    ddb.putItem(b -> b.tableName(form(byArn)).item(TestItems.everyType(pk, 1)));
    assertThrows(UnsupportedRequestException.class, () -> ddb.updateItem(b -> b.tableName(form(byArn))
        .key(key(pk, 1)).updateExpression("SET card = :c").expressionAttributeValues(Map.of(":c", s("x")))));
    assertThrows(UnsupportedRequestException.class, () -> ddb.transactWriteItems(b -> b.transactItems(
        TransactWriteItem.builder().update(Update.builder().tableName(form(byArn)).key(key(pk, 1))
            .updateExpression("SET #s = :s").expressionAttributeNames(Map.of("#s", "status"))
            .expressionAttributeValues(Map.of(":s", s("x"))).build()).build())));
    assertEquals(TestItems.normalized(TestItems.everyType(pk, 1)), ddb.getItem(b -> b.tableName(table)
        .key(key(pk, 1)).consistentRead(true)).item(), "the refused updates changed nothing");
    tamper(pk, 1);
    assertTamperDetected(() -> ddb.updateItem(b -> b.tableName(form(byArn)).key(key(pk, 1))
        .updateExpression("SET #t = :t").expressionAttributeNames(Map.of("#t", "_ttl"))
        .expressionAttributeValues(Map.of(":t", n("1"))).returnValues(ReturnValue.ALL_NEW)));
    assertTamperDetected(() -> ddb.deleteItem(b -> b.tableName(form(byArn)).key(key(pk, 1))
        .returnValues(ReturnValue.ALL_OLD)));
  }

  @ParameterizedTest(name = "by ARN: {0}")
  @ValueSource(booleans = {false, true})
  void conditionsAndProjectionsOnEncryptedAttributesAreRefused(boolean byArn) {
    String t = form(byArn);
    Map<String, AttributeValue> item = TestItems.everyType("cond-" + byArn, 1);
    Map<String, AttributeValue> k = key("cond-" + byArn, 1);
    Map<String, AttributeValue> values = Map.of(":c", s("x"));
    List<Executable> refused = List.of(
        () -> ddb.putItem(b -> b.tableName(t).item(item).conditionExpression("card <> :c")
            .expressionAttributeValues(values)),
        () -> ddb.deleteItem(b -> b.tableName(t).key(k).conditionExpression("card = :c")
            .expressionAttributeValues(values)),
        () -> ddb.updateItem(b -> b.tableName(t).key(k).updateExpression("SET #t = :c")
            .expressionAttributeNames(Map.of("#t", "_ttl")).conditionExpression("card = :c")
            .expressionAttributeValues(values)),
        () -> ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :c").filterExpression("card = :c")
            .expressionAttributeValues(values)),
        () -> ddb.scan(b -> b.tableName(t).filterExpression("contains(tags, :c)").expressionAttributeValues(values)),
        () -> ddb.getItem(b -> b.tableName(t).key(k).projectionExpression("card")),
        () -> ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :c").expressionAttributeValues(values)
            .projectionExpression("pk")),
        () -> ddb.scan(b -> b.tableName(t).attributesToGet("pk")),
        () -> ddb.batchGetItem(b -> b.requestItems(Map.of(t, KeysAndAttributes.builder().keys(k)
            .projectionExpression("card").build()))),
        () -> ddb.transactGetItems(b -> b.transactItems(TransactGetItem.builder().get(Get.builder().tableName(t)
            .key(k).projectionExpression("card").build()).build())),
        () -> ddb.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().put(Put.builder()
            .tableName(t).item(item).conditionExpression("card <> :c").expressionAttributeValues(values).build())
            .build())),
        () -> ddb.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().delete(Delete.builder()
            .tableName(t).key(k).conditionExpression("card = :c").expressionAttributeValues(values).build())
            .build())),
        () -> ddb.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().conditionCheck(
            ConditionCheck.builder().tableName(t).key(k).conditionExpression("card = :c")
                .expressionAttributeValues(values).build()).build())),
        () -> ddb.executeStatement(b -> b.statement("SELECT * FROM \"" + t + "\"")));
    for (Executable call : refused) {
      UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, call);
      assertTrue(e.getMessage().contains(table), e.getMessage());
    }
    assertFalse(raw.getItem(b -> b.tableName(table).key(k).consistentRead(true)).hasItem(), "nothing was written");
  }

  @Test
  void undeclaredTablesAreRefusedInEveryFormAndDeclaredPlaintextTablesPass() {
    String undeclaredArn = raw.describeTable(b -> b.tableName(undeclared)).table().tableArn();
    Map<String, AttributeValue> item = Map.of("pk", s("x"), "note", s("clear"));
    for (String name : List.of(undeclared, undeclaredArn)) {
      UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
          () -> ddb.putItem(b -> b.tableName(name).item(item)));
      assertEquals("PutItem names table " + undeclared + ", which this client neither encrypts (it encrypts ["
          + table + "]) nor was told is plaintext. If the table's items are meant to be stored in the clear, "
          + "declare it: DynamoDbEncryptionInterceptor.builder().plaintextTable(\"" + undeclared + "\"); if they "
          + "should be encrypted, add a TableConfig for it", e.getMessage());
      assertThrows(UnsupportedRequestException.class, () -> ddb.getItem(b -> b.tableName(name)
          .key(Map.of("pk", s("x")))));
      assertThrows(UnsupportedRequestException.class, () -> ddb.batchWriteItem(b -> b.requestItems(Map.of(name,
          List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())))));
      assertThrows(UnsupportedRequestException.class, () -> ddb.executeStatement(b -> b.statement(
          "INSERT INTO \"" + name + "\" VALUE {'pk': 'y'}")));
    }
    assertFalse(raw.scan(b -> b.tableName(undeclared)).hasItems() && !raw.scan(b -> b.tableName(undeclared))
        .items().isEmpty(), "nothing reached the undeclared table");
    for (String name : List.of("arn:aws:dynamodb:us-east-1:12345:table/" + table, "arn:aws:s3:::" + table,
        arn + "/index/byStatus", "no")) {
      UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
          () -> ddb.putItem(b -> b.tableName(name).item(TestItems.everyType("malformed", 1))));
      assertTrue(e.getMessage().startsWith("PutItem names table '" + name + "', which is neither a table name nor "
          + "a table ARN"), e.getMessage());
    }

    String plainArn = raw.describeTable(b -> b.tableName(plainTable)).table().tableArn();
    ddb.putItem(b -> b.tableName(plainTable).item(item));
    ddb.executeStatement(b -> b.statement("INSERT INTO \"" + plainArn.substring(plainArn.indexOf('/') + 1)
        + "\" VALUE {'pk': 'y', 'note': 'clear'}"));
    assertEquals(s("clear"), ddb.getItem(b -> b.tableName(plainArn).key(Map.of("pk", s("y")))).item().get("note"));
    assertEquals(s("clear"), raw.getItem(b -> b.tableName(plainTable).key(Map.of("pk", s("x")))).item()
        .get("note"));
  }

  @Test
  void anArnOfAnotherAccountOrRegionThanConfiguredIsRefused() {
    String[] parts = arn.split(":");
    try (DynamoDbClient pinned = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(TestItems.config(table, DdbTestParts.aesKeyring()).accountId(parts[4]).region(parts[3]).build())
        .build())) {
      pinned.putItem(b -> b.tableName(arn).item(TestItems.everyType("pinned", 1)));
      assertEncrypted("pinned", 1);
      String otherAccount = arn.replace(":" + parts[4] + ":", ":111122223333:");
      UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
          () -> pinned.getItem(b -> b.tableName(otherAccount).key(key("pinned", 1))));
      assertEquals("GetItem names " + otherAccount + ", but encrypted table " + table + " is configured for account "
          + parts[4] + " in region " + parts[3] + ": the ARN names another table of the same name. Configure that "
          + "table separately, or fix the ARN", e.getMessage());
      String otherRegion = arn.replace(":" + parts[3] + ":", ":eu-west-1:");
      assertThrows(UnsupportedRequestException.class, () -> pinned.putItem(b -> b.tableName(otherRegion)
          .item(TestItems.everyType("pinned", 2))));
    }
  }

  @Test
  void aTableConfiguredByArnTakesItsNameAccountAndRegion() {
    TableConfig config = TestItems.config(arn, DdbTestParts.aesKeyring()).build();
    String[] parts = arn.split(":");
    assertEquals(table, config.tableName());
    assertEquals(parts[4], config.accountId().orElseThrow());
    assertEquals(parts[3], config.region().orElseThrow());
    assertEquals(table, config.encryptionContext().get(TableConfig.TABLE_CONTEXT_KEY), "the name is bound, "
        + "so items read the same by name and by ARN");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestItems.config(arn, DdbTestParts.aesKeyring()).accountId("111122223333").build());
    assertEquals("Table " + table + ": accountId 111122223333 differs from the table ARN's " + parts[4],
        e.getMessage());
  }
}
