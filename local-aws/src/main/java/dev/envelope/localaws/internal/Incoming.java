package dev.envelope.localaws.internal;

import dev.envelope.kms.auth.SignedRequest;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as it arrived at the front door: method, path and query as on the wire (still percent-encoded),
 * headers by lower-case name, the peer's address, and the body, unread.
 *
 * @param contentLength the declared body length, or -1 when the body is chunked or absent
 */
public record Incoming(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
    String remoteAddress, InputStream body, long contentLength) {

  /** The first value of header {@code name} (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The Host header without its port, lower case; empty when absent. */
  public String hostName() {
    String host = header("Host");
    if (host == null) {
      return "";
    }
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return (colon < 0 ? host : host.substring(0, colon)).toLowerCase(Locale.ROOT);
  }

  /** This request with {@code body} as its body, already read (for routing) and now passed on whole. */
  public Incoming withBody(byte[] body) {
    return new Incoming(method, rawPath, rawQuery, headers, remoteAddress, new java.io.ByteArrayInputStream(body),
        body.length);
  }

  /** What SigV4 covers of this request, with {@code payloadHash} as the signature must claim it. */
  public SignedRequest signed(String payloadHash, boolean s3) {
    return new SignedRequest(method, rawPath, rawQuery, headers, payloadHash, s3);
  }
}
