package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * Reads by part number ({@code GetObject}/{@code HeadObject} with {@code partNumber}), which S3Proxy answers 501:
 * the front door answers them from the part sizes it saw, so the SDK's multipart download and transfer manager work
 * against the endpoint, with S3's answers for every edge.
 */
class PartNumberReadsTest {
  private static final int MIB = 1 << 20;
  private static final String BUCKET = "parts";

  @RegisterExtension
  static final LocalAwsExtension AWS = LocalAwsExtension.create();
  private static S3Client s3;

  @BeforeAll
  static void start() {
    s3 = client(AWS.get());
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static S3Client client(LocalAws endpoint) {
    return endpoint.configure(S3Client.builder()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  /** Uploads {@code parts} as one multipart upload and returns the object's bytes. */
  private static byte[] uploadInParts(S3Client client, String key, int... sizes) {
    Random random = new Random(key.hashCode());
    String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    List<CompletedPart> completed = new ArrayList<>();
    byte[] whole = new byte[Arrays.stream(sizes).sum()];
    random.nextBytes(whole);
    int offset = 0;
    for (int i = 0; i < sizes.length; i++) {
      int number = i + 1;
      byte[] part = Arrays.copyOfRange(whole, offset, offset + sizes[i]);
      String etag = client.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(number),
          RequestBody.fromBytes(part)).eTag();
      completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      offset += sizes[i];
    }
    client.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
        .multipartUpload(m -> m.parts(completed)));
    return whole;
  }

  private static ResponseBytes<GetObjectResponse> part(String key, int number) {
    return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).partNumber(number));
  }

  @Test
  void eachPartOfAnObjectUploadedInPartsIsItsByteRange() {
    String key = "uneven parts/ü.bin";
    byte[] whole = uploadInParts(s3, key, 5 * MIB, 5 * MIB + 7, 1024);
    int[][] ranges = {{0, 5 * MIB}, {5 * MIB, 10 * MIB + 7}, {10 * MIB + 7, whole.length}};
    for (int i = 0; i < ranges.length; i++) {
      ResponseBytes<GetObjectResponse> part = part(key, i + 1);
      assertArrayEquals(Arrays.copyOfRange(whole, ranges[i][0], ranges[i][1]), part.asByteArray(), "part " + (i + 1));
      assertEquals(3, part.response().partsCount());
      assertEquals("bytes " + ranges[i][0] + "-" + (ranges[i][1] - 1) + "/" + whole.length,
          part.response().contentRange());
      assertEquals(ranges[i][1] - ranges[i][0], part.response().contentLength());
    }
    HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key(key).partNumber(2));
    assertEquals(5 * MIB + 7, head.contentLength());
    assertEquals(3, head.partsCount());
    assertEquals("bytes " + 5 * MIB + "-" + (10 * MIB + 6) + "/" + whole.length, head.contentRange());
  }

  @Test
  void partsThatDoNotExistAndRangesWithPartNumbersAreRefusedAsS3RefusesThem() {
    String key = "refusals";
    uploadInParts(s3, key, 5 * MIB, 10);
    S3Exception beyond = assertThrows(S3Exception.class, () -> part(key, 3));
    assertEquals(416, beyond.statusCode());
    assertEquals("InvalidPartNumber", beyond.awsErrorDetails().errorCode());
    S3Exception zero = assertThrows(S3Exception.class, () -> part(key, 0));
    assertEquals(400, zero.statusCode());
    assertEquals("InvalidArgument", zero.awsErrorDetails().errorCode());
    S3Exception both = assertThrows(S3Exception.class,
        () -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).partNumber(1).range("bytes=0-9")));
    assertEquals(400, both.statusCode());
    assertEquals("InvalidRequest", both.awsErrorDetails().errorCode());
    S3Exception missing = assertThrows(S3Exception.class, () -> part("no such object", 1));
    assertEquals(404, missing.statusCode());
    assertEquals("NoSuchKey", missing.awsErrorDetails().errorCode());
  }

  @Test
  void anObjectStoredWholeIsOnePartAndAnOverwriteForgetsTheOldParts() {
    String key = "whole then parts then whole";
    byte[] first = "stored whole".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(first));
    ResponseBytes<GetObjectResponse> one = part(key, 1);
    assertArrayEquals(first, one.asByteArray());
    assertNull(one.response().partsCount(), "an object stored whole has no parts count");
    assertEquals(416, assertThrows(S3Exception.class, () -> part(key, 2)).statusCode());

    uploadInParts(s3, key, 5 * MIB, 3);
    assertEquals(3, part(key, 2).asByteArray().length);

    byte[] last = "whole again".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(last));
    assertArrayEquals(last, part(key, 1).asByteArray(), "the overwrite, not a range of the old upload's layout");
    assertEquals(416, assertThrows(S3Exception.class, () -> part(key, 2)).statusCode());
  }

  @Test
  void conditionsOfAPartReadAreTheObjects() {
    String key = "conditional";
    uploadInParts(s3, key, 5 * MIB, 5);
    String etag = s3.headObject(b -> b.bucket(BUCKET).key(key)).eTag();
    assertEquals(5, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).partNumber(2).ifMatch(etag)).asByteArray()
        .length);
    S3Exception changed = assertThrows(S3Exception.class,
        () -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).partNumber(2).ifMatch("\"0123\"")));
    assertEquals(412, changed.statusCode());
    S3Exception notModified = assertThrows(S3Exception.class,
        () -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).partNumber(1).ifNoneMatch(etag)));
    assertEquals(304, notModified.statusCode());
  }

  @Test
  void partsCopiedFromOtherObjectsHaveTheSizesTheyCopied() {
    byte[] source = uploadInParts(s3, "copy source", 6 * MIB, 100);
    s3.putObject(b -> b.bucket(BUCKET).key("small source"), RequestBody.fromString("tail"));
    String key = "assembled by copies";
    String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    String first = s3.uploadPartCopy(b -> b.sourceBucket(BUCKET).sourceKey("copy source").destinationBucket(BUCKET)
        .destinationKey(key).uploadId(uploadId).partNumber(1).copySourceRange("bytes=1-" + 5 * MIB))
        .copyPartResult().eTag();
    String second = s3.uploadPartCopy(b -> b.sourceBucket(BUCKET).sourceKey("small source")
        .destinationBucket(BUCKET).destinationKey(key).uploadId(uploadId).partNumber(2)).copyPartResult().eTag();
    s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(
        CompletedPart.builder().partNumber(1).eTag(first).build(),
        CompletedPart.builder().partNumber(2).eTag(second).build())));
    assertArrayEquals(Arrays.copyOfRange(source, 1, 5 * MIB + 1), part(key, 1).asByteArray());
    assertEquals("tail", part(key, 2).asUtf8String());
    assertEquals(2, part(key, 2).response().partsCount());
  }

  @Test
  void theSdksMultipartDownloadAndTransferManagerReadThroughTheEndpoint(@TempDir Path dir) throws Exception {
    String key = "for the sdk";
    byte[] whole = uploadInParts(s3, key, 5 * MIB, 5 * MIB, 5 * MIB, 2 * MIB + 1);
    try (S3AsyncClient multipart = AWS.get().configure(S3AsyncClient.builder()).forcePathStyle(true)
        .multipartEnabled(true).build();
        S3TransferManager transfers = S3TransferManager.builder().s3Client(multipart).build()) {
      byte[] bytes = multipart.getObject(b -> b.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes()).join()
          .asByteArray();
      assertArrayEquals(whole, bytes, "multipart download into memory");
      Path file = dir.resolve("download.bin");
      transfers.downloadFile(d -> d.getObjectRequest(g -> g.bucket(BUCKET).key(key)).destination(file))
          .completionFuture().join();
      assertArrayEquals(whole, Files.readAllBytes(file), "transfer manager download to a file (parallel parts)");
    }
  }

  /** S3Proxy answers 501 to {@code x-amz-mp-object-size}, which the SDK's multipart upload sends: checked here. */
  @Test
  void theSizeACompletionExpectsIsCheckedAgainstItsParts() {
    String key = "expected size";
    String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    String first = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1),
        RequestBody.fromBytes(new byte[5 * MIB])).eTag();
    String second = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(2),
        RequestBody.fromBytes(new byte[9])).eTag();
    CompletedPart[] parts = {CompletedPart.builder().partNumber(1).eTag(first).build(),
        CompletedPart.builder().partNumber(2).eTag(second).build()};
    S3Exception wrong = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket(BUCKET)
        .key(key).uploadId(uploadId).mpuObjectSize(5L * MIB + 10).multipartUpload(m -> m.parts(parts))));
    assertEquals(400, wrong.statusCode());
    assertEquals("InvalidRequest", wrong.awsErrorDetails().errorCode());
    s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).mpuObjectSize(5L * MIB + 9)
        .multipartUpload(m -> m.parts(parts)));
    assertEquals(5L * MIB + 9, s3.headObject(b -> b.bucket(BUCKET).key(key)).contentLength());

    try (S3AsyncClient sdkMultipart = AWS.get().configure(S3AsyncClient.builder()).forcePathStyle(true)
        .multipartEnabled(true).build()) {
      byte[] data = new byte[17 * MIB];
      new Random(17).nextBytes(data);
      sdkMultipart.putObject(b -> b.bucket(BUCKET).key("by the sdk"),
          software.amazon.awssdk.core.async.AsyncRequestBody.fromBytes(data)).join();
      assertArrayEquals(data, sdkMultipart.getObject(b -> b.bucket(BUCKET).key("by the sdk"),
          AsyncResponseTransformer.toBytes()).join().asByteArray(), "the SDK's multipart upload, then download");
    }
  }

  @Test
  void partSizesSurviveARestartWithADataDirectory(@TempDir Path data) {
    byte[] whole;
    try (LocalAws first = LocalAws.builder().port(0).dataDirectory(data).build(); S3Client client = client(first)) {
      client.createBucket(b -> b.bucket(BUCKET));
      whole = uploadInParts(client, "kept", 5 * MIB, 11);
    }
    try (LocalAws second = LocalAws.builder().port(0).dataDirectory(data).build(); S3Client client = client(second)) {
      ResponseBytes<GetObjectResponse> last = client.getObjectAsBytes(b -> b.bucket(BUCKET).key("kept").partNumber(2));
      assertArrayEquals(Arrays.copyOfRange(whole, 5 * MIB, whole.length), last.asByteArray());
      assertEquals(2, last.response().partsCount());
    }
  }

  @Test
  void anObjectWhosePartsTheEndpointNeverSawIsRefusedWithTheReasonNotGuessed() {
    // Uploaded straight to S3Proxy's own port, past the front door: its sizes were never seen.
    try (S3Client direct = AWS.get().s3().client()) {
      String uploadId = direct.createMultipartUpload(b -> b.bucket(BUCKET).key("unseen")).uploadId();
      String etag = direct.uploadPart(b -> b.bucket(BUCKET).key("unseen").uploadId(uploadId).partNumber(1),
          RequestBody.fromString("only part")).eTag();
      direct.completeMultipartUpload(b -> b.bucket(BUCKET).key("unseen").uploadId(uploadId)
          .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
    }
    S3Exception e = assertThrows(S3Exception.class, () -> part("unseen", 1));
    assertEquals(501, e.statusCode());
    assertTrue(e.awsErrorDetails().errorMessage().contains("read it by byte range"), e.getMessage());
    assertEquals("only part", s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("unseen").range("bytes=0-8"))
        .asUtf8String());
  }
}
