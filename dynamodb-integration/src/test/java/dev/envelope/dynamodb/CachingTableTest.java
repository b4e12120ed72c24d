package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.envelope.core.cache.CacheStats;
import dev.envelope.core.cache.CachingMaterialsManager;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * 10,000 items written and read back through the interceptor with a caching materials manager over a KMS keyring,
 * counting the requests the KMS emulator served.
 */
class CachingTableTest {
  private static final int ITEMS = 10_000;
  private static final int MESSAGES_PER_KEY = 1_000;

  @Test
  void tenThousandItemsCostTenDataKeysEachWay() {
    try (KmsEmulator kms = KmsEmulator.create()) {
      String keyArn = kms.client().createKey(b -> b.description("caching")).keyMetadata().arn();
      String table = DdbTestParts.createTable("cached", "pk", "sk");

      CachingMaterialsManager writerCache = cache(KmsKeyring.create(kms.client(), keyArn));
      try (DynamoDbClient writer = client(table, writerCache)) {
        List<WriteRequest> batch = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
          batch.add(WriteRequest.builder().putRequest(PutRequest.builder()
              .item(TestItems.everyType("customer-" + i % 100, i)).build()).build());
          if (batch.size() == 25) {
            write(writer, table, batch);
            batch = new ArrayList<>();
          }
        }
      }
      assertEquals(ITEMS / MESSAGES_PER_KEY, count(kms, "GenerateDataKey"));
      CacheStats written = writerCache.stats();
      assertEquals(ITEMS / MESSAGES_PER_KEY, written.encryptMisses());
      assertEquals(ITEMS - ITEMS / MESSAGES_PER_KEY, written.encryptHits());

      // A reader with a cache of its own (another process would have one): one Decrypt per data key.
      CachingMaterialsManager readerCache = cache(KmsKeyring.create(kms.client(), keyArn));
      int read = 0;
      try (DynamoDbClient reader = client(table, readerCache)) {
        Map<String, AttributeValue> start = null;
        do {
          Map<String, AttributeValue> from = start;
          ScanResponse page = reader.scan(b -> b.tableName(table).exclusiveStartKey(from).consistentRead(true));
          for (Map<String, AttributeValue> item : page.items()) {
            int sk = Integer.parseInt(item.get("sk").n());
            assertEquals(TestItems.normalized(TestItems.everyType("customer-" + sk % 100, sk)), item);
            read++;
          }
          start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
      }
      assertEquals(ITEMS, read);
      assertEquals(ITEMS / MESSAGES_PER_KEY, count(kms, "Decrypt"));
      CacheStats decrypted = readerCache.stats();
      assertEquals(ITEMS / MESSAGES_PER_KEY, decrypted.decryptMisses());
      assertEquals(ITEMS - ITEMS / MESSAGES_PER_KEY, decrypted.decryptHits());
      assertEquals(2L * (ITEMS - ITEMS / MESSAGES_PER_KEY),
          written.kmsCallsSaved() + decrypted.kmsCallsSaved(), "one KMS request saved per cache hit");
    }
  }

  private static CachingMaterialsManager cache(KmsKeyring keyring) {
    return CachingMaterialsManager.builder().keyring(keyring).maxAge(Duration.ofMinutes(5))
        .maxMessagesPerKey(MESSAGES_PER_KEY).build();
  }

  private static DynamoDbClient client(String table, CachingMaterialsManager cache) {
    return DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(TestItems.config(table, DdbTestParts.aesKeyring()).materialsManager(cache).build()).build());
  }

  private static void write(DynamoDbClient ddb, String table, List<WriteRequest> batch) {
    Map<String, List<WriteRequest>> pending = new HashMap<>(Map.of(table, batch));
    while (!pending.isEmpty()) {
      Map<String, List<WriteRequest>> request = pending;
      BatchWriteItemResponse response = ddb.batchWriteItem(b -> b.requestItems(request));
      pending = response.hasUnprocessedItems() ? new HashMap<>(response.unprocessedItems()) : Map.of();
    }
  }

  private static long count(KmsEmulator kms, String operation) {
    return kms.trail().stream().filter(e -> operation.equals(e.path("eventName").asText())).count();
  }
}
