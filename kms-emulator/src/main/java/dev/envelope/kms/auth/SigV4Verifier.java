package dev.envelope.kms.auth;

import dev.envelope.kms.auth.SigV4Exception.Reason;
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
  static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
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
      return SignatureParameters.parse(request).accessKeyId;
    } catch (SigV4Exception e) {
      return null;
    }
  }

  /** The credential scope's Region and service ({@code [region, service]}) without verifying, or null. */
  public static String[] scope(SignedRequest request) {
    try {
      SignatureParameters p = SignatureParameters.parse(request);
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
    SignatureParameters p = SignatureParameters.parse(request);
    Secret secret = secrets.apply(p.accessKeyId);
    if (secret == null) {
      throw new SigV4Exception(Reason.UNKNOWN_ACCESS_KEY, "The security token included in the request is invalid.");
    }
    String token = p.presigned ? CanonicalRequest.queryParameters(request.rawQuery()).get("X-Amz-Security-Token")
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

  private static boolean signatureMatches(SignedRequest request, SignatureParameters p, String scope, byte[] signingKey,
      String payloadHash) {
    String canonical = CanonicalRequest.of(request, p.signedHeaders, payloadHash, p.presigned);
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

  private void checkTime(SignatureParameters p, Duration allowedSkew) {
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

  /** The query's parameters, decoded; the first of repeated names wins. */
  public static Map<String, String> queryParameters(String rawQuery) {
    return CanonicalRequest.queryParameters(rawQuery);
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
