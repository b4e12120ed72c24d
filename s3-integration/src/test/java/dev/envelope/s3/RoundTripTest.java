package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Every write format with KMS and raw keys: sizes 0 to 5 MiB + 1 in one PUT, and 64 MiB in a multipart upload. */
class RoundTripTest {
  private static final int FRAME = 64 * 1024;
  private static S3Client s3;
  private static String bucket;
  private static KeyPair rsa;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3TestParts.s3();
    bucket = S3TestParts.newBucket(s3, "roundtrip");
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa = g.generateKeyPair();
  }

  static Stream<Arguments> configurations() {
    List<Arguments> out = new ArrayList<>();
    for (String keys : List.of("kms", "aes")) {
      out.add(Arguments.of(ObjectFormat.ENVELOPE_FRAMED, keys));
      out.add(Arguments.of(ObjectFormat.S3EC_V3, keys));
      out.add(Arguments.of(ObjectFormat.S3EC_V2, keys));
    }
    out.add(Arguments.of(ObjectFormat.S3EC_V3, "rsa"));
    out.add(Arguments.of(ObjectFormat.S3EC_V2, "rsa"));
    return out.stream();
  }

  static EncryptingS3Client client(ObjectFormat format, String keys, InMemoryAuditSink audit) {
    EncryptingS3ClientBuilder b = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .writeFormat(format).auditSink(audit).frameLength(FRAME);
    if (format == ObjectFormat.S3EC_V2) {
      b.s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT); // V2 has no key commitment
    }
    switch (keys) {
      case "kms" -> b.keyring(S3TestParts.kmsKeyring())
          .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()));
      case "aes" -> b.keyring(S3TestParts.aesKeyring())
          .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes-1", Map.of()));
      case "rsa" -> b.keyring(S3TestParts.aesKeyring())
          .s3ecKeyring(RsaS3ecKeyring.create(rsa.getPublic(), rsa.getPrivate(), "rsa-1", Map.of()));
      default -> throw new IllegalArgumentException(keys);
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("configurations")
  void smallAndMediumObjectsRoundTrip(ObjectFormat format, String keys) {
    InMemoryAuditSink audit = new InMemoryAuditSink();
    S3Client client = client(format, keys, audit);
    for (int size : new int[] {0, 1, FRAME - 1, FRAME, FRAME + 1, 5 * 1024 * 1024 + 1}) {
      String key = format + "/" + keys + "/" + size;
      byte[] plaintext = S3TestParts.random(size, size);
      client.putObject(b -> b.bucket(bucket).key(key).metadata(Map.of("owner", "tests")),
          RequestBody.fromBytes(plaintext));
      ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      assertArrayEquals(plaintext, got.asByteArray(), key);
      assertEquals(size, got.response().contentLength(), key);
      assertEquals("tests", got.response().metadata().get("owner"));
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      assertTrue(head.contentLength() > size, "stored ciphertext is longer than the plaintext: " + key);
      client.deleteObject(b -> b.bucket(bucket).key(key));
    }
    List<AuditEvent> events = audit.events();
    assertEquals(18, events.size(), "one event per put, get and delete: " + events);
    assertTrue(events.stream().allMatch(e -> e.outcome() == AuditEvent.Outcome.SUCCESS), events.toString());
    assertTrue(events.stream().allMatch(e -> e.resource().orElse("").startsWith("s3://" + bucket + "/")));
  }

  /** RSA is left out of the large case: its content path is the AES one; it differs only in key wrapping. */
  static Stream<Arguments> largeConfigurations() {
    return configurations().filter(a -> !"rsa".equals(a.get()[1]));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("largeConfigurations")
  void sixtyFourMebibytesGoUpInPartsAndComeBackWhole(ObjectFormat format, String keys) throws Exception {
    InMemoryAuditSink audit = new InMemoryAuditSink();
    EncryptingS3Client client = client(format, keys, audit);
    long size = 64L << 20;
    String key = format + "/" + keys + "/64MiB";
    client.upload(PutObjectRequest.builder().bucket(bucket).key(key).build(), TestData.stream(size, 7), size);
    try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key))) {
      assertEquals(size, in.response().contentLength());
      assertEquals(TestData.sha256(size, 7), TestData.sha256(in));
    }
    assertTrue(s3.headObject(b -> b.bucket(bucket).key(key)).eTag().contains("-"), "stored by multipart upload");
    client.deleteObject(b -> b.bucket(bucket).key(key));
    assertEquals(3, audit.events().size(), audit.events().toString());
  }
}
