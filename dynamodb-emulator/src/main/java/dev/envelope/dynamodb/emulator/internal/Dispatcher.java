package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DynamoDB JSON 1.0 protocol: {@code X-Amz-Target: DynamoDB_20120810.<Operation>} and a JSON body in; a JSON
 * body out, or an error as {@code {"__type", "message"}} with HTTP 400. Records each request (operation and error
 * code) so that tests can count what a client did. Thread-safe.
 */
public final class Dispatcher {
  private static final String TARGET_PREFIX = "DynamoDB_20120810.";
  /** Built on first use, not when the emulator starts: an ObjectMapper's first construction costs ~100 ms. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** One answered request. */
  public record Response(int status, byte[] body, String requestId) {}

  /** One request as the trail records it: the operation and, if it failed, the error code. */
  public record Request(String operation, String errorCode) {}

  /** Request ids: unique per emulator, cheap (a UUID per request drew on SecureRandom on every call). */
  private static final String REQUEST_ID_PREFIX = Long.toHexString(System.nanoTime()) + "-";
  private final AtomicLong requestIds = new AtomicLong();
  private final Engine engine;
  private final List<Request> trail = new ArrayList<>();
  private final boolean keepTrail;

  /** {@code keepTrail}: whether to remember every request (tests count them; a long-running server should not). */
  public Dispatcher(Engine engine, boolean keepTrail) {
    this.engine = engine;
    this.keepTrail = keepTrail;
  }

  /** The largest request body answered, 16 MiB (DynamoDB's largest request, a full BatchWriteItem, is smaller). */
  public static final int MAX_BODY_BYTES = 16 << 20;

  /** The answer to a body over {@link #MAX_BODY_BYTES}, which is not read further, let alone parsed. */
  public static Response tooLarge() {
    return new Response(413, "{\"message\":\"Request body too large: at most 16 MiB\"}"
        .getBytes(StandardCharsets.UTF_8), "none");
  }

  public Response dispatch(String target, byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      return tooLarge();
    }
    String requestId = REQUEST_ID_PREFIX + Long.toHexString(requestIds.incrementAndGet());
    String operation = target != null && target.startsWith(TARGET_PREFIX)
        ? target.substring(TARGET_PREFIX.length()) : String.valueOf(target);
    try {
      if (target == null || !target.startsWith(TARGET_PREFIX)) {
        throw DynamoDbError.unknownOperation("Missing or unknown X-Amz-Target " + target + ": expected "
            + TARGET_PREFIX + "<Operation>");
      }
      JsonNode request;
      try {
        request = Json.MAPPER.readTree(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
      } catch (java.io.IOException e) {
        throw DynamoDbError.serialization("Request body is not valid JSON");
      }
      if (request == null || !request.isObject()) {
        throw DynamoDbError.serialization("Request body must be a JSON object");
      }
      ObjectNode result = engine.execute(operation, (ObjectNode) request);
      record(operation, null);
      return new Response(200, Json.MAPPER.writeValueAsBytes(result), requestId);
    } catch (DynamoDbError e) {
      record(operation, e.code());
      ObjectNode error = Json.MAPPER.createObjectNode();
      error.put("__type", e.type());
      error.put("message", e.getMessage());
      if (e.fields() != null) {
        error.setAll(e.fields());
      }
      return new Response(e.code().equals("InternalServerError") ? 500 : 400, bytes(error), requestId);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a response", e);
    } catch (RuntimeException e) {
      // An emulator defect: answered as DynamoDB answers its own failures, naming the kind of failure only.
      record(operation, "InternalServerError");
      ObjectNode error = Json.MAPPER.createObjectNode();
      error.put("__type", "com.amazonaws.dynamodb.v20120810#InternalServerError");
      error.put("message", "The emulator failed on " + operation + " (" + e.getClass().getSimpleName() + "); "
          + "please report it with the request");
      return new Response(500, bytes(error), requestId);
    }
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error", e);
    }
  }

  private synchronized void record(String operation, String errorCode) {
    if (keepTrail) {
      trail.add(new Request(operation, errorCode));
    }
  }

  public synchronized List<Request> trail() {
    return List.copyOf(trail);
  }
}
