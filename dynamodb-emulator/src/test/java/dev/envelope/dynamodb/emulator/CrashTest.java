package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The runnable emulator, in its own process with a data directory, killed with SIGKILL in the middle of a write
 * load: started again on the same directory, it has every write it acknowledged (puts and counter increments).
 */
class CrashTest {
  private static final Pattern READY = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

  @TempDir
  Path directory;

  private record Started(Process process, URI endpoint) {}

  private Started start() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DynamoDbEmulatorMain.class.getName(), "--port", "0", "--data-dir", directory.toString())
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    Matcher ready = line == null ? null : READY.matcher(line);
    if (ready == null || !ready.find()) {
      process.destroyForcibly();
      throw new IllegalStateException("the emulator did not start: " + line);
    }
    return new Started(process, URI.create(ready.group(1)));
  }

  private static DynamoDbClient client(URI endpoint) {
    return DynamoDbClient.builder().endpointOverride(endpoint).httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @Test
  void sigkillDuringAWriteLoadLosesNothingThatWasAcknowledged() throws Exception {
    Started first = start();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong increments = new AtomicLong();
    CountDownLatch enoughWritten = new CountDownLatch(1500);
    try (DynamoDbClient ddb = client(first.endpoint())) {
      ddb.createTable(b -> b.tableName("Load").billingMode("PAY_PER_REQUEST")
          .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
          .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
      List<Thread> writers = List.of(0, 1, 2).stream().map(w -> new Thread(() -> {
        for (int i = 0; ; i++) {
          String id = "w" + w + "-" + i;
          try {
            if (w == 2) {
              ddb.updateItem(b -> b.tableName("Load").key(Map.of("id", AttributeValue.fromS("counter")))
                  .updateExpression("ADD n :one").expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
              increments.incrementAndGet();
            } else {
              ddb.putItem(b -> b.tableName("Load").item(Map.of("id", AttributeValue.fromS(id), "payload",
                  AttributeValue.fromS("x".repeat(200)))));
              acknowledged.add(id);
            }
            enoughWritten.countDown();
          } catch (RuntimeException killed) {
            return; // the process is gone: this write was not acknowledged
          }
        }
      })).toList();
      writers.forEach(Thread::start);
      assertTrue(enoughWritten.await(2, TimeUnit.MINUTES), "the writers did not get going");
      first.process().destroyForcibly(); // SIGKILL, with writes in flight
      first.process().waitFor();
      for (Thread writer : writers) {
        writer.join();
      }
    }
    Started second = start();
    try (DynamoDbClient ddb = client(second.endpoint())) {
      for (String id : acknowledged) {
        assertTrue(ddb.getItem(b -> b.tableName("Load").key(Map.of("id", AttributeValue.fromS(id)))).hasItem(),
            "acknowledged write " + id + " was lost");
      }
      long counter = Long.parseLong(ddb.getItem(b -> b.tableName("Load").key(Map.of("id",
          AttributeValue.fromS("counter")))).item().get("n").n());
      assertTrue(counter == increments.get() || counter == increments.get() + 1,
          "every acknowledged increment, and at most the one in flight: " + counter + " vs " + increments.get());
      int items = ddb.scanPaginator(b -> b.tableName("Load").select("COUNT")).stream().mapToInt(p -> p.count())
          .sum();
      assertTrue(items >= acknowledged.size() + 1 && items <= acknowledged.size() + 3, items + " items for "
          + acknowledged.size() + " acknowledged puts (at most one in flight per writer may have landed)");
    } finally {
      second.process().destroy();
      assertEquals(true, second.process().waitFor(1, TimeUnit.MINUTES));
    }
  }
}
