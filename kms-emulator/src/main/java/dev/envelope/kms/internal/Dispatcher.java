package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import dev.envelope.kms.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The KMS JSON 1.1 protocol over bytes, shared by the HTTP server and the in-process client so that both behave
 * identically: {@code X-Amz-Target: TrentService.<Op>}, a JSON body, the SigV4 credential scope naming the access
 * key and the Region, and errors as {@code {"__type", "message"}} with HTTP 400 (client) or 500 (fault).
 */
public final class Dispatcher {
  /** Largest request body accepted: KMS's largest members (6144-byte blobs, base64) fit with room to spare. */
  public static final int MAX_BODY = 1 << 20;
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/\\d{8}/([a-z0-9-]+)/kms/");

  /** A response: HTTP status, JSON body, request id. */
  public record Response(int status, byte[] body, String requestId, String errorCode) {}

  private final KmsEngine engine;
  private final Function<String, Principal> principalForAccessKey;
  private final String defaultRegion;

  public Dispatcher(KmsEngine engine, Function<String, Principal> principalForAccessKey, String defaultRegion) {
    this.engine = engine;
    this.principalForAccessKey = principalForAccessKey;
    this.defaultRegion = defaultRegion;
  }

  /**
   * Serves one request. {@code fixedPrincipal} (in-process clients) overrides the access-key mapping;
   * {@code authorization} is the SigV4 header (only the credential scope is read: the emulator does not check
   * signatures).
   */
  public Response dispatch(String target, byte[] body, String authorization, Principal fixedPrincipal,
      String sourceIp, String userAgent) {
    // Request ids need to be unique, not secret: no SecureRandom (and its lock) on the request path.
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    String requestId = new UUID((r.nextLong() & ~0xf000L) | 0x4000L,
        (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L).toString();
    try {
      if (target == null || target.isEmpty()) {
        throw new KmsError("UnknownOperationException", "Missing X-Amz-Target header: expected TrentService.<Operation>");
      }
      if (!target.startsWith("TrentService.")) {
        throw new KmsError("UnknownOperationException", "Unknown target " + target);
      }
      String operation = target.substring("TrentService.".length());
      String accessKey = null;
      String region = defaultRegion;
      if (authorization != null) {
        Matcher m = CREDENTIAL.matcher(authorization);
        if (m.find()) {
          accessKey = m.group(1);
          region = m.group(2);
        }
      }
      Principal principal = fixedPrincipal != null ? fixedPrincipal : principalForAccessKey.apply(accessKey);
      if (principal == null) {
        throw new KmsError("UnrecognizedClientException", "The security token included in the request is invalid.");
      }
      JsonNode request = parse(body);
      ObjectNode response = engine.handle(new Call(operation, request, principal, region, accessKey,
          sourceIp == null ? "127.0.0.1" : sourceIp, userAgent == null ? "" : userAgent, null));
      return new Response(200, Json.write(response), requestId, null);
    } catch (KmsError e) {
      return error(e, requestId);
    } catch (Exception e) {
      return error(new KmsError("KMSInternalException", "Internal error: " + e, 500), requestId);
    }
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return Json.object();
    }
    try {
      JsonNode node = Json.parse(body);
      return node == null ? Json.object() : node;
    } catch (Exception e) {
      throw new KmsError("SerializationException", "Start of structure or map found where not expected, or the "
          + "body is not valid JSON.");
    }
  }

  public static Response error(KmsError e, String requestId) {
    ObjectNode body = Json.object();
    body.put("__type", e.code());
    body.put("message", e.getMessage());
    return new Response(e.status(), Json.write(body), requestId, e.code());
  }

  /** For callers who need the engine's view of a header map (HTTP server). */
  public static String header(Map<String, java.util.List<String>> headers, String name) {
    for (Map.Entry<String, java.util.List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
