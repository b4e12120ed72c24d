package dev.envelope.kms.auth;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What SigV4 covers of one HTTP request, as it arrived: the method, the path and query exactly as on the wire (still
 * percent-encoded), the headers (names in any case; several values of one name in arrival order), and the payload
 * hash the signature claims (for S3, the {@code x-amz-content-sha256} header; for the JSON and query services, the
 * hex SHA-256 of the body, which {@link #sha256Hex} computes).
 *
 * @param rawPath the path as sent, e.g. {@code /my-bucket/a%20b.txt}
 * @param rawQuery the query as sent without {@code ?}, or empty
 * @param s3 whether S3's canonical URI applies (the path encoded once; other services encode it twice)
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
    String payloadHash, boolean s3) {

  public SignedRequest {
    Objects.requireNonNull(method, "method");
    rawPath = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    rawQuery = rawQuery == null ? "" : rawQuery;
    TreeMap<String, List<String>> lower = new TreeMap<>();
    headers.forEach((name, values) -> {
      if (name != null) {
        lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>()).addAll(values);
      }
    });
    headers = java.util.Collections.unmodifiableMap(lower);
  }

  /** The first value of header {@code name} (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Lower-case hex of SHA-256 over {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    return SigV4Verifier.hex(SigV4Verifier.sha256(bytes));
  }
}
