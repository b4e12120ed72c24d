package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import software.amazon.awssdk.services.kms.KmsClient;

/** The HTTP server listens where it is told: IPv6 loopback for clients that resolve localhost to ::1. */
class BindAddressTest {
  @Test
  void listensOnIpv6LoopbackWhenAskedAndOnlyThere() throws IOException {
    try (KmsEmulator kms = KmsEmulator.create()) {
      KmsHttpServer server = kms.startHttpServer(InetAddress.getByName("::1"), 0);
      assertTrue(server.endpoint().toString().startsWith("http://[0:0:0:0:0:0:0:1]:"), server.endpoint().toString());
      try (KmsClient client = KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
        assertEquals(0, client.listKeys().keys().size());
      }
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close(),
          "bound to ::1 only");
    }
  }
}
