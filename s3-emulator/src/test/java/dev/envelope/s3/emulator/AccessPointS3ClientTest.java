package dev.envelope.s3.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectStorageClass;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

class AccessPointS3ClientTest {
  @TempDir
  static Path dir;
  private static S3Emulator emulator;
  private static S3Client s3;
  private static AccessPoint volume;
  private static AccessPoint other;
  private static AccessPoint bucketPoint;

  @BeforeAll
  static void start() {
    emulator = S3Emulator.builder().directory(dir).build();
    volume = emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("orders", "vol-orders"));
    other = emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("reports", "vol-reports"));
    bucketPoint = emulator.createAccessPoint(AccessPoint.onBucket("shared", "shared-bucket"));
    emulator.createBucket("archive");
    s3 = emulator.client();
  }

  @AfterAll
  static void stop() {
    s3.close();
    emulator.close();
  }

  @Test
  void namesHaveS3sShapes() {
    assertEquals("arn:aws:s3:us-east-1:000000000000:accesspoint/orders", volume.arn());
    assertTrue(volume.alias().matches("orders-[a-z0-9]{32}-ext-s3alias"), volume.alias());
    assertTrue(bucketPoint.alias().matches("shared-[a-z0-9]{32}-s3alias"), bucketPoint.alias());
    assertEquals(volume.alias(), AccessPoint.onFsxOntapVolume("orders", "elsewhere").alias(), "stable per name");
    assertThrows(IllegalArgumentException.class, () -> AccessPoint.onBucket("Orders", "b"));
    assertThrows(IllegalArgumentException.class, () -> AccessPoint.onBucket("ab", "b"));
    assertThrows(IllegalArgumentException.class,
        () -> emulator.createAccessPoint(AccessPoint.onBucket("orders", "b")), "one name per account and Region");
  }

  @Test
  void aliasAndArnReachTheSameFilesWithFsxStorageClassAndNoUserMetadata() throws Exception {
    s3.putObject(b -> b.bucket(volume.alias()).key("in/a.json").metadata(Map.of("tenant", "t1")),
        RequestBody.fromString("alpha"));
    assertEquals("alpha", s3.getObjectAsBytes(b -> b.bucket(volume.arn()).key("in/a.json")).asUtf8String());
    HeadObjectResponse head = s3.headObject(b -> b.bucket(volume.arn()).key("in/a.json"));
    assertEquals(StorageClass.FSX_ONTAP, head.storageClass());
    assertEquals(Map.of(), head.metadata(), "user metadata is not kept on the volume");
    try (var in = s3.getObject(b -> b.bucket(volume.alias()).key("in/a.json"))) {
      assertEquals(StorageClass.FSX_ONTAP, in.response().storageClass());
      assertEquals("alpha", new String(in.readAllBytes(), StandardCharsets.UTF_8), "the stream stays open");
    }
    assertEquals("alpha", Files.readString(emulator.volumeDirectory(volume).resolve("in/a.json")),
        "the same document is a file of the mounted volume");
    S3Object listed = s3.listObjectsV2(b -> b.bucket(volume.alias()).prefix("in/")).contents().get(0);
    assertEquals(ObjectStorageClass.FSX_ONTAP, listed.storageClass());
    assertEquals(head.eTag(), listed.eTag());
  }

  @Test
  void filesWrittenToTheMountedVolumeAreObjectsWithTheirContentsMd5AsETag() throws Exception {
    Path file = emulator.volumeDirectory(volume).resolve("nfs/b.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "written over NFS");
    String md5 = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
        .digest("written over NFS".getBytes(StandardCharsets.UTF_8))) + "\"";
    assertEquals(md5, s3.listObjectsV2(b -> b.bucket(volume.alias()).prefix("nfs/")).contents().get(0).eTag());
    assertEquals(md5, s3.headObject(b -> b.bucket(volume.alias()).key("nfs/b.json")).eTag());
    assertEquals(md5, s3.getObject(b -> b.bucket(volume.arn()).key("nfs/b.json")).response().eTag());
  }

  @Test
  void bucketAccessPointsServeEveryOperationAndKeepMetadata() {
    s3.putObject(b -> b.bucket(bucketPoint.arn()).key("k").metadata(Map.of("tenant", "t1"))
        .storageClass(StorageClass.GLACIER), RequestBody.fromString("x"));
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucketPoint.alias()).key("k"));
    assertEquals(Map.of("tenant", "t1"), head.metadata());
    assertEquals(StorageClass.GLACIER, head.storageClass());
    assertEquals("x", s3.getObjectAsBytes(b -> b.bucket("shared-bucket").key("k")).asUtf8String(),
        "the bucket itself holds the object");
  }

  @Test
  void operationsTheAccessPointRefusesFailWithS3sErrorNamingTheLimitation() {
    String ap = volume.alias();
    Map<String, Consumer<S3Client>> refused = new LinkedHashMap<>();
    refused.put("GetObjectAcl", c -> c.getObjectAcl(b -> b.bucket(ap).key("k")));
    refused.put("PutObjectAcl", c -> c.putObjectAcl(b -> b.bucket(ap).key("k").acl("private")));
    refused.put("GetBucketAcl", c -> c.getBucketAcl(b -> b.bucket(ap)));
    refused.put("GetBucketPolicy", c -> c.getBucketPolicy(b -> b.bucket(ap)));
    refused.put("GetBucketCors", c -> c.getBucketCors(b -> b.bucket(ap)));
    refused.put("GetBucketNotificationConfiguration", c -> c.getBucketNotificationConfiguration(b -> b.bucket(ap)));
    refused.put("PutBucketNotificationConfiguration", c -> c.putBucketNotificationConfiguration(b -> b.bucket(ap)
        .notificationConfiguration(n -> n.lambdaFunctionConfigurations(List.of()))));
    refused.put("ListObjectVersions", c -> c.listObjectVersions(b -> b.bucket(ap)));
    refused.put("GetObjectLegalHold", c -> c.getObjectLegalHold(b -> b.bucket(ap).key("k")));
    refused.put("PutObjectRetention", c -> c.putObjectRetention(b -> b.bucket(ap).key("k")));
    refused.put("RestoreObject", c -> c.restoreObject(b -> b.bucket(ap).key("k")));
    for (Map.Entry<String, Consumer<S3Client>> op : refused.entrySet()) {
      S3Exception e = assertThrows(S3Exception.class, () -> op.getValue().accept(s3), op.getKey());
      assertEquals(501, e.statusCode(), op.getKey());
      assertEquals("NotImplemented", e.awsErrorDetails().errorCode(), op.getKey());
      assertTrue(e.getMessage().startsWith(op.getKey() + " is not supported through access point orders ("),
          e.getMessage());
      assertTrue(e.getMessage().contains("FSx for ONTAP volume vol-orders"), e.getMessage());
    }
  }

  @Test
  void writesTheVolumeCannotStoreAreRefused() {
    String ap = volume.arn();
    S3Exception glacier = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(ap).key("g")
        .storageClass(StorageClass.GLACIER), RequestBody.fromString("x")));
    assertEquals("InvalidStorageClass", glacier.awsErrorDetails().errorCode());
    assertEquals(400, glacier.statusCode());
    s3.putObject(b -> b.bucket(ap).key("f").storageClass(StorageClass.FSX_ONTAP), RequestBody.fromString("x"));

    S3Exception conditional = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(ap).key("c")
        .ifNoneMatch("*"), RequestBody.fromString("x")));
    assertEquals("NotImplemented", conditional.awsErrorDetails().errorCode());
    assertTrue(conditional.getMessage().contains("conditional write"), conditional.getMessage());

    S3Exception sse = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(ap).key("s")
        .serverSideEncryption("aws:kms"), RequestBody.fromString("x")));
    assertEquals("InvalidArgument", sse.awsErrorDetails().errorCode());
    S3Exception acl = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(ap).key("a")
        .acl("public-read"), RequestBody.fromString("x")));
    assertTrue(acl.getMessage().contains("access control lists"), acl.getMessage());
    S3Exception version = assertThrows(S3Exception.class, () -> s3.getObjectAsBytes(b -> b.bucket(ap).key("f")
        .versionId("v1")));
    assertTrue(version.getMessage().contains("object versioning"), version.getMessage());
    assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket(ap).key("c")), "nothing was stored");
  }

  @Test
  void copiesStayWithinTheAccessPoint() {
    s3.putObject(b -> b.bucket(volume.alias()).key("src"), RequestBody.fromString("copy me"));
    s3.copyObject(b -> b.sourceBucket(volume.alias()).sourceKey("src").destinationBucket(volume.arn())
        .destinationKey("dst"));
    assertEquals("copy me", s3.getObjectAsBytes(b -> b.bucket(volume.alias()).key("dst")).asUtf8String());
    for (String destination : List.of(other.alias(), "archive", bucketPoint.arn())) {
      S3Exception e = assertThrows(S3Exception.class, () -> s3.copyObject(b -> b.sourceBucket(volume.alias())
          .sourceKey("src").destinationBucket(destination).destinationKey("dst")), destination);
      assertEquals(400, e.statusCode());
      assertTrue(e.getMessage().contains("copy only within themselves"), e.getMessage());
    }
  }

  @Test
  void multipartUploadsWorkThroughTheAccessPoint() {
    String ap = volume.alias();
    byte[] part1 = new byte[5 << 20];
    byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
    String upload = s3.createMultipartUpload(b -> b.bucket(ap).key("big")).uploadId();
    String e1 = s3.uploadPart(b -> b.bucket(ap).key("big").uploadId(upload).partNumber(1),
        RequestBody.fromBytes(part1)).eTag();
    String e2 = s3.uploadPart(b -> b.bucket(ap).key("big").uploadId(upload).partNumber(2),
        RequestBody.fromBytes(part2)).eTag();
    s3.completeMultipartUpload(b -> b.bucket(ap).key("big").uploadId(upload).multipartUpload(m -> m.parts(
        CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2)
            .build())));
    byte[] whole = s3.getObjectAsBytes(b -> b.bucket(ap).key("big")).asByteArray();
    assertEquals(part1.length + part2.length, whole.length);
    assertArrayEquals(part2, java.util.Arrays.copyOfRange(whole, part1.length, whole.length));
  }

  @Test
  void unknownAccessPointsAreNoSuchBucket() {
    NoSuchBucketException e = assertThrows(NoSuchBucketException.class,
        () -> s3.headObject(b -> b.bucket("nothing-abcdefghijklmnopqrstuvwxyz012345-ext-s3alias").key("k")));
    assertEquals(404, e.statusCode());
    assertThrows(NoSuchBucketException.class, () -> s3.listObjectsV2(b -> b.bucket(
        "arn:aws:s3:us-east-1:000000000000:accesspoint/nothing")));
  }

  @Test
  void plainBucketsPassThrough() {
    s3.putObject(b -> b.bucket("archive").key("k").storageClass(StorageClass.GLACIER), RequestBody.fromString("x"));
    assertEquals(StorageClass.GLACIER, s3.headObject(b -> b.bucket("archive").key("k")).storageClass());
  }

  @Test
  void inMemoryEmulatorsHaveNoVolumeDirectory() {
    try (S3Emulator memory = S3Emulator.create()) {
      AccessPoint ap = memory.createAccessPoint(AccessPoint.onFsxOntapVolume("mem", "vol-mem"));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.volumeDirectory(ap));
      assertTrue(e.getMessage().contains("directory(...)"), e.getMessage());
      try (S3Client c = memory.client()) {
        c.putObject(b -> b.bucket(ap.alias()).key("k"), RequestBody.fromString("x"));
        assertEquals("x", c.getObjectAsBytes(b -> b.bucket(ap.arn()).key("k")).asUtf8String());
      }
    }
  }
}
