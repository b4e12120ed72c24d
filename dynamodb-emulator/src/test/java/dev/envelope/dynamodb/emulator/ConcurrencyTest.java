package dev.envelope.dynamodb.emulator;

import static dev.envelope.dynamodb.emulator.UpdatesBatchesAndTransactionsContract.id;
import static dev.envelope.dynamodb.emulator.UpdatesBatchesAndTransactionsContract.n;
import static dev.envelope.dynamodb.emulator.UpdatesBatchesAndTransactionsContract.transfer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** Conditional writes and transactions stay atomic under concurrency (in process: the engine is the same). */
class ConcurrencyTest {
  private final DynamoDbClient ddb = DynamoDbEmulator.create().client();

  private Map<String, AttributeValue> get(String id) {
    return ddb.getItem(b -> b.tableName("Accounts").key(id(id))).item();
  }

  @Test
  void concurrentConditionalIncrementsAndTransfersLoseNothing() throws Exception {
    ddb.createTable(b -> b.tableName("Accounts").keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("counter"), "n", n(0))));
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("a"), "balance", n(1000))));
    ddb.putItem(b -> b.tableName("Accounts").item(Map.of("id", AttributeValue.fromS("b"), "balance", n(1000))));
    int threads = 8;
    int perThread = 2500; // 20,000 operations
    AtomicInteger increments = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      futures.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          if ((i + seed) % 2 == 0) {
            while (true) { // optimistic: read, then write only if nobody wrote in between
              String seen = get("counter").get("n").n();
              try {
                ddb.updateItem(b -> b.tableName("Accounts").key(id("counter")).updateExpression("SET n = n + :one")
                    .conditionExpression("n = :seen").expressionAttributeValues(Map.of(":one", n(1), ":seen",
                        AttributeValue.fromN(seen))));
                increments.incrementAndGet();
                break;
              } catch (ConditionalCheckFailedException lost) {
                // someone else incremented first: read again
              }
            }
          } else {
            boolean fromA = (i / 2 + seed) % 2 == 0;
            try {
              ddb.transactWriteItems(b -> b.transactItems(transfer(fromA ? "a" : "b", -7, true),
                  transfer(fromA ? "b" : "a", 7, false)));
            } catch (TransactionCanceledException insufficient) {
              // the condition protected the balance: nothing moved
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    assertEquals(Integer.toString(increments.get()), get("counter").get("n").n(), "no increment was lost");
    int a = Integer.parseInt(get("a").get("balance").n());
    int b = Integer.parseInt(get("b").get("balance").n());
    assertEquals(2000, a + b, "transfers moved money, never made or lost it");
    assertTrue(a >= 0 && b >= 0, "no balance went below zero: " + a + ", " + b);
  }

}
