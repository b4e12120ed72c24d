package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** The wire protocol itself: malformed requests get KMS-style JSON errors and the server keeps serving. */
class HttpProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static KmsEmulator emulator;
  private static KmsHttpServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    emulator = KmsEmulator.builder().keepTrail(false).build();
    server = emulator.startHttpServer(0);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static HttpResponse<String> post(String target, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.endpoint())
        .header("Content-Type", "application/x-amz-json-1.1")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (target != null) {
      b.header("X-Amz-Target", target);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, String type) throws IOException {
    assertEquals(400, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(type, body.get("__type").asText(), response.body());
    assertTrue(body.has("message"));
    assertEquals("application/x-amz-json-1.1", response.headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void malformedRequestsGetJsonErrorsAndTheServerKeepsServing() throws Exception {
    assertError(post("TrentService.CreateKey", "{not json".getBytes()), "SerializationException");
    assertError(post("TrentService.NoSuchOperation", "{}".getBytes()), "UnknownOperationException");
    assertError(post(null, "{}".getBytes()), "UnknownOperationException");
    assertError(post("SomeOtherService.CreateKey", "{}".getBytes()), "UnknownOperationException");
    assertError(post("TrentService.CreateKey", new byte[2 * 1024 * 1024]), "ValidationException");
    assertError(post("TrentService.Encrypt", "[1,2]".getBytes()), "SerializationException");
    assertError(post("TrentService.Encrypt", "{\"Plaintext\":\"AA==\"}".getBytes()), "ValidationException");
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.endpoint()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, get.statusCode());

    HttpResponse<String> ok = post("TrentService.CreateKey", new byte[0]);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(JSON.readTree(ok.body()).at("/KeyMetadata/Arn").asText().startsWith("arn:aws:kms:us-east-1:"));
  }

  @Test
  void eightThreadsMake20000GenerateDataKeyCallsOverHttpWithoutAnError() throws Exception {
    KmsClient setup = client();
    String key = setup.createKey(b -> b.description("load")).keyMetadata().arn();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          try (KmsClient kms = client()) {
            for (int i = 0; i < 2500; i++) {
              assertEquals(32, kms.generateDataKey(b -> b.keyId(key).numberOfBytes(32)).plaintext()
                  .asByteArray().length);
            }
          }
          return 2500;
        }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertEquals(20_000, total);
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("20000 GenerateDataKey calls over HTTP with 8 threads: %.1f s (%.0f calls/s)%n", seconds,
        20_000 / seconds);
  }

  private static KmsClient client() {
    return KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("load", "load")))
        .build();
  }
}
