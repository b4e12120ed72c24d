package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

/**
 * With authorization enforced: every service verifies SigV4 against the configured secrets and answers failures with
 * its own error names; a suite switches roles through STS and sees the key policy decide.
 */
class EnforcedAuthorizationTest {
  private static final String KEY_ID = "5c2d6f4e-1a3b-4c5d-8e9f-0a1b2c3d4e5f";
  private static final String WRITER = "arn:aws:iam::000000000000:role/writer";
  private static final String READER = "arn:aws:iam::000000000000:role/reader";
  private static final String CONFIG = """
      {"enforceAuthorization": true,
       "principals": [
         {"arn": "%s", "iamPolicies": [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
         {"arn": "%s", "iamPolicies": [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}],
       "keys": [{"keyId": "%s", "aliases": ["alias/orders"], "policy": {"Statement": [
         {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*",
          "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::000000000000:root"}}},
         {"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": ["kms:Encrypt", "kms:Decrypt"],
          "Resource": "*"}]}}]}
      """.formatted(WRITER, READER, KEY_ID, WRITER);
  private static LocalAws aws;

  @BeforeAll
  static void start() {
    aws = LocalAws.builder().port(0).config(CONFIG).build();
  }

  @AfterAll
  static void stop() {
    aws.close();
  }

  private static <B extends AwsClientBuilder<B, ?>> B as(B builder, AwsCredentials credentials) {
    return builder.endpointOverride(aws.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(credentials));
  }

  private static AwsCredentials assume(String role) {
    try (StsClient sts = aws.configure(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      AssumeRoleResponse r = sts.assumeRole(b -> b.roleArn(role).roleSessionName("test"));
      return AwsSessionCredentials.create(r.credentials().accessKeyId(), r.credentials().secretAccessKey(),
          r.credentials().sessionToken());
    }
  }

  /**
   * An S3 PUT refused for its signature is answered after its body, so a client that waits for "100 Continue"
   * before sending it reads the refusal rather than failing to write the body and retrying.
   */
  @Test
  void anUnsignedS3PutWaitingFor100ContinueReadsItsRefusal() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), aws.port())) {
      java.io.OutputStream out = socket.getOutputStream();
      java.io.InputStream in = socket.getInputStream();
      out.write(("PUT /any-bucket/key HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      StringBuilder interim = new StringBuilder();
      while (!interim.toString().endsWith("\r\n\r\n")) {
        interim.append((char) in.read());
      }
      assertTrue(interim.toString().startsWith("HTTP/1.1 100"), interim.toString());
      out.write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(in.readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 403", answer);
    }
  }

  @Test
  void aSwitchedRoleIsDeniedByTheKeyPolicyWhereItDoesNotAppear() {
    SdkBytes ciphertext;
    try (KmsClient root = aws.configure(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      ciphertext = root.encrypt(b -> b.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("o-1")))
          .ciphertextBlob();
    }
    try (KmsClient writer = as(KmsClient.builder(), assume(WRITER)).httpClient(UrlConnectionHttpClient.create())
        .build()) {
      assertEquals("o-1", writer.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
    }
    try (KmsClient reader = as(KmsClient.builder(), assume(READER)).httpClient(UrlConnectionHttpClient.create())
        .build()) {
      AwsServiceException denied = assertThrows(AwsServiceException.class,
          () -> reader.decrypt(b -> b.ciphertextBlob(ciphertext)));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertTrue(denied.getMessage().contains(READER + " is not authorized to perform: kms:Decrypt"),
          denied.getMessage());
    }
    try (StsClient sts = aws.configure(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      AwsServiceException refused = assertThrows(AwsServiceException.class, () -> sts.assumeRole(b -> b
          .roleArn("arn:aws:iam::000000000000:role/not-configured").roleSessionName("xx")));
      assertEquals("AccessDenied", refused.awsErrorDetails().errorCode());
      assertEquals(403, refused.statusCode());
    }
  }

  @Test
  void aWrongSecretGetsEachServicesOwnError() {
    AwsCredentials wrong = AwsBasicCredentials.create("test", "not-the-secret");
    try (KmsClient kms = as(KmsClient.builder(), wrong).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient ddb = as(DynamoDbClient.builder(), wrong).httpClient(UrlConnectionHttpClient.create()).build();
        S3Client s3 = as(S3Client.builder(), wrong).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
            .build();
        StsClient sts = as(StsClient.builder(), wrong).httpClient(UrlConnectionHttpClient.create()).build()) {
      assertError("InvalidSignatureException", 400, () -> kms.listKeys());
      assertError("InvalidSignatureException", 400, () -> ddb.listTables());
      assertError("SignatureDoesNotMatch", 403, () -> s3.listBuckets());
      assertError("SignatureDoesNotMatch", 403, () -> sts.getCallerIdentity());
    }
  }

  @Test
  void anUnknownAccessKeyGetsEachServicesOwnError() {
    AwsCredentials unknown = AwsBasicCredentials.create("AKIAUNKNOWN", "x");
    try (KmsClient kms = as(KmsClient.builder(), unknown).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient ddb = as(DynamoDbClient.builder(), unknown).httpClient(UrlConnectionHttpClient.create())
            .build();
        S3Client s3 = as(S3Client.builder(), unknown).forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create()).build();
        StsClient sts = as(StsClient.builder(), unknown).httpClient(UrlConnectionHttpClient.create()).build()) {
      assertError("UnrecognizedClientException", 400, () -> kms.listKeys());
      assertError("UnrecognizedClientException", 400, () -> ddb.listTables());
      assertError("InvalidAccessKeyId", 403, () -> s3.listBuckets());
      assertError("InvalidClientTokenId", 403, () -> sts.getCallerIdentity());
    }
  }

  private static void assertError(String code, int status, Runnable call) {
    AwsServiceException e = assertThrows(AwsServiceException.class, call::run);
    assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
    assertEquals(status, e.statusCode(), e.getMessage());
  }

  /** Sends a request signed by the SDK's own signer at {@code signedAt}; answers status and body. */
  private static String[] replay(String method, String path, String target, String body, String service,
      java.time.Instant signedAt) throws IOException {
    URI uri = aws.endpoint().resolve(path);
    software.amazon.awssdk.http.SdkHttpRequest.Builder request = software.amazon.awssdk.http.SdkHttpRequest.builder()
        .method(software.amazon.awssdk.http.SdkHttpMethod.fromValue(method)).uri(uri);
    if (target != null) {
      request.putHeader("X-Amz-Target", target).putHeader("Content-Type", "application/x-amz-json-1.1");
    }
    software.amazon.awssdk.http.SdkHttpRequest signed = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner
        .create().sign(r -> r.identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create("test",
            "test")).request(request.build())
            .payload(software.amazon.awssdk.http.ContentStreamProvider.fromUtf8String(body))
            .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME,
                service)
            .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED,
                true)
            .putProperty(software.amazon.awssdk.http.auth.spi.signer.HttpSigner.SIGNING_CLOCK,
                java.time.Clock.fixed(signedAt, java.time.ZoneOffset.UTC))).request();
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setRequestMethod(method);
    signed.forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        c.setRequestProperty(name, values.get(0));
      }
    });
    if (!body.isEmpty()) {
      c.setDoOutput(true);
      c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
    int status = c.getResponseCode();
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    return new String[] {Integer.toString(status), new String(in.readAllBytes(), StandardCharsets.UTF_8)};
  }

  @Test
  void aReplayOutsideTheClockSkewWindowFails_insideItVerifies() throws IOException {
    java.time.Instant now = java.time.Instant.now();
    String[] fresh = replay("POST", "/", "TrentService.ListKeys", "{}", "kms", now.minusSeconds(240));
    assertEquals("200", fresh[0], fresh[1]);
    String[] stale = replay("POST", "/", "TrentService.ListKeys", "{}", "kms", now.minusSeconds(360));
    assertEquals("400", stale[0]);
    assertTrue(stale[1].contains("\"__type\":\"InvalidSignatureException\"") && stale[1].contains("Signature expired"),
        stale[1]);
    String[] ahead = replay("POST", "/", "TrentService.ListKeys", "{}", "kms", now.plusSeconds(360));
    assertTrue(ahead[1].contains("Signature not yet current"), ahead[1]);
    // S3 allows 15 minutes, and names the failure its own way.
    try (S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create()).build()) {
      s3.createBucket(b -> b.bucket("skew"));
    }
    assertEquals("200", replay("GET", "/skew", null, "", "s3", now.minusSeconds(840))[0]);
    String[] s3Stale = replay("GET", "/skew", null, "", "s3", now.minusSeconds(960));
    assertEquals("403", s3Stale[0]);
    assertTrue(s3Stale[1].contains("<Code>RequestTimeTooSkewed</Code>"), s3Stale[1]);
  }

  @Test
  void unsignedRequestsAreRefused() throws IOException {
    HttpURLConnection kms = (HttpURLConnection) aws.endpoint().toURL().openConnection();
    kms.setRequestMethod("POST");
    kms.setDoOutput(true);
    kms.setRequestProperty("X-Amz-Target", "TrentService.ListKeys");
    kms.setRequestProperty("Content-Type", "application/x-amz-json-1.1");
    kms.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, kms.getResponseCode());
    assertTrue(new String(kms.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
        .contains("\"__type\":\"MissingAuthenticationTokenException\""));
    HttpURLConnection s3 = (HttpURLConnection) aws.endpoint().resolve("/some-bucket/key").toURL().openConnection();
    assertEquals(403, s3.getResponseCode());
    assertTrue(new String(s3.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
        .contains("<Code>AccessDenied</Code>"));
  }

  @Test
  void chunkedUploadsVerifyChunkByChunkAndATamperedChunkStoresNothing() {
    try (S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create()).build()) {
      s3.createBucket(b -> b.bucket("chunked"));
      byte[] object = new byte[300_000];
      new java.util.Random(3).nextBytes(object);
      s3.putObject(b -> b.bucket("chunked").key("whole"), RequestBody.fromBytes(object));
      assertArrayEquals(object, s3.getObjectAsBytes(b -> b.bucket("chunked").key("whole")).asByteArray());
    }
    // The SDK signs aws-chunked bodies over plain HTTP; this client changes one byte after signing, in flight.
    try (S3Client tampering = aws.configure(S3Client.builder()).forcePathStyle(true)
        .httpClient(new TamperingHttpClient(UrlConnectionHttpClient.create(), 200_000)).build();
        S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create()).build()) {
      byte[] object = new byte[300_000];
      AwsServiceException e = assertThrows(AwsServiceException.class, () -> tampering.putObject(b -> b
          .bucket("chunked").key("tampered"), RequestBody.fromBytes(object)));
      assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
      assertEquals(403, e.statusCode());
      assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("chunked").key("tampered"))
          .contentLength(), "nothing was stored");
    }
  }

  @Test
  void presignedUrlsVerifyAndAChangedUrlDoesNot() throws IOException {
    try (S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create()).build();
        S3Presigner presigner = S3Presigner.builder().endpointOverride(aws.endpoint()).region(Region.US_EAST_1)
            .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                .pathStyleAccessEnabled(true).build())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build()) {
      s3.createBucket(b -> b.bucket("presigned"));
      s3.putObject(b -> b.bucket("presigned").key("report.csv"), RequestBody.fromString("a,b"));
      URI url = URI.create(presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
          .getObjectRequest(g -> g.bucket("presigned").key("report.csv"))).url().toString());
      HttpURLConnection ok = (HttpURLConnection) url.toURL().openConnection();
      assertEquals(200, ok.getResponseCode());
      assertEquals("a,b", new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      HttpURLConnection changed = (HttpURLConnection) URI.create(url.toString().replace("report.csv", "report.csx"))
          .toURL().openConnection();
      assertEquals(403, changed.getResponseCode());
      assertTrue(new String(changed.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
          .contains("<Code>SignatureDoesNotMatch</Code>"));
      // Presigned five minutes ago for one minute: expired.
      software.amazon.awssdk.http.SdkHttpRequest expired = software.amazon.awssdk.http.auth.aws.signer
          .AwsV4HttpSigner.create().sign(r -> r.identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity
              .create("test", "test")).request(software.amazon.awssdk.http.SdkHttpRequest.builder()
              .method(software.amazon.awssdk.http.SdkHttpMethod.GET).uri(aws.endpoint().resolve(
                  "/presigned/report.csv")).build())
          .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
          .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1")
          .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AUTH_LOCATION,
              software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
          .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.EXPIRATION_DURATION,
              Duration.ofMinutes(1))
          .putProperty(software.amazon.awssdk.http.auth.spi.signer.HttpSigner.SIGNING_CLOCK,
              java.time.Clock.fixed(java.time.Instant.now().minusSeconds(300), java.time.ZoneOffset.UTC))).request();
      HttpURLConnection late = (HttpURLConnection) expired.getUri().toURL().openConnection();
      assertEquals(403, late.getResponseCode());
      String answer = new String(late.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.contains("<Code>AccessDenied</Code>") && answer.contains("Request has expired"), answer);
    }
  }

  /** An HTTP client that flips one byte of every request body at {@code position}, after the SDK signed it. */
  private static final class TamperingHttpClient implements SdkHttpClient {
    private final SdkHttpClient delegate;
    private final int position;

    TamperingHttpClient(SdkHttpClient delegate, int position) {
      this.delegate = delegate;
      this.position = position;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      Optional<software.amazon.awssdk.http.ContentStreamProvider> body = request.contentStreamProvider();
      HttpExecuteRequest changed = body.isEmpty() ? request : HttpExecuteRequest.builder()
          .request(request.httpRequest()).contentStreamProvider(() -> flipped(body.get().newStream())).build();
      return delegate.prepareRequest(changed);
    }

    private InputStream flipped(InputStream in) {
      try {
        byte[] all = in.readAllBytes();
        if (all.length > position) {
          all[position] ^= 1;
        }
        return new ByteArrayInputStream(all);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
