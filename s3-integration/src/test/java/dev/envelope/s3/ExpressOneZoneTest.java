package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * S3 Express One Zone: a directory bucket's name ({@code base--zone--x-s3}) makes the SDK address and sign requests
 * as for S3 Express (service {@code s3express}). S3Proxy serves that addressing when it does not check signatures
 * and the SDK's session authentication (CreateSession, which S3Proxy lacks) is turned off; every write and read
 * path of the client then works as on a general purpose bucket. What S3Proxy cannot show (zonal endpoints, session
 * credentials, random ETags) is in the README.
 */
class ExpressOneZoneTest {
  private static final String BUCKET = "envelope--use1-az4--x-s3";
  private static final long PART = 5L << 20;
  private static S3Proxy proxy;
  private static S3Client s3;

  @BeforeAll
  static void start() {
    proxy = S3TestParts.start(new TransientNio2BlobStore(), AuthenticationType.NONE);
    s3 = express();
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  /** A client as S3 Express users build one, with session authentication off (S3Proxy has no CreateSession). */
  private static S3Client express() {
    return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort())).forcePathStyle(true)
        .region(Region.US_EAST_1).disableS3ExpressSessionAuth(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.stop();
  }

  private static EncryptingS3ClientBuilder builder() {
    return EncryptingS3Client.builder().wrappedClient(express()).keyring(S3TestParts.aesKeyring()).frameLength(4096)
        .partSize(PART).multipartThreshold(PART).downloadRangeSize(1 << 20).auditSink(new InMemoryAuditSink());
  }

  @Test
  void everyWriteAndReadPathWorksOnADirectoryBucket(@TempDir Path dir) throws IOException {
    try (EncryptingS3Client client = builder().build()) {
      byte[] small = S3TestParts.random(10_000, 1);
      client.putObject(b -> b.bucket(BUCKET).key("dir/small"), RequestBody.fromBytes(small));
      assertArrayEquals(small, client.getObjectAsBytes(b -> b.bucket(BUCKET).key("dir/small")).asByteArray());
      assertArrayEquals(java.util.Arrays.copyOfRange(small, 5000, 6000), client.getObjectAsBytes(b -> b
          .bucket(BUCKET).key("dir/small").range("bytes=5000-5999")).asByteArray());

      byte[] big = S3TestParts.random((int) (2 * PART + 17), 2);
      client.upload(PutObjectRequest.builder().bucket(BUCKET).key("dir/big").build(), new ByteArrayInputStream(big),
          big.length);
      Path out = dir.resolve("big");
      client.download(GetObjectRequest.builder().bucket(BUCKET).key("dir/big").build(), out);
      assertArrayEquals(big, Files.readAllBytes(out), "parallel ranges pinned by ETag");

      Path file = dir.resolve("resumable");
      Files.write(file, big);
      client.resumableUploader().upload(PutObjectRequest.builder().bucket(BUCKET).key("dir/resumed").build(), file,
          UploadCheckpoint.file(dir.resolve("state")));
      assertArrayEquals(big, client.getObjectAsBytes(b -> b.bucket(BUCKET).key("dir/resumed")).asByteArray());

      client.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("dir/small").destinationBucket(BUCKET)
          .destinationKey("dir/copied"));
      assertArrayEquals(small, client.getObjectAsBytes(b -> b.bucket(BUCKET).key("dir/copied")).asByteArray());
    }
  }

  @Test
  void s3ecObjectsWithInstructionFilesToo() {
    try (EncryptingS3Client client = builder().writeFormat(ObjectFormat.S3EC_V3)
        .metadataLocation(MetadataLocation.INSTRUCTION_FILE)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes-1", Map.of()))
        .build()) {
      byte[] data = S3TestParts.random(70_000, 3);
      client.putObject(b -> b.bucket(BUCKET).key("s3ec/object"), RequestBody.fromBytes(data));
      assertEquals(2, s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("s3ec/")).keyCount(), "object and instruction");
      assertArrayEquals(data, client.getObjectAsBytes(b -> b.bucket(BUCKET).key("s3ec/object")).asByteArray());
      client.deleteObject(b -> b.bucket(BUCKET).key("s3ec/object"));
      assertEquals(0, s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("s3ec/")).keyCount());
    }
  }
}
