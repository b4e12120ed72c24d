package dev.envelope.kms.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SigV4's canonical request: method, canonical URI (S3 encodes each decoded segment once, the other services
 * encode the already-encoded path again), canonical query (names and values re-encoded the SDKs' way and sorted),
 * the signed headers' trimmed values, and the payload hash. Also the percent-encoding rules it is built with.
 */
final class CanonicalRequest {
  private CanonicalRequest() {}

  static String of(SignedRequest request, List<String> signedHeaders, String payloadHash,
      boolean presigned) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(request.method()).append('\n');
    sb.append(canonicalUri(request.rawPath(), request.s3())).append('\n');
    sb.append(canonicalQuery(request.rawQuery(), presigned)).append('\n');
    for (String name : signedHeaders) {
      List<String> values = request.headers().get(name);
      sb.append(name).append(':');
      if (values != null) {
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          sb.append(values.get(i).trim().replaceAll(" +", " "));
        }
      }
      sb.append('\n');
    }
    sb.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
    return sb.toString();
  }

  /** S3 encodes each decoded path segment once; the other services encode the already-encoded path again. */
  private static String canonicalUri(String rawPath, boolean s3) {
    StringBuilder sb = new StringBuilder(rawPath.length() + 16);
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(encode(s3 ? decode(segments[i]) : segments[i]));
    }
    String uri = sb.toString();
    return uri.isEmpty() ? "/" : uri;
  }

  private static String canonicalQuery(String rawQuery, boolean presigned) {
    if (rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = encode(decode(eq < 0 ? pair : pair.substring(0, eq)));
      String value = eq < 0 ? "" : encode(decode(pair.substring(eq + 1)));
      if (presigned && name.equals("X-Amz-Signature")) {
        continue;
      }
      pairs.add(new String[] {name, value});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder sb = new StringBuilder(rawQuery.length() + 16);
    for (String[] pair : pairs) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(pair[0]).append('=').append(pair[1]);
    }
    return sb.toString();
  }

  /** The query's parameters, decoded; the first of repeated names wins. */
  static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return out;
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 prescribes. */
  static String encode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** Percent-decoding; a {@code +} stays a plus (SigV4 clients encode spaces as %20). Malformed escapes stay. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
        byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = end - 1;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
