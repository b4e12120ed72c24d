package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.AuditSinkException;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * An audit sink that fails turns a successful write into the same failure in every format and write path: an
 * {@link AuditSinkException} saying the write already happened, with the sink's exception as its cause; and the
 * object is stored and readable (by a client whose sink works).
 */
class AuditSinkFailureTest {
  private static final byte[] DATA = S3TestParts.random(40_000, 77);
  private static final AuditSink BROKEN = event -> {
    throw new IllegalStateException("audit disk full");
  };
  private static S3Client plain;
  private static String bucket;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "audit-fail");
  }

  private static EncryptingS3ClientBuilder builder(ObjectFormat format) {
    EncryptingS3ClientBuilder b = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(S3TestParts.kmsKeyring()).s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .writeFormat(format).partSize(5 << 20).multipartThreshold(5 << 20);
    return format == ObjectFormat.S3EC_V2 ? b.s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT) : b;
  }

  private static void assertStoredAfterSinkFailure(AuditSinkException e, EncryptingS3Client reader, String key,
      byte[] expected) {
    assertTrue(e.getMessage().startsWith("Audit sink failed to record a successful ENCRYPT of s3://" + bucket
        + "/" + key), e.getMessage());
    assertTrue(e.getMessage().contains("is stored"), e.getMessage());
    assertEquals("audit disk full", e.getCause().getMessage());
    assertArrayEquals(expected, reader.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
  }

  @ParameterizedTest
  @EnumSource(value = ObjectFormat.class, names = {"ENVELOPE_FRAMED", "S3EC_V3", "S3EC_V2"})
  void putObjectFailsWithTheSameTypeInEveryFormatAndTheObjectIsStored(ObjectFormat format) {
    EncryptingS3Client broken = builder(format).auditSink(BROKEN).build();
    EncryptingS3Client reader = builder(format).s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
        .writeFormat(ObjectFormat.ENVELOPE_FRAMED).build();
    String key = "put-" + format;
    AuditSinkException e = assertThrows(AuditSinkException.class,
        () -> broken.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(DATA)));
    assertStoredAfterSinkFailure(e, reader, key, DATA);
  }

  @ParameterizedTest
  @EnumSource(value = ObjectFormat.class, names = {"ENVELOPE_FRAMED", "S3EC_V3"})
  void multipartUploadFailsWithTheSameTypeAndTheObjectIsStored(ObjectFormat format) {
    byte[] big = S3TestParts.random((5 << 20) + 1000, 78);
    EncryptingS3Client broken = builder(format).auditSink(BROKEN).build();
    EncryptingS3Client reader = builder(format).build();
    String key = "upload-" + format;
    AuditSinkException e = assertThrows(AuditSinkException.class, () -> broken.upload(
        PutObjectRequest.builder().bucket(bucket).key(key).build(), new ByteArrayInputStream(big), big.length));
    assertStoredAfterSinkFailure(e, reader, key, big);
    assertEquals(List.of(), plain.listMultipartUploads(b -> b.bucket(bucket)).uploads(), "no upload left open");
  }
}
