package dev.envelope.kms;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.envelope.kms.internal.Dispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The emulator over HTTP, speaking KMS JSON 1.1 on {@code POST /}: the AWS SDKs with {@code endpointOverride},
 * the AWS CLI with {@code --endpoint-url}, and other languages work unchanged. Bound to 127.0.0.1. A malformed
 * request gets a KMS-style error and the server keeps serving. {@link #close()} stops it.
 */
public final class KmsHttpServer implements AutoCloseable {
  static {
    // The JDK server writes headers and body in two packets; without TCP_NODELAY every response waits out the
    // client's delayed ACK (~40 ms). Read once, when the JDK's server configuration loads: set it before that.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Dispatcher dispatcher;

  KmsHttpServer(Dispatcher dispatcher, int port) throws IOException {
    this.dispatcher = dispatcher;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    this.executor = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2),
        r -> {
          Thread t = new Thread(r, "kms-emulator-http");
          t.setDaemon(true);
          return t;
        });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Dispatcher.Response response;
      if (!"POST".equals(exchange.getRequestMethod())) {
        response = Dispatcher.error(new KmsError("UnknownOperationException", "Only POST / is supported"), "-");
      } else {
        byte[] body = readBounded(exchange.getRequestBody());
        if (body == null) {
          response = Dispatcher.error(new KmsError("ValidationException", "Request body is larger than "
              + Dispatcher.MAX_BODY + " bytes"), "-");
        } else {
          var headers = exchange.getRequestHeaders();
          response = dispatcher.dispatch(headers.getFirst("X-Amz-Target"), body, headers.getFirst("Authorization"),
              null, exchange.getRemoteAddress().getAddress().getHostAddress(), headers.getFirst("User-Agent"));
        }
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.getResponseHeaders().set("x-amzn-RequestId", response.requestId());
      exchange.sendResponseHeaders(response.status(), response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  /** Reads the body, or returns null past {@link Dispatcher#MAX_BODY} (the rest is drained, not stored). */
  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] data = in.readNBytes(Dispatcher.MAX_BODY + 1);
    if (data.length > Dispatcher.MAX_BODY) {
      in.transferTo(OutputStream.nullOutputStream());
      return null;
    }
    return data;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
