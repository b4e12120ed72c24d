package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Ranged gets: only the frames needed are fetched, every returned byte is authenticated. */
class RangedReadTest {
  private static final int FRAME = 4096;
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static String bucket;
  private static byte[] plaintext;
  private static InMemoryAuditSink audit = new InMemoryAuditSink();
  private static EncryptingS3Client client;

  @BeforeAll
  static void upload() throws Exception {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "ranges");
    client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.kmsKeyring())
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .frameLength(FRAME).partSize(PART).multipartThreshold(PART).auditSink(audit).build();
    plaintext = S3TestParts.random((int) (2 * PART + 12_345), 11); // three parts, the last one short
    client.upload(PutObjectRequest.builder().bucket(bucket).key("multipart").build(),
        new ByteArrayInputStream(plaintext), plaintext.length);
  }

  private static byte[] range(S3Client c, String key, long first, long last) {
    ResponseBytes<GetObjectResponse> r = c.getObjectAsBytes(b -> b.bucket(bucket).key(key)
        .range("bytes=" + first + "-" + last));
    return r.asByteArray();
  }

  @Test
  void randomRangesAcrossFramesAndPartsMatchThePlaintext() {
    List<long[]> ranges = new ArrayList<>(List.of(
        new long[] {0, 0}, new long[] {plaintext.length - 1, plaintext.length - 1}, new long[] {0, 99},
        new long[] {FRAME - 1, FRAME}, new long[] {PART - 10, PART + 10}, new long[] {2 * PART - 1, 2 * PART},
        new long[] {PART - FRAME, 2 * PART + FRAME}, new long[] {plaintext.length - 5000, plaintext.length - 1}));
    Random random = new Random(5);
    for (int i = 0; i < 60; i++) {
      long a = random.nextInt(plaintext.length);
      ranges.add(new long[] {a, Math.min(plaintext.length - 1, a + random.nextInt(3 * FRAME))});
    }
    for (long[] r : ranges) {
      assertArrayEquals(Arrays.copyOfRange(plaintext, (int) r[0], (int) r[1] + 1), range(client, "multipart", r[0],
          r[1]), r[0] + "-" + r[1]);
    }
    ResponseBytes<GetObjectResponse> open = client.getObjectAsBytes(b -> b.bucket(bucket).key("multipart")
        .range("bytes=" + (plaintext.length - 10) + "-"));
    assertArrayEquals(Arrays.copyOfRange(plaintext, plaintext.length - 10, plaintext.length), open.asByteArray());
    assertEquals("bytes " + (plaintext.length - 10) + "-" + (plaintext.length - 1) + "/" + plaintext.length,
        open.response().contentRange());
    ResponseBytes<GetObjectResponse> suffix = client.getObjectAsBytes(b -> b.bucket(bucket).key("multipart")
        .range("bytes=-7"));
    assertArrayEquals(Arrays.copyOfRange(plaintext, plaintext.length - 7, plaintext.length), suffix.asByteArray());
  }

  @Test
  void rangePastTheEndIsS3sError() {
    S3Exception e = assertThrows(S3Exception.class, () -> range(client, "multipart", plaintext.length,
        plaintext.length + 10));
    assertEquals(416, e.statusCode());
    assertEquals("InvalidRange", e.awsErrorDetails().errorCode());
  }

  @Test
  void tamperedFrameInsideTheRangeIsDetectedAndOneOutsideIsNot() {
    byte[] small = S3TestParts.random(10 * FRAME, 12);
    client.putObject(b -> b.bucket(bucket).key("tampered"), RequestBody.fromBytes(small));
    ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key("tampered"));
    byte[] bytes = stored.asByteArray();
    int headerLength = bytes.length - 9 * (FRAME + 32) - (40 + FRAME);
    bytes[headerLength + 5 * (FRAME + 32) + 100] ^= 1; // inside frame 6 (plaintext 5*FRAME..6*FRAME-1)
    plain.putObject(b -> b.bucket(bucket).key("tampered").metadata(stored.response().metadata()),
        RequestBody.fromBytes(bytes));
    audit.clear();
    assertThrows(AuthenticationFailedException.class, () -> range(client, "tampered", 5 * FRAME + 10,
        5 * FRAME + 20));
    assertEquals(AuditEvent.Outcome.FAILURE, audit.events().get(audit.events().size() - 1).outcome());
    // Ranges that do not touch frame 6 are authentic and still read.
    assertArrayEquals(Arrays.copyOfRange(small, 0, 100), range(client, "tampered", 0, 99));
    assertThrows(AuthenticationFailedException.class, () -> client.getObjectAsBytes(b -> b.bucket(bucket)
        .key("tampered")));
  }

  @Test
  void s3ecRangesNeedTheUnauthenticatedOptIn() {
    EncryptingS3Client v3 = client.toBuilder().writeFormat(ObjectFormat.S3EC_V3).build();
    byte[] data = S3TestParts.random(50_000, 13);
    v3.putObject(b -> b.bucket(bucket).key("v3"), RequestBody.fromBytes(data));
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> range(v3, "v3", 10, 20));
    assertTrue(e.getMessage().contains("unauthenticated"), e.getMessage());
    EncryptingS3Client optedIn = v3.toBuilder().enableUnauthenticatedRangedReads(true).build();
    for (long[] r : new long[][] {{0, 0}, {15, 17}, {16, 16}, {49_990, 49_999}, {12_345, 23_456}}) {
      assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) r[1] + 1), range(optedIn, "v3", r[0], r[1]));
    }
  }

  @Test
  void rangedReadEmitsOneAuditEventWithTheObject() {
    audit.clear();
    range(client, "multipart", 10, 20);
    assertEquals(1, audit.events().size(), audit.events().toString());
    AuditEvent e = audit.events().get(0);
    assertEquals(AuditEvent.Operation.DECRYPT, e.operation());
    assertEquals("s3://" + bucket + "/multipart", e.resource().orElseThrow());
    assertEquals(11, e.byteCount());
  }
}
