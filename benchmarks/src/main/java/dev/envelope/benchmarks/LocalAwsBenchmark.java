package dev.envelope.benchmarks;

import dev.envelope.localaws.LocalAws;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Calls per second of each service through local-aws's one port, against the same service on its own port (the KMS
 * emulator's HTTP server, the DynamoDB emulator's, S3Proxy), so that the front door's cost shows; and KMS with
 * authorization enforced, where every request's SigV4 signature is verified. A light keep-alive client sends
 * pre-built requests (pre-signed once per iteration), so that the figures are the servers', not an SDK client's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class LocalAwsBenchmark {
  private static final byte[] OBJECT = "o".repeat(1024).getBytes(StandardCharsets.US_ASCII);

  /** One endpoint in open mode and one with authorization enforced, each with a key, a table and an object. */
  @State(Scope.Benchmark)
  public static class Endpoints {
    LocalAws open;
    LocalAws enforced;
    int kmsOwnPort;
    int dynamoDbOwnPort;
    int s3ProxyPort;

    @Setup(Level.Trial)
    public void start() throws IOException {
      open = LocalAws.builder().port(0).build();
      enforced = LocalAws.builder().port(0).config("{\"enforceAuthorization\": true}").build();
      kmsOwnPort = open.kms().startHttpServer(0).port();
      dynamoDbOwnPort = open.dynamoDb().startHttpServer(0).endpoint().getPort();
      s3ProxyPort = open.s3().endpoint().getPort();
      for (LocalAws aws : new LocalAws[] {open, enforced}) {
        aws.kms().client().createKey(b -> b.tags(software.amazon.awssdk.services.kms.model.Tag.builder()
            .tagKey("_custom_id_").tagValue("5c2d6f4e-1a3b-4c5d-8e9f-0a1b2c3d4e5f").build()));
      }
      var ddb = open.dynamoDb().client();
      ddb.createTable(b -> b.tableName("Items").billingMode("PAY_PER_REQUEST")
          .keySchema(software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder().attributeName("pk")
              .keyType("HASH").build())
          .attributeDefinitions(software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
              .attributeName("pk").attributeType("S").build()));
      ddb.putItem(b -> b.tableName("Items").item(Map.of("pk",
          software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("hot"))));
      try (KeepAliveConnection c = new KeepAliveConnection(open.port())) {
        c.exchange(raw("PUT", "/bench", "", new byte[0]));
        c.exchange(raw("PUT", "/bench/object", "", OBJECT));
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      open.close();
      enforced.close();
    }
  }

  /** Keep-alive connections of one benchmark thread, one per server, and the requests it sends. */
  @State(Scope.Thread)
  public static class Connections {
    KeepAliveConnection onePort;
    KeepAliveConnection enforcedPort;
    KeepAliveConnection kmsOwn;
    KeepAliveConnection dynamoDbOwn;
    KeepAliveConnection s3Proxy;
    byte[] generateDataKey = json("TrentService.GenerateDataKey", "1.1",
        "{\"KeyId\":\"5c2d6f4e-1a3b-4c5d-8e9f-0a1b2c3d4e5f\",\"KeySpec\":\"AES_256\"}");
    byte[] getItem = json("DynamoDB_20120810.GetItem", "1.0",
        "{\"TableName\":\"Items\",\"Key\":{\"pk\":{\"S\":\"hot\"}}}");
    byte[] getObject = raw("GET", "/bench/object", "", null);
    byte[] putObject = raw("PUT", "/bench/put", "", OBJECT);
    byte[] callerIdentity = form("Action=GetCallerIdentity&Version=2011-06-15");
    byte[] signedGenerateDataKey;

    @Setup(Level.Trial)
    public void open(Endpoints endpoints) throws IOException {
      onePort = new KeepAliveConnection(endpoints.open.port());
      enforcedPort = new KeepAliveConnection(endpoints.enforced.port());
      kmsOwn = new KeepAliveConnection(endpoints.kmsOwnPort);
      dynamoDbOwn = new KeepAliveConnection(endpoints.dynamoDbOwnPort);
      s3Proxy = new KeepAliveConnection(endpoints.s3ProxyPort);
    }

    /** Signed anew each iteration: a signature is good for five minutes. */
    @Setup(Level.Iteration)
    public void sign(Endpoints endpoints) {
      signedGenerateDataKey = signed(endpoints.enforced.endpoint(), "{\"KeyId\":\"5c2d6f4e-1a3b-4c5d-8e9f-"
          + "0a1b2c3d4e5f\",\"KeySpec\":\"AES_256\"}");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      for (KeepAliveConnection c : new KeepAliveConnection[] {onePort, enforcedPort, kmsOwn, dynamoDbOwn, s3Proxy}) {
        c.close();
      }
    }
  }

  static byte[] json(String target, String version, String body) {
    return bytes("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-" + version
        + "\r\nX-Amz-Target: " + target + "\r\nContent-Length: " + body.length() + "\r\n\r\n", body.getBytes(
        StandardCharsets.UTF_8));
  }

  static byte[] form(String body) {
    return bytes("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n", body.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] raw(String method, String path, String headers, byte[] body) {
    return bytes(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
        + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n", body == null ? new byte[0] : body);
  }

  /** A GenerateDataKey request signed by the SDK's own SigV4 signer with test/test. */
  static byte[] signed(URI endpoint, String body) {
    SdkHttpRequest request = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create("test", "test"))
        .request(SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "TrentService.GenerateDataKey").build())
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "kms")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.systemUTC())).request();
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort()
        + "\r\n");
    request.forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
      }
    });
    head.append("Content-Length: ").append(body.length()).append("\r\n\r\n");
    return bytes(head.toString(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String head, byte[] body) {
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + body.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }

  @Benchmark
  public String kmsGenerateDataKeyOnePort(Connections c) throws IOException {
    return c.onePort.exchange(c.generateDataKey);
  }

  @Benchmark
  public String kmsGenerateDataKeyOwnPort(Connections c) throws IOException {
    return c.kmsOwn.exchange(c.generateDataKey);
  }

  @Benchmark
  public String kmsGenerateDataKeySigV4Verified(Connections c) throws IOException {
    return c.enforcedPort.exchange(c.signedGenerateDataKey);
  }

  @Benchmark
  public String dynamoDbGetItemOnePort(Connections c) throws IOException {
    return c.onePort.exchange(c.getItem);
  }

  @Benchmark
  public String dynamoDbGetItemOwnPort(Connections c) throws IOException {
    return c.dynamoDbOwn.exchange(c.getItem);
  }

  @Benchmark
  public String s3GetObject1KiBOnePort(Connections c) throws IOException {
    return c.onePort.exchange(c.getObject);
  }

  @Benchmark
  public String s3GetObject1KiBS3Proxy(Connections c) throws IOException {
    return c.s3Proxy.exchange(c.getObject);
  }

  @Benchmark
  public String s3PutObject1KiBOnePort(Connections c) throws IOException {
    return c.onePort.exchange(c.putObject);
  }

  @Benchmark
  public String s3PutObject1KiBS3Proxy(Connections c) throws IOException {
    return c.s3Proxy.exchange(c.putObject);
  }

  @Benchmark
  public String stsGetCallerIdentity(Connections c) throws IOException {
    return c.onePort.exchange(c.callerIdentity);
  }
}
