package dev.envelope.kms.auth;

import dev.envelope.kms.auth.SigV4Exception.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 as the services do, in both forms: the {@code Authorization} header and the
 * presigned query string ({@code X-Amz-Algorithm}, {@code X-Amz-Credential}, ...). The canonical request is built
 * from the request as it arrived (path and query re-encoded the way the SDKs encode them), the signing key is
 * derived from the secret of the access key the credential scope names, and the signatures are compared in constant
 * time. The date must lie within the allowed clock skew of the server's clock (AWS: 5 minutes for most services,
 * 15 for S3); a presigned request must also be within its {@code X-Amz-Expires}. Temporary credentials must carry
 * their session token.
 *
 * <p>Streaming payloads (S3's {@code aws-chunked}) are verified chunk by chunk with
 * {@link Verified#chunkSignature} after the headers verify. Thread-safe.
 */
public final class SigV4Verifier {
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  /** The secret of a known access key, and the session token temporary credentials must present (else null). */
  public record Secret(String secretAccessKey, String sessionToken) {
    public Secret {
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
      return "Secret[redacted]";
    }
  }

  private final Function<String, Secret> secrets;
  private final Clock clock;

  /** {@code secrets} answers the secret of an access key id, or null when the key is unknown. */
  public SigV4Verifier(Function<String, Secret> secrets, Clock clock) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Whether the request carries a SigV4 signature in either form (it may still be malformed). */
  public static boolean isSigned(SignedRequest request) {
    String authorization = request.header("Authorization");
    return authorization != null && !authorization.isBlank() || queryParameters(request.rawQuery())
        .containsKey("X-Amz-Algorithm");
  }

  /**
   * The access key id a request names in its credential scope (header or query form), without verifying anything;
   * null when there is none. For routing and for the open mode, where the key says who the caller is.
   */
  public static String accessKeyId(SignedRequest request) {
    try {
      return parse(request).accessKeyId;
    } catch (SigV4Exception e) {
      return null;
    }
  }

  /** The credential scope's Region and service ({@code [region, service]}) without verifying, or null. */
  public static String[] scope(SignedRequest request) {
    try {
      Parsed p = parse(request);
      return new String[] {p.region, p.service};
    } catch (SigV4Exception e) {
      return null;
    }
  }

  /**
   * Verifies {@code request} or throws {@link SigV4Exception} saying why not.
   *
   * @param allowedSkew how far the signing time may be from the server's clock
   */
  public Verified verify(SignedRequest request, Duration allowedSkew) {
    Parsed p = parse(request);
    Secret secret = secrets.apply(p.accessKeyId);
    if (secret == null) {
      throw new SigV4Exception(Reason.UNKNOWN_ACCESS_KEY, "The security token included in the request is invalid.");
    }
    String token = p.presigned ? queryParameters(request.rawQuery()).get("X-Amz-Security-Token")
        : request.header("X-Amz-Security-Token");
    if (secret.sessionToken() != null && !secret.sessionToken().equals(token)) {
      throw new SigV4Exception(Reason.UNKNOWN_ACCESS_KEY, "The security token included in the request is invalid.");
    }
    checkTime(p, allowedSkew);
    String scope = p.date + "/" + p.region + "/" + p.service + "/aws4_request";
    byte[] signingKey = signingKey(secret.secretAccessKey(), p.date, p.region, p.service);
    boolean matches;
    if (p.presigned && request.s3()) {
      // S3 signs presigned URLs over UNSIGNED-PAYLOAD; the SDKs' signer, presigning over plain http, signs the empty
      // body's hash instead. Both need the secret.
      matches = signatureMatches(request, p, scope, signingKey, "UNSIGNED-PAYLOAD")
          || signatureMatches(request, p, scope, signingKey, hex(sha256(new byte[0])));
    } else {
      matches = signatureMatches(request, p, scope, signingKey, request.payloadHash());
    }
    if (!matches) {
      throw new SigV4Exception(Reason.SIGNATURE_MISMATCH, "The request signature we calculated does not match the "
          + "signature you provided. Check your AWS Secret Access Key and signing method. Consult the service "
          + "documentation for details.");
    }
    return new Verified(p.accessKeyId, p.region, p.service, p.amzDate, scope, p.signature, signingKey);
  }

  private static boolean signatureMatches(SignedRequest request, Parsed p, String scope, byte[] signingKey,
      String payloadHash) {
    String canonical = canonicalRequest(request, p.signedHeaders, payloadHash, p.presigned);
    String stringToSign = ALGORITHM + "\n" + p.amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    String expected = hex(hmac(signingKey, stringToSign));
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        p.signature.getBytes(StandardCharsets.US_ASCII));
  }

  /** A request whose signature verified: who signed it, where, and what streaming chunks must be signed with. */
  public static final class Verified {
    private final String accessKeyId;
    private final String region;
    private final String service;
    private final String amzDate;
    private final String scope;
    private final String seedSignature;
    private final byte[] signingKey;

    Verified(String accessKeyId, String region, String service, String amzDate, String scope, String seedSignature,
        byte[] signingKey) {
      this.accessKeyId = accessKeyId;
      this.region = region;
      this.service = service;
      this.amzDate = amzDate;
      this.scope = scope;
      this.seedSignature = seedSignature;
      this.signingKey = signingKey;
    }

    public String accessKeyId() {
      return accessKeyId;
    }

    public String region() {
      return region;
    }

    public String service() {
      return service;
    }

    /** The request's own signature: the previous signature of the first streaming chunk. */
    public String seedSignature() {
      return seedSignature;
    }

    /** The signature an {@code aws-chunked} chunk must carry, given the one before it and its data's SHA-256. */
    public String chunkSignature(String previousSignature, byte[] chunkSha256) {
      return hex(hmac(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previousSignature
          + "\n" + hex(sha256(new byte[0])) + "\n" + hex(chunkSha256)));
    }

    /** The signature of an {@code aws-chunked} trailer, given the last chunk's and the trailer's SHA-256. */
    public String trailerSignature(String previousSignature, byte[] trailerSha256) {
      return hex(hmac(signingKey, "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previousSignature
          + "\n" + hex(trailerSha256)));
    }

    @Override
    public String toString() {
      return "Verified[" + accessKeyId + ", " + scope + "]";
    }
  }

  private static final class Parsed {
    String accessKeyId;
    String date;
    String region;
    String service;
    List<String> signedHeaders;
    String signature;
    String amzDate;
    boolean presigned;
    long expiresSeconds;
  }

  private static Parsed parse(SignedRequest request) {
    String authorization = request.header("Authorization");
    Map<String, String> query = queryParameters(request.rawQuery());
    Parsed p = new Parsed();
    String credential;
    String signedHeaders;
    if (authorization != null && !authorization.isBlank()) {
      if (!authorization.startsWith(ALGORITHM + " ")) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Authorization header requires the "
            + ALGORITHM + " algorithm (Signature Version 4); got '" + firstWord(authorization) + "'.");
      }
      Map<String, String> parts = new LinkedHashMap<>();
      for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
      List<String> missing = new ArrayList<>();
      for (String name : List.of("Credential", "SignedHeaders", "Signature")) {
        if (parts.get(name) == null || parts.get(name).isEmpty()) {
          missing.add("Authorization header requires '" + name + "' parameter.");
        }
      }
      p.amzDate = request.header("X-Amz-Date");
      if (p.amzDate == null) {
        p.amzDate = fromHttpDate(request.header("Date"));
      }
      if (p.amzDate == null) {
        missing.add("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      }
      if (!missing.isEmpty()) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, String.join(" ", missing) + " Authorization="
            + redactSignature(authorization));
      }
      credential = parts.get("Credential");
      signedHeaders = parts.get("SignedHeaders");
      p.signature = parts.get("Signature");
    } else if (query.containsKey("X-Amz-Algorithm")) {
      if (!ALGORITHM.equals(query.get("X-Amz-Algorithm"))) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "X-Amz-Algorithm only supports " + ALGORITHM);
      }
      List<String> missing = new ArrayList<>();
      for (String name : List.of("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date")) {
        if (query.get(name) == null || query.get(name).isEmpty()) {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "AWS query-string parameters must include "
            + String.join(", ", missing) + ". Re-examine the query-string parameters.");
      }
      credential = query.get("X-Amz-Credential");
      signedHeaders = query.get("X-Amz-SignedHeaders");
      p.signature = query.get("X-Amz-Signature");
      p.amzDate = query.get("X-Amz-Date");
      p.presigned = true;
      try {
        p.expiresSeconds = Long.parseLong(query.getOrDefault("X-Amz-Expires", "604800"));
      } catch (NumberFormatException e) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "X-Amz-Expires must be a number of seconds");
      }
      if (p.expiresSeconds < 1 || p.expiresSeconds > 604_800) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE,
            "X-Amz-Expires must be between 1 and 604800 seconds (seven days)");
      }
    } else {
      throw new SigV4Exception(Reason.MISSING_AUTHENTICATION, "Missing Authentication Token");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !"aws4_request".equals(scope[4]) || scope[0].isEmpty()) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Credential should be scoped to a valid Region, not '"
          + (scope.length > 2 ? scope[2] : "") + "'. Credential should be scoped with a valid terminator: "
          + "'aws4_request'. Credential=" + credential);
    }
    p.accessKeyId = scope[0];
    p.date = scope[1];
    p.region = scope[2];
    p.service = scope[3];
    p.signedHeaders = List.of(signedHeaders.split(";"));
    if (!p.signedHeaders.contains("host")) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "'Host' must be a signed header (SignedHeaders="
          + signedHeaders + ").");
    }
    if (!p.amzDate.startsWith(p.date)) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Date in Credential scope does not match YYYYMMDD from "
          + "ISO-8601 version of date from HTTP: '" + p.date + "' != '" + p.amzDate.substring(0,
          Math.min(8, p.amzDate.length())) + "'");
    }
    return p;
  }

  private void checkTime(Parsed p, Duration allowedSkew) {
    Instant signed;
    try {
      signed = ZonedDateTime.parse(p.amzDate, AMZ_DATE).toInstant();
    } catch (DateTimeParseException e) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Date must be in ISO-8601 'basic format'. Got '"
          + p.amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
    Instant now = clock.instant();
    if (p.presigned && now.isAfter(signed.plusSeconds(p.expiresSeconds))) {
      throw new SigV4Exception(Reason.PRESIGNED_URL_EXPIRED, "Signature expired: " + p.amzDate + " is now earlier than "
          + AMZ_DATE.format(now.minusSeconds(p.expiresSeconds)) + " (" + AMZ_DATE.format(now) + " - "
          + p.expiresSeconds + " sec.)");
    }
    long minutes = allowedSkew.toMinutes();
    if (!p.presigned && signed.isBefore(now.minus(allowedSkew))) {
      throw new SigV4Exception(Reason.EXPIRED, "Signature expired: " + p.amzDate + " is now earlier than "
          + AMZ_DATE.format(now.minus(allowedSkew)) + " (" + AMZ_DATE.format(now) + " - " + minutes + " min.)");
    }
    if (signed.isAfter(now.plus(allowedSkew))) {
      throw new SigV4Exception(Reason.EXPIRED, "Signature not yet current: " + p.amzDate + " is still later than "
          + AMZ_DATE.format(now.plus(allowedSkew)) + " (" + AMZ_DATE.format(now) + " + " + minutes + " min.)");
    }
  }

  static String canonicalRequest(SignedRequest request, List<String> signedHeaders, String payloadHash,
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
  public static Map<String, String> queryParameters(String rawQuery) {
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

  private static String fromHttpDate(String date) {
    if (date == null) {
      return null;
    }
    try {
      return AMZ_DATE.format(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String firstWord(String s) {
    int space = s.indexOf(' ');
    return space < 0 ? s : s.substring(0, space);
  }

  private static String redactSignature(String authorization) {
    return authorization.replaceAll("Signature=[0-9a-fA-F]+", "Signature=<redacted>");
  }

  static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    return hmac(key, "aws4_request");
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from the JCA", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JCA", e);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }
}
