package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.AuthenticationFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * {@link EncryptingS3AsyncClient} over the CRT-based {@code S3AsyncClient} (the AWS Common Runtime's native HTTP
 * and S3 client, which splits large requests into parts and ranges itself): round trips at the size boundaries,
 * ranged reads, the parallel download, the sync client reading what it wrote and the reverse, a tampered frame.
 *
 * <p>The CRT's part size is set above our multipart threshold: a single PUT larger than its part size becomes the
 * CRT's own multipart upload, whose CreateMultipartUpload answer from S3Proxy 4.1 the CRT cannot read ("Upload Id
 * not found in create-multipart-upload response", reported against S3Mock and LocalStack too); against S3 it
 * works. Our own multipart uploads (CreateMultipartUpload, UploadPart, Complete through the CRT client) do not hit
 * it, and are tested here.
 */
class CrtClientTest {
  private static final int FRAME = 4096;
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static String bucket;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "crt");
  }

  @AfterAll
  static void stop() {
    plain.close();
  }

  /** A CRT-based client of its own (the encrypting client closes it). */
  private static S3AsyncClient crt() {
    return S3AsyncClient.crtBuilder().endpointOverride(S3TestParts.s3Endpoint()).forcePathStyle(true)
        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("test", "test")))
        .minimumPartSizeInBytes(4 * PART).build();
  }

  private static EncryptingS3ClientBuilder builder() {
    return EncryptingS3Client.builder().keyring(S3TestParts.kmsKeyring()).frameLength(FRAME).partSize(PART)
        .multipartThreshold(PART).parallelism(3).downloadRangeSize(PART);
  }

  @Test
  void everySizeRoundTripsOverTheCrtClientAndReadsWithTheSyncClientBothWays() {
    EncryptingS3Client sync = builder().wrappedClient(S3TestParts.s3()).build();
    try (EncryptingS3AsyncClient async = builder().buildAsync(crt())) {
      for (int size : new int[] {0, 1, FRAME - 1, FRAME, FRAME + 1, (int) PART - 1, (int) PART + 1,
          (int) (3 * PART) + 7}) {
        byte[] data = S3TestParts.random(size, size);
        String key = "crt/ü-" + size;
        async.putObject(b -> b.bucket(bucket).key(key), AsyncRequestBody.fromBytes(data)).join();
        assertArrayEquals(data, async.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
            .join().asByteArray(), "crt -> crt " + size);
        assertArrayEquals(data, sync.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(),
            "crt -> sync " + size);
        String syncKey = "sync/ü-" + size;
        sync.putObject(b -> b.bucket(bucket).key(syncKey), RequestBody.fromBytes(data));
        assertArrayEquals(data, async.getObject(b -> b.bucket(bucket).key(syncKey),
            AsyncResponseTransformer.toBytes()).join().asByteArray(), "sync -> crt " + size);
        if (size > 10) {
          assertArrayEquals(Arrays.copyOfRange(data, 3, size - 2), async.getObject(b -> b.bucket(bucket)
              .key(key).range("bytes=3-" + (size - 3)), AsyncResponseTransformer.toBytes()).join().asByteArray(),
              "a range through the crt client " + size);
        }
      }
      long big = 3 * PART + 7;
      assertEquals(true, plain.headObject(b -> b.bucket(bucket).key("crt/ü-" + big)).eTag().endsWith("-4\""),
          "above the threshold our put is our multipart upload of 4 parts, through the CRT client");
    }
  }

  @Test
  void theParallelDownloadRunsOverTheCrtClientAndRefusesATamperedFrame(@TempDir Path dir) throws Exception {
    byte[] data = S3TestParts.random((int) (3 * PART) + 11, 7);
    try (EncryptingS3AsyncClient async = builder().buildAsync(crt())) {
      async.putObject(b -> b.bucket(bucket).key("download"), AsyncRequestBody.fromBytes(data)).join();
      Path file = dir.resolve("download.bin");
      async.download(GetObjectRequest.builder().bucket(bucket).key("download").build(), file).join();
      assertArrayEquals(data, Files.readAllBytes(file));

      byte[] stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key("download")).asByteArray();
      stored[stored.length / 2] ^= 1;
      java.util.Map<String, String> metadata = plain.headObject(b -> b.bucket(bucket).key("download")).metadata();
      // in place: an object is bound to its key, so a copy under another name fails on its context instead
      plain.putObject(b -> b.bucket(bucket).key("download").metadata(metadata), RequestBody.fromBytes(stored));
      Path target = dir.resolve("tampered.bin");
      CompletionException e = assertThrows(CompletionException.class,
          () -> async.download(GetObjectRequest.builder().bucket(bucket).key("download").build(), target).join());
      assertInstanceOf(AuthenticationFailedException.class, e.getCause(), e.toString());
      assertEquals(false, Files.exists(target), "no partial file");
    }
  }
}
