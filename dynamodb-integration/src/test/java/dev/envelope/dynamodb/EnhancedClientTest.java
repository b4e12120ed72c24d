package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.enhanced.DynamoDbEncryptionExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactGetItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A bean table through the Enhanced Client with the extension: annotations decide the actions. */
class EnhancedClientTest {
  private static final TableSchema<Order> SCHEMA = TableSchema.fromBean(Order.class);
  private static DynamoDbClient ddb;
  private static DynamoDbClient raw;
  private static DynamoDbEncryptionExtension extension;
  private static DynamoDbEnhancedClient enhanced;
  private static DynamoDbTable<Order> orders;
  private static String tableName;

  @BeforeAll
  static void start() {
    ddb = DdbTestParts.rawClient();
    raw = DdbTestParts.rawClient();
    extension = DynamoDbEncryptionExtension.builder().keyring(DdbTestParts.kmsKeyring()).build();
    enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).extensions(extension).build();
    tableName = "enhanced-" + Long.toHexString(System.nanoTime());
    orders = enhanced.table(tableName, SCHEMA);
    orders.createTable();
  }

  @AfterAll
  static void stop() {
    ddb.close();
    raw.close();
  }

  @Test
  void putGetAndRawReadShowsCiphertext() {
    Order order = Order.sample("alice", 1);
    orders.putItem(order);
    assertEquals(order, orders.getItem(r -> r.key(Key.builder().partitionValue("alice").sortValue(1).build())
        .consistentRead(true)));

    Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(tableName).key(Map.of(
        "customerId", AttributeValue.fromS("alice"), "orderId", AttributeValue.fromN("1")))
        .consistentRead(true)).item();
    assertFalse(stored.toString().contains(TestItems.SECRET));
    for (String encrypted : List.of("card", "total", "lines", "address", "tags", "gift")) {
      assertEquals(AttributeValue.Type.B, stored.get(encrypted).type(), encrypted);
    }
    assertEquals(AttributeValue.fromS("PAID"), stored.get("status"));
    assertEquals(AttributeValue.fromN("1900000000"), stored.get("expiresAt"));

    TableConfig config = extension.tableConfig(tableName);
    assertEquals(CryptoAction.SIGN_ONLY, config.attributeActions().get("customerId"));
    assertEquals(CryptoAction.SIGN_ONLY, config.attributeActions().get("orderId"));
    assertEquals(CryptoAction.SIGN_ONLY, config.attributeActions().get("status"));
    assertEquals(CryptoAction.DO_NOTHING, config.attributeActions().get("expiresAt"));
    assertEquals(CryptoAction.ENCRYPT_AND_SIGN, config.attributeActions().get("card"));
  }

  @Test
  void queryScanBatchAndTransact() {
    for (int i = 1; i <= 3; i++) {
      orders.putItem(Order.sample("bob", i));
    }
    List<Order> queried = orders.query(r -> r.queryConditional(QueryConditional.sortGreaterThan(
        Key.builder().partitionValue("bob").sortValue(1).build())).consistentRead(true)).items().stream().toList();
    assertEquals(List.of(Order.sample("bob", 2), Order.sample("bob", 3)), queried);
    assertTrue(orders.scan().items().stream().filter(o -> o.getCustomerId().equals("bob")).count() == 3);

    enhanced.batchWriteItem(r -> r.writeBatches(WriteBatch.builder(Order.class).mappedTableResource(orders)
        .addPutItem(Order.sample("carol", 1)).addPutItem(Order.sample("carol", 2)).build()));
    List<Order> batch = enhanced.batchGetItem(r -> r.readBatches(ReadBatch.builder(Order.class)
        .mappedTableResource(orders).addGetItem(Key.builder().partitionValue("carol").sortValue(1).build())
        .addGetItem(Key.builder().partitionValue("carol").sortValue(2).build()).build()))
        .resultsForTable(orders).stream().toList();
    assertEquals(2, batch.size());
    assertTrue(batch.contains(Order.sample("carol", 1)) && batch.contains(Order.sample("carol", 2)));

    enhanced.transactWriteItems(TransactWriteItemsEnhancedRequest.builder()
        .addPutItem(orders, Order.sample("dave", 1)).addPutItem(orders, Order.sample("dave", 2)).build());
    List<Order> tx = enhanced.transactGetItems(TransactGetItemsEnhancedRequest.builder()
        .addGetItem(orders, Key.builder().partitionValue("dave").sortValue(2).build())
        .addGetItem(orders, Key.builder().partitionValue("dave").sortValue(1).build()).build())
        .stream().map(d -> d.getItem(orders)).toList();
    assertEquals(List.of(Order.sample("dave", 2), Order.sample("dave", 1)), tx);
  }

  @Test
  void updateItemIsRefused() {
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
        () -> orders.updateItem(Order.sample("erin", 1)));
    assertEquals("updateItem on encrypted table " + tableName + " would change signed attributes in place and "
        + "break the item signature: use putItem with the whole item", e.getMessage());
  }

  @Test
  void tamperedSignOnlyAttributeFailsThroughTheEnhancedClient() {
    String tamperedTable = "tampered-" + Long.toHexString(System.nanoTime());
    DynamoDbTable<Order> tampered = enhanced.table(tamperedTable, SCHEMA);
    tampered.createTable();
    tampered.putItem(Order.sample("frank", 1));
    raw.updateItem(b -> b.tableName(tamperedTable).key(Map.of("customerId", AttributeValue.fromS("frank"),
        "orderId", AttributeValue.fromN("1"))).updateExpression("SET #s = :s")
        .expressionAttributeNames(Map.of("#s", "status")).expressionAttributeValues(Map.of(":s",
            AttributeValue.fromS("REFUNDED"))));
    dev.envelope.core.AuthenticationFailedException e = assertThrows(
        dev.envelope.core.AuthenticationFailedException.class, () -> tampered.getItem(r -> r
            .key(Key.builder().partitionValue("frank").sortValue(1).build()).consistentRead(true)));
    // The extension writes the DB-ESDK format by default: its MAC says which attributes it covers, not which changed.
    assertTrue(e.getMessage().contains("recipient tag does not match: one of its signed attributes [")
        && e.getMessage().contains("status"), e.getMessage());
  }
}
