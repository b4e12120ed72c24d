package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3AsyncClient;
import dev.envelope.s3.EncryptingS3Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * {@link EncryptingS3AsyncClient} over the SDK's multipart-enabled {@code S3AsyncClient} ("any S3AsyncClient"):
 * below our threshold a put is the SDK's own multipart upload of our ciphertext, and every read is the SDK's
 * multipart download by part number, which the endpoint serves; objects come back whole and authenticated, also
 * through the transfer manager, and the sync client reads them.
 */
class MultipartClientUnderEncryptionTest {
  private static final int MIB = 1 << 20;

  @Test
  void theSdksMultipartClientCarriesOurCiphertextBothWays(@TempDir Path dir) throws Exception {
    try (LocalAws aws = LocalAws.builder().port(0).build();
        KmsClient kms = aws.configure(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
        S3Client plain = aws.configure(S3Client.builder()).forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create()).build()) {
      String keyArn = kms.createKey(b -> b.description("multipart")).keyMetadata().arn();
      plain.createBucket(b -> b.bucket("multipart"));
      S3AsyncClient multipart = aws.configure(S3AsyncClient.builder()).forcePathStyle(true).multipartEnabled(true)
          .multipartConfiguration(m -> m.thresholdInBytes(5L * MIB).minimumPartSizeInBytes(5L * MIB)).build();
      var builder = EncryptingS3Client.builder().keyring(KmsKeyring.create(kms, keyArn)).multipartThreshold(64L * MIB);
      EncryptingS3Client sync = builder.wrappedClient(plain).build();
      try (EncryptingS3AsyncClient async = builder.buildAsync(multipart);
          S3TransferManager transfers = S3TransferManager.builder().s3Client(async).build()) {
        for (int size : new int[] {0, 5 * MIB - 1, 12 * MIB + 3}) {
          byte[] data = new byte[size];
          new Random(size).nextBytes(data);
          String key = "ü/" + size;
          async.putObject(b -> b.bucket("multipart").key(key), AsyncRequestBody.fromBytes(data)).join();
          if (size > 5 * MIB) {
            assertTrue(plain.headObject(b -> b.bucket("multipart").key(key)).eTag().endsWith("-3\""),
                "the SDK's multipart upload of our ciphertext, in 5 MiB parts");
          }
          assertArrayEquals(data, async.getObject(b -> b.bucket("multipart").key(key),
              AsyncResponseTransformer.toBytes()).join().asByteArray(), "read by parts, " + size);
          assertArrayEquals(data, sync.getObjectAsBytes(b -> b.bucket("multipart").key(key)).asByteArray(),
              "read by the sync client, " + size);
          Path file = dir.resolve("t-" + size);
          transfers.downloadFile(d -> d.getObjectRequest(g -> g.bucket("multipart").key(key)).destination(file))
              .completionFuture().join();
          assertArrayEquals(data, Files.readAllBytes(file), "through the transfer manager, " + size);
          Path parallel = dir.resolve("p-" + size);
          async.download(GetObjectRequest.builder().bucket("multipart").key(key).build(), parallel).join();
          assertEquals(size, Files.size(parallel));
        }
      }
    }
  }
}
