package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The HTTP server listens where it is told: IPv6 loopback for clients that resolve localhost to ::1. */
class BindAddressTest {
  @Test
  void listensOnIpv6LoopbackWhenAskedAndOnlyThere() throws IOException {
    try (DynamoDbEmulator emulator = DynamoDbEmulator.create()) {
      DynamoDbHttpServer server = emulator.startHttpServer(InetAddress.getByName("::1"), 0);
      assertTrue(server.endpoint().toString().startsWith("http://[0:0:0:0:0:0:0:1]:"), server.endpoint().toString());
      try (DynamoDbClient client = DynamoDbClient.builder().endpointOverride(server.endpoint())
          .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
        assertTrue(client.listTables().tableNames().isEmpty());
      }
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.endpoint().getPort()).close(),
          "bound to ::1 only");
    }
  }
}
