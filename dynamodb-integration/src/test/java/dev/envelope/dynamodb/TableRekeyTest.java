package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import dev.envelope.dynamodb.migration.ItemRekeyMethod;
import dev.envelope.dynamodb.migration.MigrationResult;
import dev.envelope.dynamodb.migration.TableMigration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link TableMigration.Builder#rekeyFrom}: items in both formats move off an old KMS key (then disabled) onto the
 * table's keyring, items under another key stay byte for byte, and an item a writer changes during the re-key keeps
 * the writer's value (the write is conditional on the header read) and ends up on the new key too; with both
 * re-key methods.
 */
class TableRekeyTest {
  private static TableConfig.Builder config(String table, String keyArn) {
    return TableConfig.builder().tableName(table).partitionKeyName("pk").sortKeyName("sk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).attributeAction("status", CryptoAction.SIGN_ONLY)
        .attributeAction("note", CryptoAction.DO_NOTHING).keyring(KmsKeyring.create(DdbTestParts.kms(), keyArn));
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
    DynamoDbClient racing = racingClient(3, () -> {
      Map<String, AttributeValue> changed = underOld.encrypt(item(3, "4111-CHANGED"));
      raw.putItem(b -> b.tableName(table).item(changed));
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

  /**
   * Both methods: every item is verified and moved, a concurrent change of an unsigned attribute is kept (it leaves
   * the header as it was, and only what the re-key changes is written), a signed change made concurrently is read
   * again and moved too. With HEADER, every stored value of the moved items is byte for byte what it was and the
   * audit has a REWRAP event for each header made.
   */
  @ParameterizedTest
  @EnumSource(ItemRekeyMethod.class)
  void concurrentChangesAreKeptWithEitherMethod(ItemRekeyMethod method) {
    String table = DdbTestParts.createTable("rekey-" + method.name().toLowerCase(java.util.Locale.ROOT), "pk", "sk");
    String oldKey = newKey("items old");
    String newKey = newKey("items new");
    DynamoDbClient raw = DdbTestParts.rawClient();
    ItemEncryptor underOld = ItemEncryptor.create(config(table, oldKey).build());
    ItemEncryptor underOldV1 = ItemEncryptor.create(config(table, oldKey).format(ItemStorageFormat.ENVELOPE_V1)
        .build());
    Map<Integer, Map<String, AttributeValue>> before = new HashMap<>();
    for (int i = 0; i < 12; i++) {
      Map<String, AttributeValue> stored = (i < 10 ? underOld : underOldV1).encrypt(item(i, "4111-" + i));
      raw.putItem(b -> b.tableName(table).item(stored));
      before.put(i, stored);
    }
    // Item 4: an unsigned note added just before the re-key writes it. Item 6: re-encrypted by a writer meanwhile.
    DynamoDbClient racing = racingClient(4, () -> raw.updateItem(b -> b.tableName(table).key(key(4))
        .updateExpression("SET note = :note").expressionAttributeValues(Map.of(":note",
            AttributeValue.fromS("call back")))), 6, () -> {
              Map<String, AttributeValue> changed = underOld.encrypt(item(6, "4111-CHANGED"));
              raw.putItem(b -> b.tableName(table).item(changed));
            });
    InMemoryAuditSink audit = new InMemoryAuditSink();
    MigrationResult result = TableMigration.builder().dynamoDb(racing).table(config(table, newKey)
        .auditSink(audit).build()).rekeyFrom(KmsKeyring.create(DdbTestParts.kms(), oldKey), Set.of(oldKey))
        .rekeyMethod(method).segments(2).build().run();
    assertEquals(12, result.rekeyed(), result.toString());
    assertEquals(1, result.conflicts(), result.toString());
    assertEquals(0, result.failed(), result.toString());

    DdbTestParts.kms().disableKey(b -> b.keyId(oldKey));
    ItemEncryptor reader = ItemEncryptor.create(config(table, newKey).build());
    for (int i = 0; i < 12; i++) {
      Map<String, AttributeValue> itemKey = key(i);
      Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(table).key(itemKey)).item();
      assertEquals(List.of(newKey), ItemHeaderInfo.read(stored).wrappingKeyIds(), "item " + i);
      Map<String, AttributeValue> plain = reader.decrypt(stored);
      assertEquals(i == 6 ? "4111-CHANGED" : "4111-" + i, plain.get("card").s(), "item " + i);
      assertEquals(i == 4 ? "call back" : null, plain.containsKey("note") ? plain.get("note").s() : null);
      if (method == ItemRekeyMethod.HEADER && i < 10 && i != 6) {
        assertArrayEquals(before.get(i).get("card").b().asByteArray(), stored.get("card").b().asByteArray(),
            "item " + i + ": the encrypted value is the one written before the re-key");
      }
    }
    long rewraps = audit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.REWRAP).count();
    // One per DB-ESDK item, and item 6 twice: its first new header lost the race and was not written.
    assertEquals(method == ItemRekeyMethod.HEADER ? 11 : 0, rewraps);
  }

  /** An item too wide for one update expression (DynamoDB allows 4 KB) is re-encrypted by a whole PutItem. */
  @Test
  void anItemWithManyEncryptedAttributesIsWrittenWhole() {
    String table = DdbTestParts.createTable("rekey-wide", "pk", "sk");
    String oldKey = newKey("wide old");
    String newKey = newKey("wide new");
    Map<String, AttributeValue> plain = new HashMap<>(item(1, "4111-1"));
    for (int a = 0; a < 300; a++) {
      plain.put("a" + a, AttributeValue.fromS("value " + a));
    }
    ItemEncryptor underOld = ItemEncryptor.create(wide(config(table, oldKey)).build());
    Map<String, AttributeValue> stored = underOld.encrypt(plain);
    DynamoDbClient raw = DdbTestParts.rawClient();
    raw.putItem(b -> b.tableName(table).item(stored));

    MigrationResult result = TableMigration.builder().dynamoDb(raw).table(wide(config(table, newKey)).build())
        .rekeyFrom(KmsKeyring.create(DdbTestParts.kms(), oldKey), Set.of(oldKey)).build().run();
    assertEquals(1, result.rekeyed(), result.toString());
    Map<String, AttributeValue> after = raw.getItem(b -> b.tableName(table).key(key(1))).item();
    assertEquals(List.of(newKey), ItemHeaderInfo.read(after).wrappingKeyIds());
    assertEquals(plain, ItemEncryptor.create(wide(config(table, newKey)).build()).decrypt(after));
  }

  private static TableConfig.Builder wide(TableConfig.Builder config) {
    for (int a = 0; a < 300; a++) {
      config.attributeAction("a" + a, CryptoAction.ENCRYPT_AND_SIGN);
    }
    return config;
  }

  /**
   * A client that runs {@code race} once just before the re-key writes item {@code sk} (a PutItem or an
   * UpdateItem), and {@code otherRace} before it writes item {@code otherSk}.
   */
  private static DynamoDbClient racingClient(int sk, Runnable race, int otherSk, Runnable otherRace) {
    return DdbTestParts.client(new ExecutionInterceptor() {
      private final Set<String> raced = new java.util.HashSet<>();

      @Override
      public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String written = context.request() instanceof PutItemRequest put ? put.item().get("sk").n()
            : context.request() instanceof UpdateItemRequest update ? update.key().get("sk").n() : null;
        if (written != null && raced.add(written)) {
          if (written.equals(Integer.toString(sk))) {
            race.run();
          } else if (written.equals(Integer.toString(otherSk))) {
            otherRace.run();
          }
        }
      }
    });
  }

  private static DynamoDbClient racingClient(int sk, Runnable race) {
    return racingClient(sk, race, -1, () -> { });
  }

  private static Map<String, AttributeValue> key(int i) {
    Map<String, AttributeValue> key = new HashMap<>();
    key.put("pk", AttributeValue.fromS("customer-" + (i % 7)));
    key.put("sk", AttributeValue.fromN(Integer.toString(i)));
    return key;
  }
}
