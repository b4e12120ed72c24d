package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import dev.envelope.dynamodb.migration.MigrationCheckpoint;
import dev.envelope.dynamodb.migration.MigrationResult;
import dev.envelope.dynamodb.migration.TableMigration;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * A table of 10,000 items, a third each plaintext, Envelope's first format and the DB-ESDK's (written by the AWS
 * library), migrated to the DB-ESDK format by {@link TableMigration} while a writer keeps changing items: the
 * migration is killed part way and resumed from its file checkpoint; afterwards every item is in the DB-ESDK format,
 * the AWS library decrypts each, and each holds the writer's last value or its original one: nothing lost or
 * overwritten.
 */
class TableMigrationTest {
  private static final int ITEMS = 10_000;

  private static TableConfig.Builder config(String table) {
    return TableConfig.builder().tableName(table).partitionKeyName("pk").sortKeyName("sk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).attributeAction("tags", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("status", CryptoAction.SIGN_ONLY).unsignedAttributePrefix("_")
        .keyring(DdbTestParts.aesKeyring());
  }

  private static Map<String, AttributeValue> item(int i, String version) {
    return Map.of("pk", AttributeValue.fromS("customer-" + (i % 97)), "sk", AttributeValue.fromN(Integer.toString(i)),
        "card", AttributeValue.fromS("4111-" + i + "-" + version), "tags", AttributeValue.fromSs(List.of("a", version)),
        "status", AttributeValue.fromS(version), "_ttl", AttributeValue.fromN("1767225600"));
  }

  private static Map<String, AttributeValue> key(int i) {
    return Map.of("pk", AttributeValue.fromS("customer-" + (i % 97)), "sk", AttributeValue.fromN(Integer.toString(i)));
  }

  private static DynamoDbItemEncryptor theirs(String table) {
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build();
    Map<String, software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction> actions =
        new HashMap<>();
    config(table).build().attributeActions().forEach((name, action) -> actions.put(name,
        software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction.valueOf(action.name())));
    return DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(table).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(actions)
        .allowedUnsignedAttributePrefix("_").keyring(mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
            .keyNamespace("ddb-tests").keyName("aes-1").wrappingKey(ByteBuffer.wrap(DdbTestParts.AES_KEY))
            .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build())).build()).build();
  }

  @Test
  void aMixedTableIsMigratedUnderConcurrentWritesKilledAndResumed(@TempDir Path dir) throws Exception {
    String table = DdbTestParts.createTable("migration", "pk", "sk");
    DynamoDbClient raw = DdbTestParts.rawClient();
    DynamoDbItemEncryptor theirs = theirs(table);
    ItemEncryptor v1 = ItemEncryptor.create(config(table).format(ItemStorageFormat.ENVELOPE_V1).build());
    List<WriteRequest> batch = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      Map<String, AttributeValue> plain = item(i, "v0");
      Map<String, AttributeValue> stored = switch (i % 3) {
        case 0 -> plain;
        case 1 -> v1.encrypt(plain);
        default -> theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(plain).build()).encryptedItem();
      };
      batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(stored).build()).build());
      if (batch.size() == 25 || i == ITEMS - 1) {
        List<WriteRequest> requests = List.copyOf(batch);
        raw.batchWriteItem(b -> b.requestItems(Map.of(table, requests)));
        batch.clear();
      }
    }

    // The writers of step 2: encrypt what they write, read plaintext too.
    DynamoDbClient writer = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder().table(config(table)
        .plaintextOverride(PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ).build()).build());
    Map<Integer, String> lastWritten = new ConcurrentHashMap<>();
    AtomicBoolean migrating = new AtomicBoolean(true);
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService writers = Executors.newSingleThreadExecutor();
    Future<Integer> writes = writers.submit(() -> {
      started.await(30, TimeUnit.SECONDS);
      Random random = new Random(3);
      int n = 0;
      while (migrating.get() && n < 2_000) {
        int i = random.nextInt(ITEMS);
        String version = "w" + n++;
        writer.putItem(b -> b.tableName(table).item(item(i, version)));
        lastWritten.put(i, version);
      }
      return n;
    });

    Path checkpointFile = dir.resolve("migration.properties");
    AtomicInteger pages = new AtomicInteger();
    RuntimeException killed = assertThrows(RuntimeException.class, () -> TableMigration.builder().dynamoDb(raw)
        .table(config(table).build()).segments(4).pageSize(200).checkpoint(MigrationCheckpoint.file(checkpointFile))
        .progress(r -> {
          started.countDown();
          if (pages.incrementAndGet() == 12) {
            throw new IllegalStateException("killed");
          }
        }).build().run());
    assertEquals("killed", killed.getMessage());
    assertTrue(Files.readString(checkpointFile).contains("segment."), "positions were recorded");

    MigrationResult resumed = TableMigration.builder().dynamoDb(raw).table(config(table).build()).segments(4)
        .pageSize(200).checkpoint(MigrationCheckpoint.file(checkpointFile)).build().run();
    migrating.set(false);
    int written = writes.get(60, TimeUnit.SECONDS);
    writers.shutdown();
    assertTrue(resumed.scanned() < ITEMS, "the resumed run skipped what the first did: " + resumed);
    assertTrue(resumed.scanned() > ITEMS - 12 * 200 - 4 * 200, "the killed run stopped within a page per segment: "
        + resumed);
    assertTrue(written > 0);
    System.out.println("TableMigrationTest: resumed run " + resumed + "; " + written + " concurrent writes");

    // Every item: DB-ESDK format, read by the AWS library, holding the last value anyone wrote.
    int checked = 0;
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      var page = raw.scan(b -> b.tableName(table).exclusiveStartKey(from).consistentRead(true));
      for (Map<String, AttributeValue> stored : page.items()) {
        int i = Integer.parseInt(stored.get("sk").n());
        assertTrue(DbeItemCodec.isEncrypted(stored), "item " + i + " is in the DB-ESDK format");
        Map<String, AttributeValue> plain = theirs.DecryptItem(DecryptItemInput.builder().encryptedItem(stored)
            .build()).plaintextItem();
        assertEquals(TestItems.normalized(item(i, lastWritten.getOrDefault(i, "v0"))), TestItems.normalized(plain),
            "item " + i);
        checked++;
      }
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    assertEquals(ITEMS, checked);
  }
}
