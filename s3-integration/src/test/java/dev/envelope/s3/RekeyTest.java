package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.MessageInfo;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.MultiKeyring;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * {@link ObjectRekeyer}: after a re-key every object decrypts with the new KMS key alone (the old one disabled), a
 * header re-key leaves the body bytes as they were, an object overwritten during its re-key keeps the overwrite,
 * and a second run does nothing.
 */
class RekeyTest {
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static KmsClient kms;
  private static String bucket;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    kms = S3TestParts.kms();
    bucket = S3TestParts.newBucket(plain, "rekey");
  }

  private static String newKey(String description) {
    return kms.createKey(b -> b.description(description)).keyMetadata().arn();
  }

  private static EncryptingS3Client client(String keyArn, S3Client s3, InMemoryAuditSink audit) {
    return EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(kms, keyArn))
        .partSize(PART).multipartThreshold(PART).auditSink(audit).build();
  }

  private static ObjectRekeyer rekeyer(EncryptingS3Client client, String newArn, RekeyMethod method,
      String onlyFrom) {
    return ObjectRekeyer.builder().client(client).newWrappingKeys(KmsKeyring.create(kms, newArn)).method(method)
        .onlyFrom(Set.of(onlyFrom)).copyPartSize(PART).build();
  }

  private static byte[] stored(String key) {
    return plain.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  private static int headerLength(byte[] object) throws IOException {
    return MessageInfo.read(new ByteArrayInputStream(object)).headerLength();
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @CsvSource({"HEADER, 0", "HEADER, 1000", "HEADER, 5242880", "HEADER, 17000000", "REENCRYPT, 1000",
      "REENCRYPT, 12000000"})
  void everyObjectDecryptsWithTheNewKeyAloneAndKeepsItsSettings(RekeyMethod method, int size) throws IOException {
    String oldArn = newKey("old " + method + size);
    String newArn = newKey("new " + method + size);
    InMemoryAuditSink audit = new InMemoryAuditSink();
    EncryptingS3Client old = client(oldArn, S3TestParts.s3(), audit);
    String key = "orders/\u00fcber " + method + "-" + size;
    byte[] data = S3TestParts.random(size, size);
    old.upload(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/pdf")
        .cacheControl("max-age=60").metadata(Map.of("owner", "team-a")).build(), new ByteArrayInputStream(data), size);
    byte[] before = stored(key);

    RekeyResult result = rekeyer(old, newArn, method, oldArn).rekey(bucket, key);
    assertEquals(RekeyResult.Outcome.REKEYED, result.outcome());
    assertEquals(List.of(oldArn), result.previousKeyIds());
    assertEquals(List.of(newArn), result.newKeyIds());

    kms.disableKey(b -> b.keyId(oldArn));
    EncryptingS3Client reader = client(newArn, S3TestParts.s3(), new InMemoryAuditSink());
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    assertThrows(NoKeyringCouldDecryptException.class,
        () -> client(oldArn, S3TestParts.s3(), new InMemoryAuditSink()).getObjectAsBytes(b -> b.bucket(bucket)
            .key(key)));
    byte[] after = stored(key);
    assertEquals(List.of(newArn), MessageInfo.read(new ByteArrayInputStream(after)).wrappingKeyIds());
    if (method == RekeyMethod.HEADER) {
      assertArrayEquals(Arrays.copyOfRange(before, headerLength(before), before.length),
          Arrays.copyOfRange(after, headerLength(after), after.length), "body bytes unchanged");
      assertEquals(Math.max(0, before.length - PART), result.bytesCopiedInS3());
      assertTrue(result.bytesDownloaded() <= PART, "downloaded " + result.bytesDownloaded());
      assertEquals(1, audit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.REWRAP).count());
    } else {
      assertNotEquals(MessageInfo.read(new ByteArrayInputStream(before)).toString(), "",
          "a new message: new message id");
      assertFalse(Arrays.equals(Arrays.copyOfRange(before, headerLength(before), before.length),
          Arrays.copyOfRange(after, headerLength(after), after.length)));
    }
    HeadObjectResponse head = plain.headObject(b -> b.bucket(bucket).key(key));
    assertEquals("application/pdf", head.contentType());
    assertEquals("max-age=60", head.cacheControl());
    assertEquals("team-a", head.metadata().get("owner"));
    RekeyResult again = rekeyer(reader, newArn, method, oldArn).rekey(bucket, key);
    assertEquals(RekeyResult.Outcome.SKIPPED, again.outcome(), "a second run does nothing");
    assertEquals(head.eTag(), plain.headObject(b -> b.bucket(bucket).key(key)).eTag());
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @CsvSource({"HEADER, 1000", "HEADER, 12000000", "REENCRYPT, 1000", "REENCRYPT, 12000000"})
  void anObjectOverwrittenDuringItsRekeyKeepsTheOverwrite(RekeyMethod method, int size) throws IOException {
    String oldArn = newKey("old race");
    String key = "race-" + method + size;
    byte[] overwrite = "written by someone else meanwhile".getBytes();
    S3Client racing = new DelegatingS3Client(S3TestParts.s3()) {
      private boolean raced;

      private synchronized void race() {
        if (!raced) {
          raced = true;
          plain.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(overwrite));
        }
      }

      @Override
      public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        race();
        return super.putObject(request, body);
      }

      @Override
      public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
        race();
        return super.createMultipartUpload(request);
      }
    };
    EncryptingS3Client old = client(oldArn, S3TestParts.s3(), new InMemoryAuditSink());
    old.upload(PutObjectRequest.builder().bucket(bucket).key(key).build(),
        new ByteArrayInputStream(S3TestParts.random(size, 5)), size);
    EncryptingS3Client viaRacing = client(oldArn, racing, new InMemoryAuditSink());
    ObjectChangedException e = assertThrows(ObjectChangedException.class,
        () -> rekeyer(viaRacing, newKey("new race"), method, oldArn).rekey(bucket, key));
    assertTrue(e.getMessage().contains("s3://" + bucket + "/" + key) && e.getMessage().contains("run the re-key"),
        e.getMessage());
    assertArrayEquals(overwrite, stored(key));
    assertTrue(plain.listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty(), "no upload left behind");
  }

  @Test
  void aShorterHeaderTakesMoreBodyIntoTheFirstPartWhichStaysAtLeastFiveMebibytes() throws IOException {
    String oldArn = newKey("two keys");
    String newArn = newKey("one key");
    EncryptingS3Client two = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(MultiKeyring.create(KmsKeyring.create(kms, oldArn), List.of(S3TestParts.aesKeyring())))
        .partSize(PART).multipartThreshold(PART).build();
    int size = 12_000_000;
    byte[] data = S3TestParts.random(size, 77);
    two.upload(PutObjectRequest.builder().bucket(bucket).key("shrinks").build(), new ByteArrayInputStream(data),
        size);
    byte[] before = stored("shrinks");
    RekeyResult result = rekeyer(two, newArn, RekeyMethod.HEADER, oldArn).rekey(bucket, "shrinks");
    byte[] after = stored("shrinks");
    assertTrue(headerLength(after) < headerLength(before), "one data key instead of two");
    assertTrue(result.bytesUploaded() >= PART, "first part " + result.bytesUploaded());
    assertEquals(before.length, result.bytesDownloaded() + result.bytesCopiedInS3());
    assertArrayEquals(Arrays.copyOfRange(before, headerLength(before), before.length),
        Arrays.copyOfRange(after, headerLength(after), after.length));
    assertArrayEquals(data, client(newArn, S3TestParts.s3(), new InMemoryAuditSink())
        .getObjectAsBytes(b -> b.bucket(bucket).key("shrinks")).asByteArray());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"S3EC_V3, OBJECT_METADATA", "S3EC_V2, INSTRUCTION_FILE", "S3EC_V3, INSTRUCTION_FILE"})
  void s3ecObjectsMigrateToTheFramedFormatUnderTheNewKey(ObjectFormat format, MetadataLocation location)
      throws IOException {
    String s3ecArn = newKey("s3ec " + format);
    String newArn = newKey("framed target");
    String key = "legacy/" + format + "-" + location + "/\u00fcber.json";
    byte[] data = S3TestParts.random(70_000, 9);
    EncryptingS3Client s3ec = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, s3ecArn)).writeFormat(format).metadataLocation(location)
        .s3ecCommitmentPolicy(format == ObjectFormat.S3EC_V2 ? CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
            : CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).build();
    s3ec.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromBytes(data));
    boolean legacy = format == ObjectFormat.S3EC_V2 && location == MetadataLocation.INSTRUCTION_FILE;
    if (legacy) {
      PolicyViolationException refused = assertThrows(PolicyViolationException.class, () -> ObjectRekeyer.builder()
          .client(s3ec).newWrappingKeys(KmsKeyring.create(kms, newArn)).migrateS3ec(true).build().rekey(bucket, key));
      assertTrue(refused.getMessage().contains("CVE-2025-14763"), refused.getMessage());
    }
    RekeyResult result = ObjectRekeyer.builder().client(s3ec.toBuilder().enableLegacyModes(legacy).build())
        .newWrappingKeys(KmsKeyring.create(kms, newArn)).migrateS3ec(true).build().rekey(bucket, key);
    assertEquals(RekeyResult.Outcome.MIGRATED, result.outcome());
    assertEquals("from " + format + " to ENVELOPE_FRAMED", result.reason());
    assertEquals(List.of(newArn), result.newKeyIds());
    assertArrayEquals(data, client(newArn, S3TestParts.s3(), new InMemoryAuditSink())
        .getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    assertEquals("application/json", plain.headObject(b -> b.bucket(bucket).key(key)).contentType());
    assertEquals(List.of(), plain.listObjectsV2(b -> b.bucket(bucket).prefix(key + ".instruction")).contents(),
        "the instruction file is gone with the format");
  }

  @Test
  void plaintextObjectsAreEncryptedInPlaceOnlyWhenAsked() throws IOException {
    plain.putObject(b -> b.bucket(bucket).key("clear.csv").contentType("text/csv"), RequestBody.fromString("a,b"));
    String newArn = newKey("encrypt plaintext");
    ObjectRekeyer.Builder builder = ObjectRekeyer.builder()
        .client(client(newArn, S3TestParts.s3(), new InMemoryAuditSink())).newWrappingKeys(KmsKeyring.create(kms,
            newArn));
    assertEquals(RekeyResult.Outcome.SKIPPED, builder.build().rekey(bucket, "clear.csv").outcome());
    RekeyResult result = builder.migratePlaintext(true).build().rekey(bucket, "clear.csv");
    assertEquals(RekeyResult.Outcome.MIGRATED, result.outcome());
    assertEquals("from unencrypted to ENVELOPE_FRAMED", result.reason());
    assertEquals("a,b", client(newArn, S3TestParts.s3(), new InMemoryAuditSink())
        .getObjectAsBytes(b -> b.bucket(bucket).key("clear.csv")).asUtf8String());
    assertEquals("text/csv", plain.headObject(b -> b.bucket(bucket).key("clear.csv")).contentType());
  }

  @Test
  void objectsItCannotRekeySayWhy() throws IOException {
    plain.putObject(b -> b.bucket(bucket).key("plain.txt"), RequestBody.fromString("hello"));
    String arn = newKey("skips");
    EncryptingS3Client s3ec = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, arn)).writeFormat(ObjectFormat.S3EC_V3).build();
    s3ec.putObject(b -> b.bucket(bucket).key("s3ec"), RequestBody.fromString("s3ec"));
    ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(client(arn, S3TestParts.s3(), new InMemoryAuditSink()))
        .newWrappingKeys(KmsKeyring.create(kms, newKey("target"))).build();
    RekeyResult plainResult = rekeyer.rekey(bucket, "plain.txt");
    assertEquals(RekeyResult.Outcome.SKIPPED, plainResult.outcome());
    assertTrue(plainResult.reason().contains("not encrypted"), plainResult.reason());
    RekeyResult s3ecResult = rekeyer.rekey(bucket, "s3ec");
    assertTrue(s3ecResult.reason().contains("S3 Encryption Client") && s3ecResult.reason().contains("migrateS3ec"),
        s3ecResult.reason());
  }

  @Test
  void anObjectWrittenUnderAnotherKeyFailsNamingTheKey() throws IOException {
    String arn = newKey("writer");
    EncryptingS3Client writer = client(arn, S3TestParts.s3(), new InMemoryAuditSink());
    writer.putObject(b -> b.bucket(bucket).key("other-key"), RequestBody.fromString("x"));
    ObjectRekeyer withoutAccess = ObjectRekeyer.builder()
        .client(client(newKey("unrelated"), S3TestParts.s3(), new InMemoryAuditSink()))
        .newWrappingKeys(KmsKeyring.create(kms, newKey("target"))).method(RekeyMethod.HEADER).build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> withoutAccess.rekey(bucket, "other-key"));
    assertTrue(e.getMessage().contains(arn), e.getMessage());
  }
}
