package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.s3.emulator.AccessPoint;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.encryption.s3.S3EncryptionClient;
import software.amazon.encryption.s3.internal.InstructionFileConfig;

/**
 * Access points as buckets: every format round-trips through an access point's alias and ARN, on an S3 bucket and
 * on an FSx for ONTAP volume (the emulator's access point wrapper), and what a volume cannot keep is handled as
 * {@link BucketNames} says: the framed format needs no metadata, S3EC V2 goes whole into an instruction file (read
 * back by us and by the S3 Encryption Client), S3EC V3 and caller metadata are refused before any key is made.
 */
class AccessPointTest {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme");
  @TempDir
  static Path dir;
  private static S3Emulator emulator;
  private static S3Client s3;
  private static AccessPoint bucketPoint;
  private static AccessPoint volume;

  @BeforeAll
  static void start() {
    emulator = S3Emulator.builder().directory(dir).build();
    bucketPoint = emulator.createAccessPoint(AccessPoint.onBucket("shared", "shared-bucket"));
    volume = emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("orders", "vol-orders"));
    s3 = emulator.client();
  }

  @AfterAll
  static void stop() {
    s3.close();
    emulator.close();
  }

  private static EncryptingS3ClientBuilder client() {
    return EncryptingS3Client.builder().wrappedClient(s3).keyring(S3TestParts.kmsKeyring())
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .accessPoint(bucketPoint.arn(), bucketPoint.alias()).accessPoint(volume.arn(), volume.alias())
        .auditSink(new InMemoryAuditSink());
  }

  private static EncryptingS3Client client(ObjectFormat format) {
    EncryptingS3ClientBuilder b = client().writeFormat(format);
    if (format == ObjectFormat.S3EC_V2) {
      // V2 has no key commitment; its instruction file can be swapped unnoticed (CVE-2025-14763), so reading it
      // from an instruction file is a legacy mode.
      b.s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).enableLegacyModes(true);
    }
    return b.build();
  }

  private static void put(S3Client c, String bucket, String key, byte[] data) {
    c.putObject(b -> b.bucket(bucket).key(key).overrideConfiguration(EncryptingS3Client.withEncryptionContext(
        CONTEXT)), RequestBody.fromBytes(data));
  }

  private static byte[] get(S3Client c, String bucket, String key) {
    return c.getObjectAsBytes(b -> b.bucket(bucket).key(key).overrideConfiguration(
        EncryptingS3Client.withEncryptionContext(CONTEXT))).asByteArray();
  }

  @Test
  void everyFormatRoundTripsThroughAliasAndArnOnABucketAccessPoint() {
    for (ObjectFormat format : List.of(ObjectFormat.ENVELOPE_FRAMED, ObjectFormat.S3EC_V3, ObjectFormat.S3EC_V2)) {
      EncryptingS3Client c = client(format);
      byte[] data = S3TestParts.random(70_000, format.ordinal());
      put(c, bucketPoint.arn(), "by-arn/" + format, data);
      put(c, bucketPoint.alias(), "by-alias/" + format, data);
      assertArrayEquals(data, get(c, bucketPoint.alias(), "by-arn/" + format), format + " written by ARN");
      assertArrayEquals(data, get(c, bucketPoint.arn(), "by-alias/" + format), format + " written by alias");
    }
  }

  @Test
  void framedObjectsRoundTripOnTheVolumeWithoutMetadataWholeAndRanged() {
    EncryptingS3Client c = client(ObjectFormat.ENVELOPE_FRAMED);
    byte[] data = S3TestParts.random(200_000, 11);
    put(c, volume.alias(), "framed/a.bin", data);
    HeadObjectResponse head = s3.headObject(b -> b.bucket(volume.arn()).key("framed/a.bin"));
    assertEquals(Map.of(), head.metadata(), "nothing of ours relies on metadata on a volume");
    assertEquals(StorageClass.FSX_ONTAP, head.storageClass());
    assertArrayEquals(data, get(c, volume.arn(), "framed/a.bin"));
    byte[] range = c.getObjectAsBytes(b -> b.bucket(volume.alias()).key("framed/a.bin").range("bytes=70000-70099")
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(CONTEXT))).asByteArray();
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 70_000, 70_100), range);
    assertTrue(c.getObjectAsBytes(b -> b.bucket(volume.alias()).key("framed/a.bin").range("bytes=-10")
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(CONTEXT))).asByteArray().length == 10);
  }

  @Test
  void largeFramedUploadsGoInPartsThroughTheVolume() throws IOException {
    EncryptingS3Client c = client().multipartThreshold(5L << 20).partSize(5L << 20).build();
    byte[] data = S3TestParts.random((11 << 20) + 3, 12);
    c.upload(PutObjectRequest.builder().bucket(volume.alias()).key("framed/big.bin")
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(CONTEXT)).build(),
        new ByteArrayInputStream(data), data.length);
    assertArrayEquals(data, get(c, volume.arn(), "framed/big.bin"));
  }

  @Test
  void s3ecV3IsRefusedOnTheVolumeBeforeAnyKeyIsMade() {
    EncryptingS3Client c = client(ObjectFormat.S3EC_V3);
    int before = S3TestParts.emulator().trail().size();
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> put(c, volume.alias(), "v3/a.bin", new byte[10]));
    assertTrue(e.getMessage().contains("keeps x-amz-c, x-amz-d and x-amz-i in object metadata"), e.getMessage());
    assertTrue(e.getMessage().contains("S3EC V2"), e.getMessage());
    assertEquals(before, S3TestParts.emulator().trail().size(), "no KMS call");
    assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class,
        () -> s3.headObject(b -> b.bucket(volume.alias()).key("v3/a.bin")));
  }

  @Test
  void s3ecV2GoesWholeIntoAnInstructionFileReadByUsAndByTheS3EncryptionClient() {
    EncryptingS3Client c = client(ObjectFormat.S3EC_V2);
    byte[] data = S3TestParts.random(50_000, 13);
    put(c, volume.arn(), "v2/a.bin", data);
    assertEquals(Map.of(), s3.headObject(b -> b.bucket(volume.alias()).key("v2/a.bin")).metadata());
    String instruction = s3.getObjectAsBytes(b -> b.bucket(volume.alias()).key("v2/a.bin.instruction"))
        .asUtf8String();
    assertTrue(instruction.contains("x-amz-key-v2") && instruction.contains("x-amz-iv"), instruction);
    assertArrayEquals(data, get(c, volume.alias(), "v2/a.bin"));

    // The S3 Encryption Client reads through its own async client, which the emulator's access point wrapper (a
    // sync S3Client) cannot serve; it reads the same files through the volume's bucket on the same S3Proxy.
    try (S3EncryptionClient theirs = S3EncryptionClient.builderV4().endpointOverride(emulator.endpoint())
        .forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Emulator.ACCESS_KEY,
            S3Emulator.SECRET_KEY)))
        .instructionFileConfig(InstructionFileConfig.builder().instructionFileClient(s3).build())
        .keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder().kmsClient(S3TestParts.kms())
            .wrappingKeyId(S3TestParts.keyArn()).build())
        .commitmentPolicy(software.amazon.encryption.s3.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build()) {
      assertArrayEquals(data, theirs.getObjectAsBytes(b -> b.bucket(volume.dataSourceName()).key("v2/a.bin")
          .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(CONTEXT))).asByteArray());
    }
  }

  @Test
  void callerMetadataTheVolumeWouldDropIsRefused() {
    EncryptingS3Client c = client(ObjectFormat.ENVELOPE_FRAMED);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.putObject(b -> b
        .bucket(volume.alias()).key("meta").metadata(Map.of("customer", "c-1")), RequestBody.fromString("x")));
    assertTrue(e.getMessage().contains("[customer]") && e.getMessage().contains("would be lost"), e.getMessage());
  }

  @Test
  void undeclaredAccessPointArnsBindAsWrittenAndRefuseS3ecFormats() {
    EncryptingS3Client undeclared = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(S3TestParts.kmsKeyring()).build();
    byte[] data = S3TestParts.random(1_000, 14);
    put(undeclared, volume.arn(), "undeclared/a.bin", data);
    assertArrayEquals(data, get(undeclared, volume.arn(), "undeclared/a.bin"));
    assertEquals(volume.arn(), undeclared.boundBucketName(volume.arn()));
    assertEquals(volume.alias(), undeclared.boundBucketName(volume.alias()));
    EnvelopeException mismatch = assertThrows(EncryptionContextMismatchException.class,
        () -> get(undeclared, volume.alias(), "undeclared/a.bin"));
    assertTrue(mismatch.getMessage().contains(EncryptingS3Client.BUCKET_CONTEXT_KEY), mismatch.getMessage());
    assertTrue(mismatch.getMessage().contains("accessPoint(arn, alias)"), mismatch.getMessage());
    // Declared, the same client reads it through the alias: the ARN is the bound name.
    EncryptingS3Client declared = undeclared.toBuilder().accessPoint(volume.arn(), volume.alias()).build();
    assertArrayEquals(data, get(declared, volume.alias(), "undeclared/a.bin"));
    assertEquals(volume.arn(), declared.boundBucketName(volume.alias()));

    EncryptingS3Client v3 = EncryptingS3Client.builder().wrappedClient(s3)
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .writeFormat(ObjectFormat.S3EC_V3).build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> put(v3, bucketPoint.arn(), "undeclared/v3", data));
    assertTrue(e.getMessage().contains("accessPoint(arn, alias)"), e.getMessage());
    put(v3, bucketPoint.alias(), "undeclared/v3", data); // an alias says what it is attached to
    assertArrayEquals(data, get(v3, bucketPoint.alias(), "undeclared/v3"));
  }

  @Test
  void declarationsAreChecked() {
    EncryptingS3ClientBuilder b = EncryptingS3Client.builder();
    assertThrows(IllegalArgumentException.class, () -> b.accessPoint("arn:aws:s3:::bucket", volume.alias()));
    assertThrows(IllegalArgumentException.class, () -> b.accessPoint(volume.arn(), "vol-orders"));
  }

  @Test
  void filesWrittenToTheMountedVolumeWithTheBoundContextReadThroughTheAccessPoint() throws IOException {
    EncryptingS3Client c = client(ObjectFormat.ENVELOPE_FRAMED);
    Envelope envelope = Envelope.builder().keyring(S3TestParts.kmsKeyring()).build();
    Path file = emulator.volumeDirectory(volume).resolve("nfs/order-1.json");
    Files.createDirectories(file.getParent());
    byte[] data = "{\"order\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (OutputStream out = envelope.encryptingStream(Files.newOutputStream(file),
        c.encryptionContextFor(volume.alias(), "nfs/order-1.json"))) {
      out.write(data);
    }
    assertArrayEquals(data, c.getObjectAsBytes(b -> b.bucket(volume.alias()).key("nfs/order-1.json"))
        .asByteArray());
  }

  @Test
  void filesChangedOnTheMountedVolumeFailToDecryptWithTheirExactError() throws IOException {
    EncryptingS3Client c = client(ObjectFormat.ENVELOPE_FRAMED);
    byte[] data = S3TestParts.random(5_000, 15);
    put(c, volume.alias(), "tamper/a.bin", data);
    Path file = emulator.volumeDirectory(volume).resolve("tamper/a.bin");
    byte[] stored = Files.readAllBytes(file);

    byte[] flipped = stored.clone();
    flipped[flipped.length - 200] ^= 1;
    Files.write(file, flipped);
    assertThrows(AuthenticationFailedException.class, () -> get(c, volume.alias(), "tamper/a.bin"));

    Files.write(file, java.util.Arrays.copyOf(stored, stored.length - 1));
    assertThrows(MalformedMessageException.class, () -> get(c, volume.alias(), "tamper/a.bin"));

    Files.write(file, java.util.Arrays.copyOf(stored, 3));
    assertThrows(NotEncryptedObjectException.class, () -> get(c, volume.alias(), "tamper/a.bin"),
        "three bytes are not a message's beginning: not encrypted");

    Files.writeString(file, "plain text written over NFS");
    NotEncryptedObjectException plain = assertThrows(NotEncryptedObjectException.class,
        () -> get(c, volume.alias(), "tamper/a.bin"));
    assertTrue(plain.getMessage().contains("is not encrypted"), plain.getMessage());
  }
}
