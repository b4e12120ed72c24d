package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A put's conditions and object settings hold whatever path the put takes: one request, or a multipart upload
 * (parallel, resumable or S3EC) for a large body. A put-if-absent that went multipart once replaced the object
 * silently, and its headers were dropped. (Tags on a multipart upload are carried too; S3Proxy answers 501 to
 * them, so they are not tested here.)
 */
class ConditionalWriteTest {
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static String bucket;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "conditional");
  }

  private static EncryptingS3Client client(ObjectFormat format) {
    return EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.aesKeyring())
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes-1", Map.of()))
        .writeFormat(format).partSize(PART).multipartThreshold(PART).build();
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @CsvSource({"ENVELOPE_FRAMED, 1000", "ENVELOPE_FRAMED, 11534336", "S3EC_V3, 1000", "S3EC_V3, 11534336"})
  void putIfAbsentRefusesAnExistingObjectAndIfMatchNeedsTheCurrentETag(ObjectFormat format, int size)
      throws IOException {
    EncryptingS3Client client = client(format);
    String key = "cond-" + format + "-" + size;
    byte[] first = S3TestParts.random(size, 1);
    byte[] second = S3TestParts.random(size, 2);
    PutObjectRequest put = PutObjectRequest.builder().bucket(bucket).key(key).ifNoneMatch("*").build();
    String eTag = client.upload(put, new ByteArrayInputStream(first), size).eTag();

    S3Exception exists = assertThrows(S3Exception.class,
        () -> client.upload(put, new ByteArrayInputStream(second), size));
    assertEquals(412, exists.statusCode());
    S3Exception stale = assertThrows(S3Exception.class, () -> client.upload(put.toBuilder().ifNoneMatch(null)
        .ifMatch("\"0123456789abcdef0123456789abcdef\"").build(), new ByteArrayInputStream(second), size));
    assertEquals(412, stale.statusCode());
    assertArrayEquals(first, client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());

    client.upload(put.toBuilder().ifNoneMatch(null).ifMatch(eTag).build(), new ByteArrayInputStream(second), size);
    assertArrayEquals(second, client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    if (format == ObjectFormat.ENVELOPE_FRAMED) {
      assertThrows(S3Exception.class, () -> client.putObject(put, RequestBody.fromBytes(first)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ENVELOPE_FRAMED", "S3EC_V3"})
  void aMultipartPutKeepsTheObjectsHeaders(ObjectFormat format) throws IOException {
    EncryptingS3Client client = client(format);
    String key = "settings-" + format;
    int size = (int) (2 * PART + 3);
    client.upload(PutObjectRequest.builder().bucket(bucket).key(key).cacheControl("max-age=60")
        .contentDisposition("attachment; filename=\"r.pdf\"").contentLanguage("de").contentType("application/pdf")
        .build(), new ByteArrayInputStream(S3TestParts.random(size, 3)), size);
    HeadObjectResponse head = plain.headObject(b -> b.bucket(bucket).key(key));
    assertEquals("max-age=60", head.cacheControl());
    assertEquals("attachment; filename=\"r.pdf\"", head.contentDisposition());
    assertEquals("de", head.contentLanguage());
    assertEquals("application/pdf", head.contentType());
  }
}
