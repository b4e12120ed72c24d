package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import dev.envelope.dynamodb.migration.MigrationResult;
import dev.envelope.dynamodb.migration.TableMigration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * {@link TableMigration.Builder#rekeyFrom}: items in both formats move off an old KMS key (then disabled) onto the
 * table's keyring, items under another key stay byte for byte, and an item a writer changes during the re-key keeps
 * the writer's value (the write is conditional on the header read) and ends up on the new key too.
 */
class TableRekeyTest {
  private static TableConfig.Builder config(String table, String keyArn) {
    return TableConfig.builder().tableName(table).partitionKeyName("pk").sortKeyName("sk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).attributeAction("status", CryptoAction.SIGN_ONLY)
        .keyring(KmsKeyring.create(DdbTestParts.kms(), keyArn));
  }

  private static Map<String, AttributeValue> item(int i, String card) {
    return Map.of("pk", AttributeValue.fromS("customer-" + (i % 7)), "sk", AttributeValue.fromN(Integer.toString(i)),
        "card", AttributeValue.fromS(card), "status", AttributeValue.fromS("NEW"));
  }

  private static String newKey(String description) {
    return DdbTestParts.kms().createKey(b -> b.description(description)).keyMetadata().arn();
  }

  @Test
  void itemsMoveOffTheOldKeyAndAConcurrentWriteIsKept() {
    String table = DdbTestParts.createTable("rekey", "pk", "sk");
    String oldKey = newKey("items old");
    String otherKey = newKey("items other");
    String newKey = newKey("items new");
    DynamoDbClient raw = DdbTestParts.rawClient();
    ItemEncryptor underOld = ItemEncryptor.create(config(table, oldKey).build());
    ItemEncryptor underOldV1 = ItemEncryptor.create(config(table, oldKey).format(ItemStorageFormat.ENVELOPE_V1)
        .build());
    ItemEncryptor underOther = ItemEncryptor.create(config(table, otherKey).build());
    for (int i = 0; i < 30; i++) {
      ItemEncryptor e = i < 20 ? underOld : i < 25 ? underOldV1 : underOther;
      Map<String, AttributeValue> stored = e.encrypt(item(i, "4111-" + i));
      raw.putItem(b -> b.tableName(table).item(stored));
    }
    Map<String, AttributeValue> otherBefore = raw.getItem(b -> b.tableName(table).key(key(27))).item();

    // Another writer changes item 3 (still under the old key) just before the re-key's write of it.
    DynamoDbClient racing = DdbTestParts.client(new ExecutionInterceptor() {
      private boolean raced;

      @Override
      public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!raced && context.request() instanceof PutItemRequest put && put.item().get("sk").n().equals("3")) {
          raced = true;
          Map<String, AttributeValue> changed = underOld.encrypt(item(3, "4111-CHANGED"));
          raw.putItem(b -> b.tableName(table).item(changed));
        }
      }
    });
    MigrationResult result = TableMigration.builder().dynamoDb(racing).table(config(table, newKey).build())
        .rekeyFrom(KmsKeyring.create(DdbTestParts.kms(), oldKey), Set.of(oldKey)).segments(3).build().run();
    assertEquals(25, result.rekeyed(), result.toString());
    assertEquals(5, result.alreadyCurrent());
    assertEquals(1, result.conflicts());
    assertEquals(0, result.failed());

    DdbTestParts.kms().disableKey(b -> b.keyId(oldKey));
    ItemEncryptor reader = ItemEncryptor.create(config(table, newKey).build());
    ItemEncryptor otherReader = ItemEncryptor.create(config(table, otherKey).build());
    for (int i = 0; i < 30; i++) {
      Map<String, AttributeValue> itemKey = key(i);
      Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(table).key(itemKey)).item();
      List<String> keys = ItemHeaderInfo.read(stored).wrappingKeyIds();
      assertFalse(keys.contains(oldKey), "item " + i + " still on the old key");
      assertTrue(DbeItemCodec.isEncrypted(stored), "item " + i + " in the DB-ESDK format");
      String card = (i < 25 ? reader : otherReader).decrypt(stored).get("card").s();
      assertEquals(i == 3 ? "4111-CHANGED" : "4111-" + i, card, "item " + i);
    }
    assertEquals(otherBefore, raw.getItem(b -> b.tableName(table).key(key(27))).item(), "other keys untouched");
  }

  private static Map<String, AttributeValue> key(int i) {
    Map<String, AttributeValue> key = new HashMap<>();
    key.put("pk", AttributeValue.fromS("customer-" + (i % 7)));
    key.put("sk", AttributeValue.fromN(Integer.toString(i)));
    return key;
  }
}
