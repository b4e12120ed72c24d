package dev.envelope.kms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.kms.auth.SigV4Exception.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Requests signed by the AWS SDK's own SigV4 signer verify; any change to what it signed does not. */
class SigV4VerifierTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final String BODY = "{\"KeyId\":\"alias/orders\",\"Plaintext\":\"aGk=\"}";
  private final SigV4Verifier verifier = new SigV4Verifier(id -> switch (id) {
    case "AKIDEXAMPLE" -> new SigV4Verifier.Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    case "ASIATEMP" -> new SigV4Verifier.Secret("temp-secret", "session-token-1");
    default -> null;
  }, Clock.fixed(NOW, ZoneOffset.UTC));

  private static SdkHttpRequest signed(String accessKey, String secret, Instant at, String body,
      SdkHttpRequest.Builder request, String service, boolean s3, boolean query, String sessionToken) {
    AwsCredentialsIdentity identity = sessionToken == null ? AwsCredentialsIdentity.create(accessKey, secret)
        : AwsSessionCredentialsIdentity.create(accessKey, secret, sessionToken);
    return AwsV4HttpSigner.create().sign(r -> {
      r.identity(identity).request(request.build())
          .payload(ContentStreamProvider.fromUtf8String(body))
          .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
          .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
          .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
      if (s3) {
        r.putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
            .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
            .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, !query);
      }
      if (query) {
        r.putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
            .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(15));
      }
    }).request();
  }

  private static SdkHttpRequest.Builder kmsRequest() {
    return SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create("http://localhost:4566/"))
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "TrentService.Encrypt");
  }

  private static SdkHttpRequest kmsSigned(Instant at) {
    return signed("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", at, BODY, kmsRequest(), "kms", false,
        false, null);
  }

  private static SignedRequest arrived(SdkHttpRequest r, String body, boolean s3) {
    String query = r.encodedQueryParameters().orElse("");
    String payloadHash = s3 ? r.firstMatchingHeader("x-amz-content-sha256").orElse(null)
        : SignedRequest.sha256Hex(body.getBytes(StandardCharsets.UTF_8));
    java.util.Map<String, List<String>> headers = new java.util.HashMap<>(r.headers());
    headers.put("Host", List.of(r.host() + (r.port() == 80 ? "" : ":" + r.port())));
    return new SignedRequest(r.method().name(), r.encodedPath(), query, headers, payloadHash, s3);
  }

  @Test
  void aRequestSignedByTheSdkVerifiesAndNamesItsSigner() {
    SigV4Verifier.Verified v = verifier.verify(arrived(kmsSigned(NOW), BODY, false), Duration.ofMinutes(5));
    assertEquals("AKIDEXAMPLE", v.accessKeyId());
    assertEquals("us-east-1", v.region());
    assertEquals("kms", v.service());
  }

  @Test
  void aChangedBodyFails() {
    SigV4Exception e = assertThrows(SigV4Exception.class, () -> verifier.verify(
        arrived(kmsSigned(NOW), BODY.replace("orders", "ordert"), false), Duration.ofMinutes(5)));
    assertEquals(Reason.SIGNATURE_MISMATCH, e.reason());
    assertTrue(e.getMessage().startsWith("The request signature we calculated does not match"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-Amz-Target", "X-Amz-Date", "Host", "Content-Type"})
  void aByteChangedInASignedHeaderFails(String header) {
    SdkHttpRequest request = kmsSigned(NOW);
    SignedRequest original = arrived(request, BODY, false);
    String value = original.header(header);
    int at = value.length() - 1;
    while (!Character.isLetterOrDigit(value.charAt(at)) || value.charAt(at) == 'Z') {
      at--;
    }
    char c = value.charAt(at);
    String changed = value.substring(0, at) + (char) (c == '1' ? '2' : '1') + value.substring(at + 1);
    Map<String, List<String>> headers = new java.util.HashMap<>(original.headers());
    headers.put(header.toLowerCase(java.util.Locale.ROOT), List.of(changed));
    SignedRequest tampered = new SignedRequest("POST", "/", "", headers, original.payloadHash(), false);
    SigV4Exception e = assertThrows(SigV4Exception.class, () -> verifier.verify(tampered, Duration.ofMinutes(5)));
    assertEquals(Reason.SIGNATURE_MISMATCH, e.reason());
  }

  @Test
  void aWrongSecretFailsAndAnUnknownKeyIsUnrecognized() {
    SdkHttpRequest wrongSecret = signed("AKIDEXAMPLE", "not-the-secret", NOW, BODY, kmsRequest(), "kms", false,
        false, null);
    assertEquals(Reason.SIGNATURE_MISMATCH, assertThrows(SigV4Exception.class,
        () -> verifier.verify(arrived(wrongSecret, BODY, false), Duration.ofMinutes(5))).reason());
    SdkHttpRequest unknown = signed("AKIDUNKNOWN", "x", NOW, BODY, kmsRequest(), "kms", false, false, null);
    SigV4Exception e = assertThrows(SigV4Exception.class,
        () -> verifier.verify(arrived(unknown, BODY, false), Duration.ofMinutes(5)));
    assertEquals(Reason.UNKNOWN_ACCESS_KEY, e.reason());
    assertEquals("UnrecognizedClientException", e.reason().jsonErrorCode());
    assertEquals("InvalidClientTokenId", e.reason().queryErrorCode());
  }

  @Test
  void aReplayOutsideTheSkewWindowFailsInsideItVerifies() {
    verifier.verify(arrived(kmsSigned(NOW.minusSeconds(299)), BODY, false), Duration.ofMinutes(5));
    verifier.verify(arrived(kmsSigned(NOW.plusSeconds(299)), BODY, false), Duration.ofMinutes(5));
    SigV4Exception old = assertThrows(SigV4Exception.class, () -> verifier.verify(
        arrived(kmsSigned(NOW.minusSeconds(301)), BODY, false), Duration.ofMinutes(5)));
    assertEquals(Reason.EXPIRED, old.reason());
    assertEquals("Signature expired: 20261203T115459Z is now earlier than 20261203T115500Z (20261203T120000Z - 5 "
        + "min.)", old.getMessage());
    SigV4Exception ahead = assertThrows(SigV4Exception.class, () -> verifier.verify(
        arrived(kmsSigned(NOW.plusSeconds(301)), BODY, false), Duration.ofMinutes(5)));
    assertEquals(Reason.EXPIRED, ahead.reason());
    assertTrue(ahead.getMessage().startsWith("Signature not yet current: 20261203T120501Z"), ahead.getMessage());
    // S3 allows 15 minutes
    verifier.verify(arrived(kmsSigned(NOW.minusSeconds(800)), BODY, false), Duration.ofMinutes(15));
  }

  @Test
  void unsignedAndIncompleteRequestsGetTheirOwnReasons() {
    SignedRequest unsigned = new SignedRequest("POST", "/", "", Map.of("Host", List.of("localhost")), "x", false);
    assertEquals(Reason.MISSING_AUTHENTICATION, assertThrows(SigV4Exception.class,
        () -> verifier.verify(unsigned, Duration.ofMinutes(5))).reason());
    assertEquals("MissingAuthenticationTokenException", Reason.MISSING_AUTHENTICATION.jsonErrorCode());
    assertEquals("MissingAuthenticationToken", Reason.MISSING_AUTHENTICATION.queryErrorCode());
    SignedRequest noSignature = new SignedRequest("POST", "/", "", Map.of("Host", List.of("localhost"),
        "X-Amz-Date", List.of("20261203T120000Z"), "Authorization", List.of("AWS4-HMAC-SHA256 "
        + "Credential=AKIDEXAMPLE/20261203/us-east-1/kms/aws4_request, SignedHeaders=host")), "x", false);
    SigV4Exception e = assertThrows(SigV4Exception.class, () -> verifier.verify(noSignature, Duration.ofMinutes(5)));
    assertEquals(Reason.INCOMPLETE_SIGNATURE, e.reason());
    assertEquals("IncompleteSignatureException", e.reason().jsonErrorCode());
    assertTrue(e.getMessage().contains("Authorization header requires 'Signature' parameter."), e.getMessage());
  }

  @Test
  void temporaryCredentialsMustPresentTheirSessionToken() {
    SdkHttpRequest withToken = signed("ASIATEMP", "temp-secret", NOW, BODY, kmsRequest(), "kms", false, false,
        "session-token-1");
    verifier.verify(arrived(withToken, BODY, false), Duration.ofMinutes(5));
    SdkHttpRequest otherToken = signed("ASIATEMP", "temp-secret", NOW, BODY, kmsRequest(), "kms", false, false,
        "session-token-2");
    assertEquals(Reason.UNKNOWN_ACCESS_KEY, assertThrows(SigV4Exception.class,
        () -> verifier.verify(arrived(otherToken, BODY, false), Duration.ofMinutes(5))).reason());
    SdkHttpRequest noToken = signed("ASIATEMP", "temp-secret", NOW, BODY, kmsRequest(), "kms", false, false, null);
    assertEquals(Reason.UNKNOWN_ACCESS_KEY, assertThrows(SigV4Exception.class,
        () -> verifier.verify(arrived(noToken, BODY, false), Duration.ofMinutes(5))).reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain.txt", "a b/c+d=e&f.txt", "ünïcødé/日本語.json", "sp%ce~tilde*star!(x).bin",
      "", "deep/er/still/"})
  void s3PathsQueriesAndPresignedUrlsVerifyAsS3EncodesThem(String key) {
    String encodedKey = CanonicalRequest.encode(key).replace("%2F", "/");
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
        .uri(URI.create("http://bucket.s3.localhost.localstack.cloud:4566/" + encodedKey))
        .putRawQueryParameter("prefix", "a b+c/ü").putRawQueryParameter("list-type", "2")
        .putRawQueryParameter("versions", (String) null);
    SdkHttpRequest header = signed("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NOW, "", request, "s3",
        true, false, null);
    assertEquals("s3", verifier.verify(arrived(header, "", true), Duration.ofMinutes(15)).service());
    SdkHttpRequest presigned = signed("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NOW, "", request,
        "s3", true, true, null);
    assertEquals("AKIDEXAMPLE", verifier.verify(arrived(presigned, "", true), Duration.ofMinutes(15)).accessKeyId());
  }

  @Test
  void aPresignedUrlExpires() {
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
        .uri(URI.create("http://localhost:4566/bucket/key"));
    SdkHttpRequest presigned = signed("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        NOW.minusSeconds(901), "", request, "s3", true, true, null);
    SigV4Exception e = assertThrows(SigV4Exception.class,
        () -> verifier.verify(arrived(presigned, "", true), Duration.ofMinutes(15)));
    assertEquals(Reason.PRESIGNED_URL_EXPIRED, e.reason());
    SdkHttpRequest fresh = signed("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        NOW.minusSeconds(899), "", request, "s3", true, true, null);
    verifier.verify(arrived(fresh, "", true), Duration.ofMinutes(15));
    String tamperedQuery = fresh.encodedQueryParameters().orElseThrow().replace("X-Amz-Expires=900",
        "X-Amz-Expires=9000");
    SignedRequest longer = new SignedRequest("GET", "/bucket/key", tamperedQuery, Map.of("Host",
        List.of("localhost:4566")), null, true);
    assertEquals(Reason.SIGNATURE_MISMATCH, assertThrows(SigV4Exception.class,
        () -> verifier.verify(longer, Duration.ofMinutes(15))).reason());
  }
}
