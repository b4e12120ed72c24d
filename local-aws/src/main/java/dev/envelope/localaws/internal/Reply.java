package dev.envelope.localaws.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** How a service answers the front door's request: a whole body, or a stream of known or unknown length. */
public interface Reply {
  /** Sends {@code status} with {@code headers} and {@code body}. */
  void send(int status, Map<String, String> headers, byte[] body) throws IOException;

  /**
   * Starts a response whose body the caller writes to the stream and closes; {@code contentLength} -1 when unknown.
   * Writing fewer bytes than announced breaks the connection, so a client never takes a cut body as whole.
   */
  OutputStream stream(int status, Map<String, List<String>> headers, long contentLength) throws IOException;

  /** An error or other answer already shaped by {@link ErrorShapes}. */
  default void send(Answer answer) throws IOException {
    send(answer.status(), answer.headers(), answer.body());
  }

  /** A whole answer: status, headers, body. */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    public static Answer of(int status, String contentType, String body) {
      return new Answer(status, Map.of("Content-Type", contentType), body.getBytes(StandardCharsets.UTF_8));
    }
  }
}
