package dev.envelope.localaws.internal;

import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.auth.SigV4Exception;
import dev.envelope.kms.auth.SigV4Verifier;
import dev.envelope.kms.auth.SignedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one port: routes each request ({@link ServiceRouter}), authenticates its caller ({@link Callers}) and hands
 * it to the KMS emulator, the DynamoDB emulator, S3 ({@link S3Forwarder}) or STS, answering failures in the
 * protocol of the service asked. Bodies of the JSON and query services are read whole up to their service's limit
 * (larger ones are refused unread); S3 bodies stream. Thread-safe: Jetty calls it on its pool's threads.
 */
public final class FrontDoor extends Handler.Abstract {
  private static final int KMS_MAX_BODY = 1 << 20;
  private static final int STS_MAX_BODY = 1 << 20;

  private final KmsEmulator kms;
  private final DynamoDbEmulator dynamoDb;
  private final S3Forwarder s3;
  private final StsService sts;
  private final Callers callers;
  private final LocalStackEndpoints localStack;

  public FrontDoor(KmsEmulator kms, DynamoDbEmulator dynamoDb, S3Forwarder s3, StsService sts, Callers callers,
      LocalStackEndpoints localStack) {
    this.kms = kms;
    this.dynamoDb = dynamoDb;
    this.s3 = s3;
    this.sts = sts;
    this.callers = callers;
    this.localStack = localStack;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      serve(incoming(request), new JettyReply(response));
      callback.succeeded();
    } catch (Throwable t) {
      callback.failed(t);
    }
    return true;
  }

  void serve(Incoming in, Reply reply) throws IOException {
    byte[] body = null;
    String formAction = null;
    String[] scope = SigV4Verifier.scope(in.signed("", false)); // read once: routing needs it twice
    // An unsigned (or SigV2) form POST to the root may be STS, named by its Action. Only such a request is read here:
    // an S3 PUT with a form content type (curl -d, a browser) keeps its body, whatever its size.
    if (isForm(in) && scope == null && in.method().equals("POST") && (in.rawPath().isEmpty()
        || in.rawPath().equals("/"))) {
      body = readLimited(in, STS_MAX_BODY);
      if (body == null) {
        reply.send(ErrorShapes.query(413, "RequestEntityTooLarge", "Request bodies are at most 1 MiB"));
        return;
      }
      formAction = form(new String(body, StandardCharsets.UTF_8)).get("Action");
    }
    ServiceRouter.Route route = ServiceRouter.route(in, scope, formAction);
    switch (route.service()) {
      case LOCALSTACK_INTERNAL -> reply.send(localStack.answer(in.method(), in.rawPath()));
      case KMS -> kms(in, reply);
      case DYNAMODB -> dynamoDb(in, reply);
      case STS -> sts(in, body, reply);
      case S3 -> s3(body == null ? in : in.withBody(body), route, reply);
      case NOT_EMULATED -> reply.send(ErrorShapes.notEmulated(route.signingName(), protocolOf(in, route)));
      default -> throw new IllegalStateException("unrouted " + route);
    }
  }

  private void kms(Incoming in, Reply reply) throws IOException {
    String type = KmsEmulator.WireResponse.CONTENT_TYPE;
    byte[] body = readLimited(in, KMS_MAX_BODY);
    if (body == null) {
      reply.send(ErrorShapes.json(413, "ValidationException", "Request bodies are at most 1 MiB", type));
      return;
    }
    Callers.Caller caller;
    try {
      caller = callers.authenticate(in, SignedRequest.sha256Hex(body), false);
    } catch (SigV4Exception e) {
      reply.send(ErrorShapes.json(400, e.reason().jsonErrorCode(), e.getMessage(), type));
      return;
    }
    KmsEmulator.WireResponse r = kms.serve(in.header("X-Amz-Target"), body, in.header("Authorization"),
        caller.principal(), in.remoteAddress(), in.header("User-Agent"));
    reply.send(r.status(), Map.of("Content-Type", type, "x-amzn-RequestId", r.requestId()), r.body());
  }

  private void dynamoDb(Incoming in, Reply reply) throws IOException {
    String type = DynamoDbEmulator.WireResponse.CONTENT_TYPE;
    byte[] body = readLimited(in, DynamoDbEmulator.MAX_BODY_BYTES);
    if (body == null) {
      reply.send(ErrorShapes.json(413, "com.amazonaws.dynamodb.v20120810#RequestEntityTooLarge",
          "Request bodies are at most 16 MiB", type));
      return;
    }
    try {
      callers.authenticate(in, SignedRequest.sha256Hex(body), false);
    } catch (SigV4Exception e) {
      reply.send(ErrorShapes.json(400, "com.amazon.coral.service#" + e.reason().jsonErrorCode(), e.getMessage(),
          type));
      return;
    }
    DynamoDbEmulator.WireResponse r = dynamoDb.serve(in.header("X-Amz-Target"), body);
    reply.send(r.status(), Map.of("Content-Type", type, "x-amzn-RequestId", r.requestId()), r.body());
  }

  private void sts(Incoming in, byte[] alreadyRead, Reply reply) throws IOException {
    byte[] body = alreadyRead != null ? alreadyRead : readLimited(in, STS_MAX_BODY);
    if (body == null) {
      reply.send(ErrorShapes.query(413, "RequestEntityTooLarge", "Request bodies are at most 1 MiB"));
      return;
    }
    Callers.Caller caller;
    try {
      caller = callers.authenticate(in, SignedRequest.sha256Hex(body), false);
    } catch (SigV4Exception e) {
      int status = e.reason() == SigV4Exception.Reason.INCOMPLETE_SIGNATURE ? 400 : 403;
      reply.send(ErrorShapes.query(status, e.reason().queryErrorCode(), e.getMessage()));
      return;
    }
    Map<String, String> params = new LinkedHashMap<>(SigV4Verifier.queryParameters(in.rawQuery()));
    params.putAll(form(new String(body, StandardCharsets.UTF_8)));
    reply.send(sts.handle(params, caller));
  }

  private void s3(Incoming in, ServiceRouter.Route route, Reply reply) throws IOException {
    String contentSha256 = in.header("x-amz-content-sha256");
    Callers.Caller caller;
    try {
      caller = callers.authenticate(in, contentSha256 == null ? "UNSIGNED-PAYLOAD" : contentSha256, true);
    } catch (SigV4Exception e) {
      S3Forwarder.refuse(in, ErrorShapes.s3Authentication(e, in.rawPath()), reply);
      return;
    }
    s3.forward(in, route.virtualHostBucket(), caller, reply);
  }

  private static ErrorShapes.Protocol protocolOf(Incoming in, ServiceRouter.Route route) {
    if (in.header("X-Amz-Target") != null) {
      return ErrorShapes.Protocol.JSON;
    }
    if (isForm(in)) {
      return ErrorShapes.Protocol.QUERY;
    }
    return switch (route.signingName()) {
      case "cloudfront", "route53", "s3-control", "s3control" -> ErrorShapes.Protocol.REST_XML;
      default -> ErrorShapes.Protocol.REST_JSON;
    };
  }

  private static boolean isForm(Incoming in) {
    String type = in.header("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  /** The whole body if it is at most {@code limit} bytes, else null (refused from Content-Length when declared). */
  private static byte[] readLimited(Incoming in, int limit) throws IOException {
    if (in.contentLength() > limit) {
      return null;
    }
    byte[] body = in.body().readNBytes(limit + 1);
    return body.length > limit ? null : body;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      out.put(name, eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Incoming incoming(Request request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>()).add(field.getValue());
    }
    String query = request.getHttpURI().getQuery();
    return new Incoming(request.getMethod(), request.getHttpURI().getPath(), query == null ? "" : query, headers,
        Request.getRemoteAddr(request), Content.Source.asInputStream(request), request.getLength());
  }

  /** {@link Reply} over a Jetty response. */
  private static final class JettyReply implements Reply {
    private final Response response;

    JettyReply(Response response) {
      this.response = response;
    }

    @Override
    public void send(int status, Map<String, String> headers, byte[] body) throws IOException {
      response.setStatus(status);
      headers.forEach((name, value) -> response.getHeaders().put(name, value));
      response.getHeaders().put("Content-Length", Long.toString(body.length));
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        out.write(body);
      }
    }

    @Override
    public OutputStream stream(int status, Map<String, List<String>> headers, long contentLength) {
      response.setStatus(status);
      headers.forEach((name, values) -> values.forEach(v -> response.getHeaders().add(name, v)));
      if (contentLength >= 0) {
        response.getHeaders().put("Content-Length", Long.toString(contentLength));
      }
      return Content.Sink.asOutputStream(response);
    }
  }
}
