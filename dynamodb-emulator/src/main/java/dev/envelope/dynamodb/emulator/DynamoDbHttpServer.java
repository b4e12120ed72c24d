package dev.envelope.dynamodb.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.envelope.dynamodb.emulator.internal.Dispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The emulator over HTTP: the DynamoDB JSON 1.0 protocol ({@code POST /}, {@code X-Amz-Target:
 * DynamoDB_20120810.<Operation>}) on 127.0.0.1 (or the address it was started on), for SDKs in other languages and the AWS CLI
 * ({@code --endpoint-url}). Signatures are not checked. Request bodies over 16 MiB are refused (DynamoDB's largest
 * request is far smaller). Closed with the emulator.
 */
public final class DynamoDbHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final InetAddress address;

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK: about
    // 40 ms per request. Read once, when the JDK's server configuration loads; a value the user set is kept.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  DynamoDbHttpServer(Dispatcher dispatcher, InetAddress address, int port) throws IOException {
    this.address = address;
    server = HttpServer.create(new InetSocketAddress(address, port), 64);
    executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "dynamodb-emulator-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(dispatcher, exchange));
    server.start();
  }

  private static void handle(Dispatcher dispatcher, HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(Dispatcher.MAX_BODY_BYTES + 1);
      }
      Dispatcher.Response response;
      if (body.length > Dispatcher.MAX_BODY_BYTES) {
        response = Dispatcher.tooLarge();
      } else if (!"POST".equals(exchange.getRequestMethod())) {
        response = new Dispatcher.Response(405, "{\"message\":\"DynamoDB accepts POST only\"}"
            .getBytes(StandardCharsets.UTF_8), "none");
      } else {
        response = dispatcher.dispatch(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
      exchange.getResponseHeaders().set("x-amzn-RequestId", response.requestId());
      exchange.sendResponseHeaders(response.status(), response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  /** {@code http://<address>:<port>}: {@code 127.0.0.1} when bound to a wildcard, {@code [::1]} on IPv6 loopback. */
  public URI endpoint() {
    String host = address.isAnyLocalAddress() ? "127.0.0.1" : address instanceof java.net.Inet6Address
        ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    return URI.create("http://" + host + ":" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
