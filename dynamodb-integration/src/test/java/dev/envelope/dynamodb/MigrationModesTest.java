package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.enhanced.DynamoDbEncryptionExtension;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The three plaintext modes of a migration, as the AWS Database Encryption SDK names them, through the interceptor
 * and the Enhanced Client extension: write plaintext and read both, then encrypt and read both, then refuse
 * plaintext, each step on the same table.
 */
class MigrationModesTest {
  private static final TableSchema<Order> SCHEMA = TableSchema.fromBean(Order.class);

  private static DynamoDbClient client(String table, PlaintextOverride mode) {
    return DdbTestParts.client(DynamoDbEncryptionInterceptor.builder().table(TableConfig.builder().tableName(table)
        .partitionKeyName("pk").sortKeyName("sk").attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN)
        .keyring(DdbTestParts.aesKeyring()).format(ItemStorageFormat.DB_ESDK).plaintextOverride(mode).build())
        .build());
  }

  private static Map<String, AttributeValue> item(int sk) {
    return Map.of("pk", AttributeValue.fromS("migrating"), "sk", AttributeValue.fromN(Integer.toString(sk)),
        "card", AttributeValue.fromS("4111-" + sk));
  }

  private static Map<String, AttributeValue> key(int sk) {
    return Map.of("pk", AttributeValue.fromS("migrating"), "sk", AttributeValue.fromN(Integer.toString(sk)));
  }

  @Test
  void aTableMovesThroughTheThreeModesThroughTheInterceptor() {
    String table = DdbTestParts.createTable("migrate", "pk", "sk");
    DynamoDbClient raw = DdbTestParts.rawClient();

    DynamoDbClient step1 = client(table, PlaintextOverride.FORCE_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ);
    step1.putItem(b -> b.tableName(table).item(item(1)));
    assertEquals(item(1), raw.getItem(b -> b.tableName(table).key(key(1))).item(), "stored in plaintext");
    assertEquals(item(1), step1.getItem(b -> b.tableName(table).key(key(1))).item());

    DynamoDbClient step2 = client(table, PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ);
    step2.putItem(b -> b.tableName(table).item(item(2)));
    assertTrue(DbeItemCodec.isEncrypted(raw.getItem(b -> b.tableName(table).key(key(2))).item()));
    assertEquals(List.of(item(1), item(2)), step2.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("migrating")))).items());
    assertEquals(item(2), step1.getItem(b -> b.tableName(table).key(key(2))).item(), "step 1 readers read both");

    DynamoDbClient step3 = client(table, PlaintextOverride.FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ);
    assertEquals(item(2), step3.getItem(b -> b.tableName(table).key(key(2))).item());
    NotEncryptedItemException e = assertThrows(NotEncryptedItemException.class,
        () -> step3.getItem(b -> b.tableName(table).key(key(1))));
    assertTrue(e.getMessage().endsWith("Read whole items, or, while the table is migrated, set plaintextOverride("
        + "FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ) on its TableConfig or on the Enhanced Client extension"),
        e.getMessage());
  }

  @Test
  void anEnhancedClientScanOfATableStillHoldingPlaintextItemsWorksWhenAllowed() {
    DynamoDbClient raw = DdbTestParts.rawClient();
    DynamoDbEnhancedClient plain = DynamoDbEnhancedClient.builder().dynamoDbClient(raw).build();
    String table = "enhanced-migrate-" + Long.toHexString(System.nanoTime());
    DynamoDbTable<Order> plainOrders = plain.table(table, SCHEMA);
    plainOrders.createTable();
    Order legacy = Order.sample("bob", 1);
    plainOrders.putItem(legacy); // written before the table was encrypted

    DynamoDbEncryptionExtension strict = DynamoDbEncryptionExtension.builder().keyring(DdbTestParts.aesKeyring())
        .format(ItemStorageFormat.DB_ESDK).build();
    DynamoDbTable<Order> strictOrders = DynamoDbEnhancedClient.builder().dynamoDbClient(raw).extensions(strict)
        .build().table(table, SCHEMA);
    NotEncryptedItemException e = assertThrows(NotEncryptedItemException.class,
        () -> strictOrders.scan().items().stream().toList());
    assertTrue(e.getMessage().contains("on the Enhanced Client extension"), "names an option the extension has");

    DynamoDbEncryptionExtension migrating = DynamoDbEncryptionExtension.builder().keyring(DdbTestParts.aesKeyring())
        .format(ItemStorageFormat.DB_ESDK).plaintextOverride(PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ)
        .build();
    DynamoDbTable<Order> orders = DynamoDbEnhancedClient.builder().dynamoDbClient(raw).extensions(migrating).build()
        .table(table, SCHEMA);
    Order fresh = Order.sample("carol", 2);
    orders.putItem(fresh);
    Map<String, AttributeValue> stored = raw.scan(b -> b.tableName(table)).items().stream()
        .filter(i -> i.get("customerId").s().equals("carol")).findFirst().orElseThrow();
    assertEquals(AttributeValue.Type.B, stored.get("card").type(), "the new item's card is encrypted");
    assertTrue(DbeItemCodec.isEncrypted(stored));
    List<Order> all = orders.scan().items().stream().toList();
    assertEquals(2, all.size());
    assertTrue(all.contains(legacy) && all.contains(fresh));
  }
}
