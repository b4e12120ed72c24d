package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * No object content leaves the client unencrypted through any write path: every S3 operation that stores or sends
 * content is either encrypted by {@link EncryptingS3Client} or refused, in every overload the SDK offers. The
 * structural check fails when an SDK upgrade adds a content-writing operation that {@link DelegatingS3Client}
 * would pass straight to S3.
 */
class WritePathsTest {
  /** Operations that store or send object content (or move it, which breaks the key binding). */
  private static final Set<String> CONTENT_OPERATIONS = Set.of("putObject", "uploadPart", "uploadPartCopy",
      "copyObject", "createMultipartUpload", "completeMultipartUpload", "renameObject", "putObjectAnnotation",
      "writeGetObjectResponse");
  /** Operations whose content S3 itself produces from stored objects, or that hold no content. */
  private static final Set<String> REVIEWED_PASS_THROUGH = Set.of("restoreObject", "putObjectAcl",
      "putObjectLegalHold", "putObjectLockConfiguration", "putObjectRetention", "putObjectTagging");
  private static final byte[] DATA = S3TestParts.random(70_000, 51);
  private static S3Client plain;
  private static String bucket;
  private static EncryptingS3Client client;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "paths");
    client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.aesKeyring()).build();
  }

  @Test
  void everyWritingOperationOfTheDelegatingClientIsOverridden() {
    List<String> bypassing = new ArrayList<>();
    Set<String> checked = new java.util.TreeSet<>();
    for (Method m : DelegatingS3Client.class.getDeclaredMethods()) {
      String name = m.getName();
      boolean writes = CONTENT_OPERATIONS.contains(name) || name.startsWith("put") && name.contains("Object")
          && !REVIEWED_PASS_THROUGH.contains(name) || name.startsWith("write") || name.startsWith("append")
          || name.startsWith("rename");
      if (!writes || !java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
        continue;
      }
      checked.add(name);
      try {
        EncryptingS3Client.class.getDeclaredMethod(name, m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        bypassing.add(name + Arrays.toString(m.getParameterTypes()));
      }
    }
    assertEquals(List.of(), bypassing, "content-writing operations that would reach S3 unencrypted");
    assertEquals(new java.util.TreeSet<>(CONTENT_OPERATIONS), checked, "the check saw every content operation");
  }

  private void assertStoredEncrypted(String key) {
    byte[] stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    assertFalse(Arrays.equals(DATA, stored), key + " was stored in the clear");
    assertTrue(plain.headObject(b -> b.bucket(bucket).key(key)).metadata()
        .containsKey(EncryptingS3Client.FORMAT_METADATA), key);
    assertArrayEquals(DATA, client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
  }

  @Test
  void everyPutObjectOverloadEncrypts() throws Exception {
    Path file = Files.write(dir.resolve("data.bin"), DATA);
    S3Client asInterface = client;
    asInterface.putObject(PutObjectRequest.builder().bucket(bucket).key("p1").build(), RequestBody.fromBytes(DATA));
    asInterface.putObject(b -> b.bucket(bucket).key("p2"), RequestBody.fromBytes(DATA));
    asInterface.putObject(PutObjectRequest.builder().bucket(bucket).key("p3").build(), file);
    asInterface.putObject(b -> b.bucket(bucket).key("p4"), file);
    client.upload(PutObjectRequest.builder().bucket(bucket).key("p5").build(), file);
    for (String key : List.of("p1", "p2", "p3", "p4", "p5")) {
      assertStoredEncrypted(key);
    }
  }

  @Test
  void everyUploadPartOverloadEncryptsAndTheObjectAssembles() throws Exception {
    byte[] part = Arrays.copyOf(DATA, 5 << 20);
    Path file = Files.write(dir.resolve("part.bin"), Arrays.copyOfRange(DATA, 0, 1000));
    EncryptingS3Client small = client.toBuilder().partSize(5 << 20).build();
    String upload = small.createMultipartUpload(b -> b.bucket(bucket).key("mp")).uploadId();
    String e1 = small.uploadPart(UploadPartRequest.builder().bucket(bucket).key("mp").uploadId(upload).partNumber(1)
        .build(), RequestBody.fromBytes(part)).eTag();
    String e2 = small.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(2), file).eTag();
    small.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(upload).multipartUpload(m -> m.parts(
        CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2)
            .build())));
    byte[] expected = new byte[part.length + 1000];
    System.arraycopy(part, 0, expected, 0, part.length);
    System.arraycopy(DATA, 0, expected, part.length, 1000);
    byte[] stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key("mp")).asByteArray();
    assertFalse(Arrays.equals(expected, Arrays.copyOf(stored, expected.length)), "parts were stored in the clear");
    assertArrayEquals(expected, small.getObjectAsBytes(b -> b.bucket(bucket).key("mp")).asByteArray());
  }

  @Test
  void copyReEncryptsForTheNewKey() {
    client.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromBytes(DATA));
    client.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("dst"));
    assertStoredEncrypted("dst");
  }

  @Test
  void operationsThatWouldStoreOrMoveContentUnencryptedAreRefused() {
    client.putObject(b -> b.bucket(bucket).key("kept"), RequestBody.fromBytes(DATA));
    List<Executable> refused = List.of(
        () -> client.putObject(b -> b.bucket(bucket).key("kept").writeOffsetBytes(70_000L),
            RequestBody.fromBytes(DATA)),
        () -> client.renameObject(b -> b.bucket(bucket).key("renamed").renameSource("kept")),
        () -> client.putObjectAnnotation(b -> b.bucket(bucket).key("kept"), RequestBody.fromString("{}")),
        () -> client.writeGetObjectResponse(b -> b.requestRoute("r").requestToken("t"), RequestBody.fromBytes(DATA)),
        () -> client.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("kept").destinationBucket(bucket)
            .destinationKey("x").uploadId("u").partNumber(1)));
    for (Executable call : refused) {
      assertThrows(UnsupportedOperationException.class, call);
    }
    assertArrayEquals(DATA, client.getObjectAsBytes(b -> b.bucket(bucket).key("kept")).asByteArray(),
        "nothing reached the stored object");
  }
}
