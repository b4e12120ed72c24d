package dev.envelope.dynamodb;

import static dev.envelope.dynamodb.TestItems.n;
import static dev.envelope.dynamodb.TestItems.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The interceptor on a plain DynamoDbClient against the DynamoDB emulator (through the SDK's HTTP pipeline), with
 * KMS keys from the KMS emulator.
 */
class InterceptorTest {
  private static String table;
  private static String plainTable;
  private static InMemoryAuditSink audit;
  private static DynamoDbClient ddb;
  private static DynamoDbClient raw;

  @BeforeAll
  static void start() {
    table = DdbTestParts.createTable("orders", "pk", "sk");
    plainTable = DdbTestParts.createTable("plain", "pk", null);
    audit = new InMemoryAuditSink();
    ddb = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(TestItems.config(table, DdbTestParts.kmsKeyring()).auditSink(audit).build())
        .plaintextTable(plainTable)
        .build());
    raw = DdbTestParts.rawClient();
  }

  @AfterAll
  static void stop() {
    ddb.close();
    raw.close();
  }

  private static Map<String, AttributeValue> key(String pk, int sk) {
    return Map.of("pk", s(pk), "sk", n(Integer.toString(sk)));
  }

  @Test
  void putAndGetEveryTypeAndRawReadShowsNoPlaintext() {
    Map<String, AttributeValue> item = TestItems.everyType("put-get", 1);
    ddb.putItem(b -> b.tableName(table).item(item));

    Map<String, AttributeValue> read = ddb.getItem(b -> b.tableName(table).key(key("put-get", 1))
        .consistentRead(true)).item();
    assertEquals(TestItems.normalized(item), read);

    Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(table).key(key("put-get", 1))
        .consistentRead(true)).item();
    assertFalse(stored.toString().contains(TestItems.SECRET), "a raw read shows no plaintext");
    assertEquals(AttributeValue.Type.B, stored.get("card").type());
    assertEquals(s("PAID"), stored.get("status"), "SIGN_ONLY stays readable");
    assertTrue(stored.containsKey(ItemFormat.HEADER_ATTRIBUTE) && stored.containsKey(ItemFormat.SIGNATURE_ATTRIBUTE));
    long kmsDecrypts = audit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.DECRYPT).count();
    assertTrue(kmsDecrypts >= 1);
  }

  @Test
  void queryOnKeysAndSignOnlyFilterAndScan() {
    for (int i = 0; i < 5; i++) {
      Map<String, AttributeValue> item = new HashMap<>(TestItems.everyType("query", i));
      item.put("status", s(i % 2 == 0 ? "PAID" : "OPEN"));
      ddb.putItem(b -> b.tableName(table).item(item));
    }
    List<Map<String, AttributeValue>> items = ddb.query(b -> b.tableName(table)
        .keyConditionExpression("pk = :p AND sk >= :from").filterExpression("#st = :paid")
        .expressionAttributeNames(Map.of("#st", "status"))
        .expressionAttributeValues(Map.of(":p", s("query"), ":from", n("1"), ":paid", s("PAID")))).items();
    assertEquals(List.of(n("2"), n("4")), items.stream().map(i -> i.get("sk")).toList());
    assertEquals(s(TestItems.SECRET), items.get(0).get("card"));

    List<Map<String, AttributeValue>> scanned = ddb.scan(b -> b.tableName(table).filterExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", s("query")))).items();
    assertEquals(5, scanned.size());
    scanned.forEach(i -> assertEquals(s(TestItems.SECRET), i.get("card")));
  }

  @Test
  void batchWriteAndBatchGet() {
    List<WriteRequest> writes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      writes.add(WriteRequest.builder().putRequest(PutRequest.builder()
          .item(TestItems.everyType("batch", i)).build()).build());
    }
    BatchWriteItemResponse written = ddb.batchWriteItem(b -> b.requestItems(Map.of(table, writes)));
    assertTrue(written.unprocessedItems().isEmpty());

    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      keys.add(key("batch", i));
    }
    BatchGetItemResponse read = ddb.batchGetItem(b -> b.requestItems(Map.of(table,
        KeysAndAttributes.builder().keys(keys).consistentRead(true).build())));
    List<Map<String, AttributeValue>> items = read.responses().get(table);
    assertEquals(20, items.size());
    for (Map<String, AttributeValue> item : items) {
      int sk = Integer.parseInt(item.get("sk").n());
      assertEquals(TestItems.normalized(TestItems.everyType("batch", sk)), item);
    }
  }

  @Test
  void transactWriteAndTransactGet() {
    ddb.transactWriteItems(b -> b.transactItems(
        TransactWriteItem.builder().put(Put.builder().tableName(table).item(TestItems.everyType("tx", 1))
            .conditionExpression("attribute_not_exists(pk)").build()).build(),
        TransactWriteItem.builder().put(Put.builder().tableName(table).item(TestItems.everyType("tx", 2)).build())
            .build()));
    TransactGetItemsResponse read = ddb.transactGetItems(b -> b.transactItems(
        TransactGetItem.builder().get(Get.builder().tableName(table).key(key("tx", 2)).build()).build(),
        TransactGetItem.builder().get(Get.builder().tableName(table).key(key("tx", 1)).build()).build()));
    assertEquals(TestItems.normalized(TestItems.everyType("tx", 2)), read.responses().get(0).item());
    assertEquals(TestItems.normalized(TestItems.everyType("tx", 1)), read.responses().get(1).item());
  }

  @Test
  void updateOfSignedAttributeIsRefusedAndOfUnsignedWorks() {
    ddb.putItem(b -> b.tableName(table).item(TestItems.everyType("update", 1)));
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> ddb.updateItem(b -> b
        .tableName(table).key(key("update", 1)).updateExpression("SET #st = :s")
        .expressionAttributeNames(Map.of("#st", "status")).expressionAttributeValues(Map.of(":s", s("REFUNDED")))));
    assertTrue(e.getMessage().startsWith("UpdateItem on encrypted table " + table + " touches 'status', which is "
        + "SIGN_ONLY: changing it in place would break the item signature."), e.getMessage());
    assertThrows(UnsupportedRequestException.class, () -> ddb.transactWriteItems(b -> b.transactItems(
        TransactWriteItem.builder().update(Update.builder().tableName(table).key(key("update", 1))
            .updateExpression("SET card = :c").expressionAttributeValues(Map.of(":c", s("x"))).build()).build())));

    Map<String, AttributeValue> old = ddb.updateItem(b -> b.tableName(table).key(key("update", 1))
        .updateExpression("SET #ttl = :t").expressionAttributeNames(Map.of("#ttl", "_ttl"))
        .expressionAttributeValues(Map.of(":t", n("42"))).returnValues(ReturnValue.ALL_OLD)).attributes();
    assertEquals(s(TestItems.SECRET), old.get("card"), "ALL_OLD attributes come back decrypted");
    Map<String, AttributeValue> read = ddb.getItem(b -> b.tableName(table).key(key("update", 1))
        .consistentRead(true)).item();
    assertEquals(n("42"), read.get("_ttl"));
  }

  @Test
  void conditionsOnEncryptedAttributesAndProjectionsAndPartiqlAreRefused() {
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> ddb.putItem(b -> b
        .tableName(table).item(TestItems.everyType("cond", 1)).conditionExpression("card <> :c")
        .expressionAttributeValues(Map.of(":c", s("x")))));
    assertEquals("ConditionExpression on encrypted table " + table + " refers to 'card', which is ENCRYPT_AND_SIGN: "
        + "DynamoDB would compare ciphertext, never your value. Filter after reading, or make the attribute "
        + "SIGN_ONLY if its value may be stored in the clear", e.getMessage());
    assertThrows(UnsupportedRequestException.class, () -> ddb.scan(b -> b.tableName(table)
        .filterExpression("contains(tags, :t)").expressionAttributeValues(Map.of(":t", s("vip")))));
    e = assertThrows(UnsupportedRequestException.class, () -> ddb.getItem(b -> b.tableName(table)
        .key(key("cond", 1)).projectionExpression("card")));
    assertTrue(e.getMessage().startsWith("Projection on encrypted table " + table), e.getMessage());
    e = assertThrows(UnsupportedRequestException.class, () -> ddb.executeStatement(b -> b
        .statement("SELECT * FROM \"" + table + "\"")));
    assertTrue(e.getMessage().startsWith("PartiQL statement names encrypted table " + table), e.getMessage());
    // Nothing was written by the refused put.
    assertFalse(raw.getItem(b -> b.tableName(table).key(key("cond", 1)).consistentRead(true)).hasItem());
  }

  @Test
  void deleteReturnsDecryptedOldItem() {
    ddb.putItem(b -> b.tableName(table).item(TestItems.everyType("delete", 1)));
    Map<String, AttributeValue> old = ddb.deleteItem(b -> b.tableName(table).key(key("delete", 1))
        .returnValues(ReturnValue.ALL_OLD)).attributes();
    assertEquals(TestItems.normalized(TestItems.everyType("delete", 1)), old);
  }

  @Test
  void itemMovedToAnotherKeyThroughTheRawClientFailsToRead() {
    ddb.putItem(b -> b.tableName(table).item(TestItems.everyType("moved-from", 1)));
    Map<String, AttributeValue> stored = new HashMap<>(raw.getItem(b -> b.tableName(table)
        .key(key("moved-from", 1)).consistentRead(true)).item());
    stored.put("pk", s("moved-to"));
    raw.putItem(b -> b.tableName(table).item(stored));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> ddb.getItem(b -> b
        .tableName(table).key(key("moved-to", 1)).consistentRead(true)));
    assertTrue(e.getMessage().contains("was encrypted for another table or primary key"), e.getMessage());
  }

  @Test
  void plaintextItemWrittenRawIsRefused() {
    raw.putItem(b -> b.tableName(table).item(TestItems.everyType("plain", 1)));
    NotEncryptedItemException e = assertThrows(NotEncryptedItemException.class, () -> ddb.getItem(b -> b
        .tableName(table).key(key("plain", 1)).consistentRead(true)));
    assertTrue(e.getMessage().contains("it was not written by an encrypting client"), e.getMessage());
  }

  @Test
  void declaredPlaintextTablesPassAndUndeclaredOnesAreRefused() {
    ddb.putItem(b -> b.tableName(plainTable).item(Map.of("pk", s("x"), "anything", s("clear"))));
    assertEquals(s("clear"), raw.getItem(b -> b.tableName(plainTable).key(Map.of("pk", s("x")))
        .consistentRead(true)).item().get("anything"));
    String other = DdbTestParts.createTable("undeclared", "pk", null);
    assertThrows(UnsupportedRequestException.class, () -> ddb.putItem(b -> b.tableName(other)
        .item(Map.of("pk", s("x"), "anything", s("clear")))));
  }

  @Test
  void signOnlyNumbersSurviveDynamoDbNormalization() {
    Map<String, AttributeValue> item = new HashMap<>(TestItems.everyType("numbers", 1));
    item.put("status", n("1.50E1"));
    item.put("sk", n("0001"));
    ddb.putItem(b -> b.tableName(table).item(item));
    Map<String, AttributeValue> read = ddb.getItem(b -> b.tableName(table).key(key("numbers", 1))
        .consistentRead(true)).item();
    assertEquals(n("15"), read.get("status"));
  }
}
