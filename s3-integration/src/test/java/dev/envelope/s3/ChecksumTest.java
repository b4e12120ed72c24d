package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Flexible checksums (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256) describe what is stored, the ciphertext: a
 * checksum algorithm the caller asks for is computed by the SDK over the bytes sent, in every format, for single
 * PUTs and for every part of a multipart upload, and S3Proxy (which recomputes each one, and answers 400 to one
 * that does not match) accepts them; a checksum value the caller computed over the plaintext is not sent.
 */
class ChecksumTest {
  private static final long PART = 5L << 20;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    bucket = S3TestParts.newBucket(S3TestParts.s3(), "checksums");
  }

  /** The requests the SDK sends, by operation, with the headers that announce checksums. */
  private static final class Sent implements ExecutionInterceptor {
    record Request(String operation, Map<String, List<String>> headers) {
      String checksumAnnounced() {
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
          String name = h.getKey().toLowerCase(Locale.ROOT);
          if (name.startsWith("x-amz-checksum-") && !name.equals("x-amz-checksum-algorithm")
              && !name.equals("x-amz-checksum-type")) {
            return name;
          }
          if (name.equals("x-amz-trailer")) {
            return h.getValue().get(0).toLowerCase(Locale.ROOT);
          }
        }
        return null;
      }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      SdkHttpRequest http = context.httpRequest();
      requests.add(new Request(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), http.headers()));
    }

    List<Request> of(String operation) {
      return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }
  }

  private static S3Client recorded(Sent sent) {
    URI endpoint = S3TestParts.s3Endpoint();
    return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(o -> o.addExecutionInterceptor(sent)).build();
  }

  private static EncryptingS3ClientBuilder builder(ObjectFormat format) {
    EncryptingS3ClientBuilder b = EncryptingS3Client.builder().keyring(S3TestParts.aesKeyring())
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn())).writeFormat(format)
        .partSize(PART).multipartThreshold(PART).auditSink(new InMemoryAuditSink());
    if (format == ObjectFormat.S3EC_V2) {
      b.s3ecCommitmentPolicy(dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
    }
    return b;
  }

  private static String header(ChecksumAlgorithm algorithm) {
    return "x-amz-checksum-" + algorithm.toString().toLowerCase(Locale.ROOT);
  }

  @ParameterizedTest
  @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32_C", "SHA1", "SHA256"}) // the rest need CRT
  void aPutCarriesTheChecksumOfItsCiphertextInEveryAlgorithm(ChecksumAlgorithm algorithm) throws Exception {
    Sent sent = new Sent();
    try (EncryptingS3Client client = builder(ObjectFormat.ENVELOPE_FRAMED).wrappedClient(recorded(sent)).build()) {
      byte[] data = S3TestParts.random(100_000, 1);
      String plaintextSha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
      client.putObject(PutObjectRequest.builder().bucket(bucket).key("put-" + algorithm).checksumAlgorithm(algorithm)
          .checksumSHA256(plaintextSha).build(), RequestBody.fromBytes(data)); // S3Proxy refuses a wrong one
      assertEquals(header(algorithm), sent.of("PutObject").get(0).checksumAnnounced());
      assertArrayEquals(data, client.getObjectAsBytes(b -> b.bucket(bucket).key("put-" + algorithm)).asByteArray());
    }
  }

  @ParameterizedTest
  @EnumSource(value = ObjectFormat.class, names = "S3EC_V1", mode = EnumSource.Mode.EXCLUDE) // V1 is read-only
  void everyPartOfAMultipartUploadCarriesItsChecksum(ObjectFormat format) throws IOException {
    Sent sent = new Sent();
    try (EncryptingS3Client client = builder(format).wrappedClient(recorded(sent)).build()) {
      byte[] data = S3TestParts.random((int) (2 * PART + 10), 2);
      client.upload(PutObjectRequest.builder().bucket(bucket).key("parts-" + format)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).build(), new ByteArrayInputStream(data), data.length);
      assertEquals(1, sent.of("CreateMultipartUpload").size());
      assertEquals(List.of("CRC32C"), sent.of("CreateMultipartUpload").get(0).headers()
          .get("x-amz-checksum-algorithm"), "the upload is created with the algorithm");
      List<String> parts = new ArrayList<>();
      sent.of("UploadPart").forEach(r -> parts.add(r.checksumAnnounced()));
      assertEquals(List.of("x-amz-checksum-crc32c", "x-amz-checksum-crc32c", "x-amz-checksum-crc32c"), parts);
      assertArrayEquals(data, client.getObjectAsBytes(b -> b.bucket(bucket).key("parts-" + format)).asByteArray());
    }
  }

  @Test
  void resumableAndAsyncUploadsCarryChecksumsToo(@TempDir Path dir) throws IOException {
    Sent sent = new Sent();
    Path file = dir.resolve("file");
    byte[] data = S3TestParts.random((int) (PART + 1), 3);
    Files.write(file, data);
    try (EncryptingS3Client client = builder(ObjectFormat.ENVELOPE_FRAMED).wrappedClient(recorded(sent)).build()) {
      client.resumableUploader().upload(PutObjectRequest.builder().bucket(bucket).key("resumable")
          .checksumAlgorithm(ChecksumAlgorithm.SHA256).build(), file, UploadCheckpoint.file(dir.resolve("state")));
      assertEquals(List.of("x-amz-checksum-sha256", "x-amz-checksum-sha256"), sent.of("UploadPart").stream()
          .map(Sent.Request::checksumAnnounced).toList());
      assertArrayEquals(data, client.getObjectAsBytes(b -> b.bucket(bucket).key("resumable")).asByteArray());
    }
    Sent sentAsync = new Sent();
    S3AsyncClient async = S3AsyncClient.builder().endpointOverride(S3TestParts.s3Endpoint()).forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(o -> o.addExecutionInterceptor(sentAsync)).build();
    try (EncryptingS3AsyncClient client = builder(ObjectFormat.ENVELOPE_FRAMED).buildAsync(async)) {
      client.putObject(b -> b.bucket(bucket).key("async").checksumAlgorithm(ChecksumAlgorithm.CRC32),
          AsyncRequestBody.fromBytes(data)).join();
      assertEquals(List.of("x-amz-checksum-crc32", "x-amz-checksum-crc32"), sentAsync.of("UploadPart").stream()
          .map(Sent.Request::checksumAnnounced).toList());
    }
  }

  @Test
  void theCiphertextsChecksumsAreNotPassedOffAsThePlaintexts() {
    // S3Proxy returns no checksum on GET; a wrapped client that answers as S3 does stands in for that header.
    S3Client withChecksums = new DelegatingS3Client(S3TestParts.s3()) {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        ResponseInputStream<GetObjectResponse> in = super.getObject(request);
        return new ResponseInputStream<>(in.response().toBuilder().checksumCRC32("AAAAAA==")
            .checksumType("FULL_OBJECT").build(), AbortableInputStream.create(in, in::abort));
      }
    };
    try (EncryptingS3Client client = builder(ObjectFormat.ENVELOPE_FRAMED).wrappedClient(withChecksums).build()) {
      client.putObject(b -> b.bucket(bucket).key("answered"), RequestBody.fromString("plaintext"));
      GetObjectResponse response = client.getObjectAsBytes(b -> b.bucket(bucket).key("answered")).response();
      assertNull(response.checksumCRC32());
      assertNull(response.checksumTypeAsString());
      assertTrue(response.eTag() != null, "the ETag stays: it names the stored version (a resume pins it)");
    }
  }
}
