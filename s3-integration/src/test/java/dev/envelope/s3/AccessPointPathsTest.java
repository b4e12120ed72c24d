package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.emulator.AccessPoint;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The second wave's paths with an access point's two names: a parallel download and a resumable upload on an S3
 * bucket's access point and on an FSx for ONTAP volume's, a re-key on the bucket's (a volume refuses the
 * conditional writes a re-key needs, and the re-key says so), each writing by one name and reading by the other.
 */
class AccessPointPathsTest {
  private static final int SIZE = 6_000_000;
  @TempDir
  static Path dir;
  private static S3Emulator emulator;
  private static S3Client s3;
  private static AccessPoint bucketPoint;
  private static AccessPoint volume;

  @BeforeAll
  static void start() {
    emulator = S3Emulator.builder().directory(dir).build();
    bucketPoint = emulator.createAccessPoint(AccessPoint.onBucket("paths", "paths-bucket"));
    volume = emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("paths-volume", "vol-paths"));
    s3 = emulator.client();
  }

  @AfterAll
  static void stop() {
    s3.close();
    emulator.close();
  }

  private static EncryptingS3Client client(String keyArn) {
    return EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(S3TestParts.kms(), keyArn))
        .accessPoint(bucketPoint.arn(), bucketPoint.alias()).accessPoint(volume.arn(), volume.alias())
        .downloadRangeSize(1 << 20).parallelism(4).partSize(5L << 20).multipartThreshold(5L << 20)
        .auditSink(new InMemoryAuditSink()).build();
  }

  private static List<AccessPoint> points() {
    return List.of(bucketPoint, volume);
  }

  @Test
  void aResumableUploadByArnDownloadsInParallelByAlias() throws IOException {
    EncryptingS3Client client = client(S3TestParts.keyArn());
    byte[] data = S3TestParts.random(SIZE, 3);
    Path file = Files.write(dir.resolve("upload.bin"), data);
    for (AccessPoint point : points()) {
      String key = "resumable/\u00fcber.bin";
      client.resumableUploader().upload(PutObjectRequest.builder().bucket(point.arn()).key(key).build(), file,
          UploadCheckpoint.file(dir.resolve(point.alias() + ".state")));
      Path target = dir.resolve(point.alias() + ".out");
      client.download(GetObjectRequest.builder().bucket(point.alias()).key(key).build(), target);
      assertArrayEquals(data, Files.readAllBytes(target), point.alias());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      client.download(GetObjectRequest.builder().bucket(point.arn()).key(key).build(), out);
      assertArrayEquals(data, out.toByteArray(), point.arn());
    }
  }

  @Test
  void aRekeyByAliasIsReadByArnWithTheNewKey() throws IOException {
    String oldArn = S3TestParts.kms().createKey(b -> b.description("ap old")).keyMetadata().arn();
    String newArn = S3TestParts.kms().createKey(b -> b.description("ap new")).keyMetadata().arn();
    EncryptingS3Client old = client(oldArn);
    byte[] data = S3TestParts.random(SIZE, 4);
    for (RekeyMethod method : RekeyMethod.values()) {
      String key = "rekey/" + method;
      old.upload(PutObjectRequest.builder().bucket(bucketPoint.arn()).key(key).build(),
          new java.io.ByteArrayInputStream(data), SIZE);
      RekeyResult result = ObjectRekeyer.builder().client(old).newWrappingKeys(KmsKeyring.create(
          S3TestParts.kms(), newArn)).method(method).build().rekey(bucketPoint.alias(), key);
      assertEquals(RekeyResult.Outcome.REKEYED, result.outcome(), method.toString());
      assertArrayEquals(data, client(newArn).getObjectAsBytes(b -> b.bucket(bucketPoint.arn()).key(key))
          .asByteArray(), method.toString());
    }
  }

  @Test
  void aVolumeWhichRefusesConditionalWritesIsNotRekeyedAndSaysWhy() throws IOException {
    EncryptingS3Client old = client(S3TestParts.keyArn());
    old.upload(PutObjectRequest.builder().bucket(volume.arn()).key("rekey/volume").build(),
        new java.io.ByteArrayInputStream(new byte[100]), 100);
    ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(old).newWrappingKeys(S3TestParts.aesKeyring()).build();
    for (String name : List.of(volume.alias(), volume.arn())) {
      PolicyViolationException e = assertThrows(PolicyViolationException.class,
          () -> rekeyer.rekey(name, "rekey/volume"));
      assertTrue(e.getMessage().contains("refuses conditional writes"), e.getMessage());
    }
    assertArrayEquals(new byte[100], old.getObjectAsBytes(b -> b.bucket(volume.alias()).key("rekey/volume"))
        .asByteArray(), "left as it was");
    // the volume keeps no metadata: the header at the start of the object says what it is
    ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, volume.alias(), "rekey/volume");
    assertEquals(java.util.Optional.of(ObjectFormat.ENVELOPE_FRAMED), info.format());
    assertEquals(List.of(S3TestParts.keyArn()), info.wrappingKeyIds());
  }
}
