package dev.envelope.kms;

import dev.envelope.kms.internal.Dispatcher;
import dev.envelope.kms.internal.HttpEndpoint;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * The emulator over HTTP, speaking KMS JSON 1.1 on {@code POST /}: the AWS SDKs with {@code endpointOverride},
 * the AWS CLI with {@code --endpoint-url}, and other languages work unchanged. Bound to 127.0.0.1. A malformed
 * request gets a KMS-style error and the server keeps serving; no client can stall it (connection limit, read and
 * request timeouts, bodies past {@value Dispatcher#MAX_BODY} bytes refused from their Content-Length: see
 * {@link KmsEmulator.Builder#httpLimits}). {@link #close()} stops it.
 */
public final class KmsHttpServer implements AutoCloseable {
  private final HttpEndpoint endpoint;

  KmsHttpServer(Dispatcher dispatcher, int port, HttpEndpoint.Limits limits) throws IOException {
    this.endpoint = new HttpEndpoint(port, limits, request -> handle(dispatcher, request), KmsHttpServer::refuse,
        "kms-emulator-http");
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return endpoint.port();
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** Connections open now. */
  public int openConnections() {
    return endpoint.openConnections();
  }

  private static HttpEndpoint.Response handle(Dispatcher dispatcher, HttpEndpoint.Request request) {
    Dispatcher.Response response = !"POST".equals(request.method())
        ? Dispatcher.error(new KmsError("UnknownOperationException", "Only POST / is supported"), "-")
        : dispatcher.dispatch(request.header("X-Amz-Target"), request.body(), request.header("Authorization"), null,
            request.remoteAddress(), request.header("User-Agent"));
    return kmsResponse(response);
  }

  /** Requests the endpoint refuses before they are read whole, answered the way KMS answers them. */
  private static HttpEndpoint.Response refuse(int status, String reason) {
    KmsError error = switch (status) {
      case 413, 431 -> new KmsError("ValidationException", reason);
      case 408 -> new KmsError("RequestTimeoutException", reason, 408);
      case 411 -> new KmsError("ValidationException", reason, 411);
      case 503 -> new KmsError("ServiceUnavailableException", reason, 503);
      case 500 -> new KmsError("KMSInternalException", reason, 500);
      default -> new KmsError("SerializationException", reason);
    };
    return kmsResponse(Dispatcher.error(error, "-"));
  }

  private static HttpEndpoint.Response kmsResponse(Dispatcher.Response response) {
    return new HttpEndpoint.Response(response.status(), Map.of("Content-Type", "application/x-amz-json-1.1",
        "x-amzn-RequestId", response.requestId()), response.body());
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
