package dev.envelope.kms;

import dev.envelope.kms.auth.SigV4Exception;
import dev.envelope.kms.auth.SigV4Verifier;
import dev.envelope.kms.auth.SignedRequest;
import dev.envelope.kms.internal.Dispatcher;
import dev.envelope.kms.internal.HttpEndpoint;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The emulator over HTTP, speaking KMS JSON 1.1 on {@code POST /}: the AWS SDKs with {@code endpointOverride},
 * the AWS CLI with {@code --endpoint-url}, and other languages work unchanged. Bound to 127.0.0.1 unless started
 * on another address. With authorization enforced, every request's SigV4 signature is verified against the
 * configured secrets (header and query forms, five minutes of clock skew), and refused with KMS's error names
 * otherwise; without it, the access key alone says who the caller is. A malformed
 * request gets a KMS-style error and the server keeps serving; no client can stall it (connection limit, read and
 * request timeouts, bodies past {@value Dispatcher#MAX_BODY} bytes refused from their Content-Length: see
 * {@link KmsEmulator.Builder#httpLimits}). {@link #close()} stops it.
 */
public final class KmsHttpServer implements AutoCloseable {
  /** AWS refuses SigV4 requests signed more than five minutes from its clock (KMS, as most services). */
  static final Duration ALLOWED_SKEW = Duration.ofMinutes(5);

  private final HttpEndpoint endpoint;
  private final InetAddress address;

  KmsHttpServer(Dispatcher dispatcher, SigV4Verifier verifier, InetAddress address, int port,
      HttpEndpoint.Limits limits) throws IOException {
    this.address = address;
    this.endpoint = new HttpEndpoint(address, port, limits, request -> handle(dispatcher, verifier, request),
        KmsHttpServer::refuse, "kms-emulator-http");
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return endpoint.port();
  }

  /**
   * {@code http://<address>:<port>} for {@code endpointOverride}: {@code 127.0.0.1} when bound to a wildcard
   * address, {@code [::1]} when bound to IPv6 loopback.
   */
  public URI endpoint() {
    String host = address.isAnyLocalAddress() ? "127.0.0.1" : address instanceof Inet6Address
        ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    return URI.create("http://" + host + ":" + port());
  }

  /** Connections open now. */
  public int openConnections() {
    return endpoint.openConnections();
  }

  private static HttpEndpoint.Response handle(Dispatcher dispatcher, SigV4Verifier verifier,
      HttpEndpoint.Request request) {
    if (!"POST".equals(request.method())) {
      return kmsResponse(Dispatcher.error(new KmsError("UnknownOperationException", "Only POST / is supported"), "-"));
    }
    if (verifier != null) {
      String target = request.path();
      int q = target.indexOf('?');
      Map<String, List<String>> headers = new HashMap<>();
      request.headers().forEach((k, v) -> headers.put(k, List.of(v)));
      SignedRequest signed = new SignedRequest(request.method(), q < 0 ? target : target.substring(0, q),
          q < 0 ? "" : target.substring(q + 1), headers, SignedRequest.sha256Hex(request.body()), false);
      try {
        verifier.verify(signed, ALLOWED_SKEW);
      } catch (SigV4Exception e) {
        return kmsResponse(Dispatcher.error(new KmsError(e.reason().jsonErrorCode(), e.getMessage()), "-"));
      }
    }
    return kmsResponse(dispatcher.dispatch(request.header("X-Amz-Target"), request.body(),
        request.header("Authorization"), null, request.remoteAddress(), request.header("User-Agent")));
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
