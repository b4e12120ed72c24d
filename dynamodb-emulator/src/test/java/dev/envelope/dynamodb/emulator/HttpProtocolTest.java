package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP face as a client other than the AWS SDK meets it: the wire errors for what is not a DynamoDB request,
 * and the request size limit at its exact boundary.
 */
class HttpProtocolTest {
  private final DynamoDbEmulator emulator = DynamoDbEmulator.create();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI endpoint;

  HttpProtocolTest() throws IOException {
    endpoint = emulator.startHttpServer(0).endpoint();
  }

  @AfterEach
  void close() {
    emulator.close();
  }

  private HttpResponse<String> post(String target, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/x-amz-json-1.0");
    if (target != null) {
      request.header("X-Amz-Target", target);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void whatIsNotADynamoDbRequestGetsDynamoDbsWireErrors() throws Exception {
    HttpResponse<String> noTarget = post(null, "{}".getBytes());
    assertEquals(400, noTarget.statusCode());
    assertTrue(noTarget.body().contains("UnknownOperationException"), noTarget.body());
    HttpResponse<String> unknown = post("DynamoDB_20120810.DescribeEverything", "{}".getBytes());
    assertTrue(unknown.body().contains("Operation DescribeEverything is not supported"), unknown.body());
    HttpResponse<String> notJson = post("DynamoDB_20120810.ListTables", "{not json".getBytes());
    assertEquals(400, notJson.statusCode());
    assertTrue(notJson.body().contains("SerializationException"), notJson.body());
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(endpoint).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    assertEquals(List.of("null", "DescribeEverything", "ListTables"), emulator.requests().stream()
        .map(DynamoDbEmulator.Request::operation).toList(), "the GET never reached the dispatcher");
  }

  @Test
  void aRequestBodyOf16MiBIsReadAndOneByteMoreIsRefusedUnread() throws Exception {
    byte[] atLimit = new byte[16 << 20];
    byte[] json = "{\"Limit\":1}".getBytes();
    Arrays.fill(atLimit, (byte) ' ');
    System.arraycopy(json, 0, atLimit, 0, json.length);
    HttpResponse<String> fits = post("DynamoDB_20120810.ListTables", atLimit);
    assertEquals(200, fits.statusCode(), fits.body());
    byte[] over = Arrays.copyOf(atLimit, atLimit.length + 1);
    over[over.length - 1] = ' ';
    HttpResponse<String> refused = post("DynamoDB_20120810.ListTables", over);
    assertEquals(413, refused.statusCode());
    assertEquals("{\"message\":\"Request body too large: at most 16 MiB\"}", refused.body());
  }
}
