package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Regressions: four slow connections stalled the HTTP server indefinitely, and a declared 1 TB body was read to
 * its end. The server now bounds connections, reads and whole requests, and refuses a body from its
 * Content-Length. No test sleeps: each waits on a blocking read, guarded by a client-side socket timeout.
 */
class HttpLivenessTest {
  private static final int GUARD_MILLIS = 15_000;

  private static KmsClient client(KmsHttpServer server) {
    return KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
  }

  private static Socket connect(KmsHttpServer server) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout(GUARD_MILLIS);
    return s;
  }

  /** Everything the server sends until it closes the connection. */
  private static String untilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void slowClientsDoNotStallOthersAndAreCutOffAfterTheRequestTimeout() throws Exception {
    try (KmsEmulator emulator = KmsEmulator.builder().httpLimits(64, Duration.ofMillis(300), Duration.ofSeconds(1))
        .build(); KmsHttpServer server = emulator.startHttpServer(0); KmsClient kms = client(server)) {
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Socket s = connect(server);
        s.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Len".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      assertTrue(kms.createKey(b -> { }).keyMetadata().arn().startsWith("arn:aws:kms:"), "others are served");
      for (Socket s : slow) {
        String answer = untilClosed(s); // the server answers and closes; a stall would hit the guard timeout
        assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        assertTrue(answer.contains("RequestTimeoutException"), answer);
        s.close();
      }
    }
  }

  @Test
  void pastTheConnectionLimitNewConnectionsAreRefusedAtOnce() throws Exception {
    try (KmsEmulator emulator = KmsEmulator.builder().httpLimits(2, Duration.ofSeconds(5), Duration.ofSeconds(10))
        .build(); KmsHttpServer server = emulator.startHttpServer(0)) {
      try (Socket a = connect(server); Socket b = connect(server)) {
        a.getOutputStream().write("POST".getBytes(StandardCharsets.US_ASCII));
        b.getOutputStream().write("POST".getBytes(StandardCharsets.US_ASCII));
        String refused;
        // The acceptor may see the third connection before the first two are counted; retry until they are.
        do {
          try (Socket c = connect(server)) {
            c.getOutputStream().write(("POST / HTTP/1.1\r\nX-Amz-Target: TrentService.ListKeys\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            refused = untilClosed(c);
          }
        } while (refused.startsWith("HTTP/1.1 200 "));
        assertTrue(refused.startsWith("HTTP/1.1 503 "), refused);
        assertTrue(refused.contains("Too many connections: the server allows 2"), refused);
      }
    }
  }

  @Test
  void aDeclaredTerabyteBodyIsRefusedFromItsHeaders() throws Exception {
    try (KmsEmulator emulator = KmsEmulator.create(); KmsHttpServer server = emulator.startHttpServer(0);
        Socket s = connect(server)) {
      s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Encrypt\r\n"
          + "Content-Length: 1099511627776\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = untilClosed(s); // no body byte was sent: the answer comes from the headers alone
      assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
      assertTrue(answer.contains("ValidationException") && answer.contains("Request body of 1099511627776 bytes is "
          + "larger than 1048576 bytes"), answer);
      assertTrue(answer.contains("Connection: close"), answer);
    }
  }

  @Test
  void chunkedBodiesAndOversizedHeadersAreRefusedAndTheServerKeepsServing() throws Exception {
    try (KmsEmulator emulator = KmsEmulator.create(); KmsHttpServer server = emulator.startHttpServer(0);
        KmsClient kms = client(server)) {
      try (Socket s = connect(server)) {
        s.getOutputStream().write(("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        assertTrue(untilClosed(s).startsWith("HTTP/1.1 411 "));
      }
      try (Socket s = connect(server)) {
        s.getOutputStream().write(("POST / HTTP/1.1\r\nX-Long: " + "x".repeat(20_000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String answer = untilClosed(s);
        assertTrue(answer.startsWith("HTTP/1.1 400 ") && answer.contains("than 16384 bytes"), answer);
      }
      assertEquals(0, kms.listKeys().keys().size());
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheReadTimeout() throws Exception {
    try (KmsEmulator emulator = KmsEmulator.builder().httpLimits(64, Duration.ofMillis(200), Duration.ofSeconds(5))
        .build(); KmsHttpServer server = emulator.startHttpServer(0); Socket s = connect(server)) {
      s.getOutputStream().write(("POST / HTTP/1.1\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\n"
          + "\r\n{}").getBytes(StandardCharsets.US_ASCII));
      String answer = untilClosed(s); // one answer, then the idle connection is closed by the server
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      assertTrue(!answer.contains("Connection: close"), "it was kept alive until it idled out");
    }
  }
}
