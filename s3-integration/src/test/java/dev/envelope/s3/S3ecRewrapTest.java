package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.encryption.s3.S3EncryptionClient;
import software.amazon.encryption.s3.internal.InstructionFileConfig;

/**
 * An S3 Encryption Client object's data key re-wrapped in place ({@link ObjectRekeyer.Builder#newS3ecKeyring}):
 * objects the real S3 Encryption Client 4.0.1 wrote (V3, key in the metadata and in an instruction file) are read by
 * it with the new KMS key alone after the old one is disabled; a V2 object is authenticated whole first; an
 * instruction file whose key was swapped (CVE-2025-14763) is refused, not re-wrapped.
 */
class S3ecRewrapTest {
  private static S3Client plain;
  private static KmsClient kms;
  private static String bucket;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    kms = S3TestParts.kms();
    bucket = S3TestParts.newBucket(plain, "s3ec-rewrap");
  }

  private static String newKey(String description) {
    return kms.createKey(b -> b.description(description)).keyMetadata().arn();
  }

  private static S3EncryptionClient theirs(String keyArn, boolean instructionFile) {
    return S3EncryptionClient.builderV4().endpointOverride(S3TestParts.s3Endpoint()).forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .instructionFileConfig(InstructionFileConfig.builder().instructionFileClient(S3TestParts.s3())
            .enableInstructionFilePutObject(instructionFile).build())
        .keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder().kmsClient(kms).wrappingKeyId(keyArn)
            .build()).build();
  }

  private static ObjectRekeyer rekeyer(String oldArn, String newArn, InMemoryAuditSink audit) {
    EncryptingS3Client old = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, oldArn)).keyring(S3TestParts.aesKeyring()).auditSink(audit)
        .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    return ObjectRekeyer.builder().client(old).newWrappingKeys(S3TestParts.aesKeyring())
        .newS3ecKeyring(KmsS3ecKeyring.create(kms, newArn)).build();
  }

  @Test
  void theS3EncryptionClientReadsItsObjectsWithTheNewKeyAloneAfterARewrap() throws IOException {
    String oldArn = newKey("s3ec old");
    String newArn = newKey("s3ec new");
    byte[] data = S3TestParts.random(100_000, 1);
    theirs(oldArn, false).putObject(b -> b.bucket(bucket).key("v3/meta"), RequestBody.fromBytes(data));
    theirs(oldArn, true).putObject(b -> b.bucket(bucket).key("v3/\u00fcber instr"), RequestBody.fromBytes(data));
    byte[] bodyBefore = plain.getObjectAsBytes(b -> b.bucket(bucket).key("v3/\u00fcber instr")).asByteArray();

    InMemoryAuditSink audit = new InMemoryAuditSink();
    ObjectRekeyer rekeyer = rekeyer(oldArn, newArn, audit);
    RekeyResult meta = rekeyer.rekey(bucket, "v3/meta");
    RekeyResult instr = rekeyer.rekey(bucket, "v3/\u00fcber instr");
    assertEquals(RekeyResult.Outcome.REKEYED, meta.outcome());
    assertTrue(meta.reason().contains("metadata"), meta.reason());
    assertTrue(instr.reason().contains("instruction file"), instr.reason());
    assertEquals(0, instr.bytesCopiedInS3(), "the object itself is not touched");
    assertArrayEquals(bodyBefore, plain.getObjectAsBytes(b -> b.bucket(bucket).key("v3/\u00fcber instr"))
        .asByteArray());
    assertEquals(2, audit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.REWRAP
        && e.wrappingKeyIds().equals(List.of(oldArn, newArn))).count(), audit.events().toString());

    kms.disableKey(b -> b.keyId(oldArn));
    S3EncryptionClient reader = theirs(newArn, false);
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key("v3/meta")).asByteArray());
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key("v3/\u00fcber instr"))
        .asByteArray());
  }

  @Test
  void aV2ObjectIsAuthenticatedWholeBeforeItsKeyIsRewrapped() throws IOException {
    String oldArn = newKey("v2 old");
    String newArn = newKey("v2 new");
    byte[] data = S3TestParts.random(50_000, 2);
    EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).s3ecKeyring(KmsS3ecKeyring.create(kms, oldArn))
        .keyring(S3TestParts.aesKeyring()).writeFormat(ObjectFormat.S3EC_V2)
        .s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build().putObject(b -> b.bucket(bucket).key("v2/meta"), RequestBody.fromBytes(data));
    RekeyResult result = rekeyer(oldArn, newArn, new InMemoryAuditSink()).rekey(bucket, "v2/meta");
    assertEquals(data.length, result.bytesDownloaded(), "the whole object was read to authenticate the key");
    EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, newArn)).keyring(S3TestParts.aesKeyring())
        .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    kms.disableKey(b -> b.keyId(oldArn));
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key("v2/meta")).asByteArray());
  }

  @Test
  void v2AndPlaintextObjectsMigrateToV3WhichTheS3EncryptionClientReads() throws IOException {
    String oldArn = newKey("to v3 old");
    String newArn = newKey("to v3 new");
    byte[] data = S3TestParts.random(40_000, 3);
    EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).s3ecKeyring(KmsS3ecKeyring.create(kms, oldArn))
        .keyring(S3TestParts.aesKeyring()).writeFormat(ObjectFormat.S3EC_V2)
        .metadataLocation(MetadataLocation.INSTRUCTION_FILE)
        .s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build().putObject(b -> b.bucket(bucket).key("to-v3/v2"), RequestBody.fromBytes(data));
    plain.putObject(b -> b.bucket(bucket).key("to-v3/plain"), RequestBody.fromBytes(data));
    EncryptingS3Client old = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, oldArn)).keyring(S3TestParts.aesKeyring()).enableLegacyModes(true)
        .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    ObjectRekeyer migrator = ObjectRekeyer.builder().client(old).newWrappingKeys(S3TestParts.aesKeyring())
        .newS3ecKeyring(KmsS3ecKeyring.create(kms, newArn)).migrateS3ec(true).migratePlaintext(true)
        .migrateTo(ObjectFormat.S3EC_V3).rekeyFramed(false).build();
    for (String key : List.of("to-v3/v2", "to-v3/plain")) {
      RekeyResult result = migrator.rekey(bucket, key);
      assertEquals(RekeyResult.Outcome.MIGRATED, result.outcome(), key);
      assertTrue(result.reason().endsWith("to S3EC_V3"), result.reason());
      assertEquals(ObjectFormat.S3EC_V3, ObjectHeaderInfo.read(plain, bucket, key).format().orElseThrow(), key);
    }
    assertTrue(plain.listObjectsV2(b -> b.bucket(bucket).prefix("to-v3/v2.instruction")).contents().isEmpty(),
        "the V2 object's instruction file went with its format");
    kms.disableKey(b -> b.keyId(oldArn));
    S3EncryptionClient reader = theirs(newArn, false);
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key("to-v3/v2")).asByteArray());
    assertArrayEquals(data, reader.getObjectAsBytes(b -> b.bucket(bucket).key("to-v3/plain")).asByteArray());
    assertThrows(IllegalArgumentException.class, () -> ObjectRekeyer.builder().client(old)
        .newWrappingKeys(S3TestParts.aesKeyring()).migrateTo(ObjectFormat.S3EC_V3).build());
  }

  @Test
  void aSwappedKeyInAnInstructionFileIsRefusedNotRewrapped() throws IOException {
    String oldArn = newKey("swap old");
    theirs(oldArn, true).putObject(b -> b.bucket(bucket).key("victim"), RequestBody.fromString("victim"));
    theirs(oldArn, true).putObject(b -> b.bucket(bucket).key("attacker"), RequestBody.fromString("attacker"));
    // Whoever can write instruction files puts the attacker object's data key beside the victim object.
    byte[] swapped = plain.getObjectAsBytes(b -> b.bucket(bucket).key("attacker.instruction")).asByteArray();
    plain.putObject(b -> b.bucket(bucket).key("victim.instruction"), RequestBody.fromBytes(swapped));
    String before = new String(swapped, StandardCharsets.UTF_8);
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> rekeyer(oldArn, newKey("swap new"), new InMemoryAuditSink()).rekey(bucket, "victim"));
    assertTrue(e.getMessage().contains("key commitment"), e.getMessage());
    assertEquals(before, plain.getObjectAsBytes(b -> b.bucket(bucket).key("victim.instruction")).asUtf8String(),
        "left as it was");
  }

  @Test
  void withoutANewS3ecKeyringS3ecObjectsAreSkippedAndV1IsRefused() throws Exception {
    String oldArn = newKey("skip");
    theirs(oldArn, false).putObject(b -> b.bucket(bucket).key("skip"), RequestBody.fromString("x"));
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(S3TestParts.aesKeyring()).build();
    RekeyResult skipped = ObjectRekeyer.builder().client(client).newWrappingKeys(S3TestParts.aesKeyring()).build()
        .rekey(bucket, "skip");
    assertEquals(RekeyResult.Outcome.SKIPPED, skipped.outcome());
    assertTrue(skipped.reason().contains("newS3ecKeyring"), skipped.reason());
    LegacyCbcObject v1Object = LegacyCbcObject.of("legacy".getBytes(StandardCharsets.UTF_8), 7);
    plain.putObject(b -> b.bucket(bucket).key("v1").metadata(v1Object.metadata()),
        RequestBody.fromBytes(v1Object.body()));
    PolicyViolationException v1 = assertThrows(PolicyViolationException.class,
        () -> rekeyer(oldArn, newKey("v1 new"), new InMemoryAuditSink()).rekey(bucket, "v1"));
    assertTrue(v1.getMessage().contains("V1"), v1.getMessage());
  }
}
