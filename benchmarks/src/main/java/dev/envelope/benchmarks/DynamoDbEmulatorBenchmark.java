package dev.envelope.benchmarks;

import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The DynamoDB emulator's request rates: PutItem and GetItem over HTTP with a light keep-alive client (pre-built
 * requests on a raw socket, so that the figure is the server's, not an SDK client's signing and marshalling), the
 * same through the SDK's in-process client, and one Query page (1 MB, about 1,000 items) over a partition of
 * 10,000 items of 1 KB, in process and over HTTP.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
// A fixed, pre-touched heap: with a growing one, this VM's page faults made whole iterations 5x slower at random.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class DynamoDbEmulatorBenchmark {
  private static final String VALUE = "x".repeat(100);

  /** One emulator, its HTTP server, a small table for puts and gets and a 10,000-item partition for queries. */
  @State(Scope.Benchmark)
  public static class Emulator {
    DynamoDbEmulator emulator;
    DynamoDbClient inProcess;
    int port;
    final AtomicLong ids = new AtomicLong();

    @Setup(Level.Trial)
    public void start() throws IOException {
      emulator = DynamoDbEmulator.builder().keepRequests(false).build();
      port = emulator.startHttpServer(0).endpoint().getPort();
      inProcess = emulator.client();
      for (String table : new String[] {"Items", "Pages"}) {
        inProcess.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
            .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build(),
                KeySchemaElement.builder().attributeName("sk").keyType("RANGE").build())
            .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                AttributeDefinition.builder().attributeName("sk").attributeType("N").build()));
      }
      for (int i = 0; i < 10_000; i++) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("tenant"));
        item.put("sk", AttributeValue.fromN(Integer.toString(i)));
        item.put("payload", AttributeValue.fromS("p".repeat(1000)));
        inProcess.putItem(b -> b.tableName("Pages").item(item));
      }
      inProcess.putItem(b -> b.tableName("Items").item(Map.of("pk", AttributeValue.fromS("hot"), "sk",
          AttributeValue.fromN("1"), "v", AttributeValue.fromS(VALUE))));
    }

    @TearDown(Level.Trial)
    public void stop() {
      inProcess.close();
      emulator.close();
    }
  }

  /** A light HTTP client: one keep-alive connection per benchmark thread. */
  @State(Scope.Thread)
  public static class Connection {
    private KeepAliveConnection connection;
    private byte[] get;
    private byte[] query;

    @Setup(Level.Trial)
    public void open(Emulator emulator) throws IOException {
      connection = new KeepAliveConnection(emulator.port);
      get = request("GetItem", "{\"TableName\":\"Items\",\"Key\":{\"pk\":{\"S\":\"hot\"},\"sk\":{\"N\":\"1\"}}}");
      query = request("Query", "{\"TableName\":\"Pages\",\"KeyConditionExpression\":\"pk = :p\","
          + "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"tenant\"}}}");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      connection.close();
    }

    /** Sends one request and reads the whole response; fails unless the status is 200. */
    int exchange(byte[] request) throws IOException {
      return connection.exchange(request).length();
    }
  }

  static byte[] request(String operation, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
        + "X-Amz-Target: DynamoDB_20120810." + operation + "\r\nContent-Length: " + b.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + b.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(b, 0, out, h.length, b.length);
    return out;
  }

  @Benchmark
  public int putItemOverHttp(Emulator emulator, Connection connection) throws IOException {
    long id = emulator.ids.incrementAndGet() % 100_000;
    return connection.exchange(request("PutItem", "{\"TableName\":\"Items\",\"Item\":{\"pk\":{\"S\":\"k" + id
        + "\"},\"sk\":{\"N\":\"1\"},\"v\":{\"S\":\"" + VALUE + "\"}}}"));
  }

  @Benchmark
  public int getItemOverHttp(Connection connection) throws IOException {
    return connection.exchange(connection.get);
  }

  @Benchmark
  public int queryPageOverHttp(Connection connection) throws IOException {
    return connection.exchange(connection.query);
  }

  @Benchmark
  public Object putItemInProcess(Emulator emulator) {
    long id = emulator.ids.incrementAndGet() % 100_000;
    return emulator.inProcess.putItem(b -> b.tableName("Items").item(Map.of("pk", AttributeValue.fromS("k" + id),
        "sk", AttributeValue.fromN("1"), "v", AttributeValue.fromS(VALUE))));
  }

  @Benchmark
  public Object getItemInProcess(Emulator emulator) {
    return emulator.inProcess.getItem(b -> b.tableName("Items").key(Map.of("pk", AttributeValue.fromS("hot"), "sk",
        AttributeValue.fromN("1"))));
  }

  @Benchmark
  public int queryPageInProcess(Emulator emulator) {
    QueryResponse page = emulator.inProcess.query(b -> b.tableName("Pages").keyConditionExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("tenant"))));
    if (!page.hasLastEvaluatedKey()) {
      throw new IllegalStateException("a 1 MB page of 10,000 items of 1 KB must end before the partition does");
    }
    return page.count();
  }
}
