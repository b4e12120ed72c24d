package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * {@code download}: framed objects in parallel frame-aligned ranges, each frame authenticated before it is
 * written, all pinned to one ETag; all or nothing to a file.
 */
class ParallelDownloadTest {
  private static final int FRAME = 4096;
  private static final int RANGE = 4 * FRAME;
  private static final int PARALLELISM = 3;
  private static S3Client plain;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "downloads");
  }

  /** The wrapped client's requests, counted. */
  private static final class Counting extends DelegatingS3Client {
    final AtomicInteger heads = new AtomicInteger();
    final AtomicInteger rangedGets = new AtomicInteger();
    final AtomicInteger wholeGets = new AtomicInteger();

    Counting() {
      super(S3TestParts.s3());
    }

    @Override
    public HeadObjectResponse headObject(HeadObjectRequest request) {
      heads.incrementAndGet();
      return super.headObject(request);
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
      (request.range() == null ? wholeGets : rangedGets).incrementAndGet();
      return super.getObject(request);
    }
  }

  private static EncryptingS3ClientBuilder builder(S3Client wrapped, InMemoryAuditSink audit) {
    return EncryptingS3Client.builder().wrappedClient(wrapped).keyring(S3TestParts.aesKeyring()).frameLength(FRAME)
        .downloadRangeSize(RANGE).parallelism(PARALLELISM).partSize(5L << 20).multipartThreshold(5L << 20)
        .auditSink(audit);
  }

  private static byte[] put(EncryptingS3Client client, String key, int size) throws IOException {
    byte[] data = S3TestParts.random(size, size);
    client.upload(PutObjectRequest.builder().bucket(bucket).key(key).build(), new ByteArrayInputStream(data), size);
    return data;
  }

  @Test
  void everySizeRoundTripsToAFileAndToAStream(@TempDir Path dir) throws IOException {
    Counting counting = new Counting();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    EncryptingS3Client client = builder(counting, audit).build();
    int[] sizes = {0, 1, FRAME - 1, FRAME, FRAME + 1, RANGE - 1, RANGE, RANGE + 1, 3 * RANGE, 3 * RANGE + FRAME + 7,
        (5 << 20) + 3 * FRAME + 1}; // the last one in two multipart parts
    for (int size : sizes) {
      byte[] data = put(client, "size-" + size, size);
      Path file = dir.resolve("size-" + size);
      counting.heads.set(0);
      counting.rangedGets.set(0);
      counting.wholeGets.set(0);
      audit.clear();
      GetObjectResponse response = client.download(GetObjectRequest.builder().bucket(bucket).key("size-" + size)
          .build(), file);
      assertArrayEquals(data, Files.readAllBytes(file), "file of " + size);
      assertEquals(size, response.contentLength(), "length of " + size);
      long objectLength = plain.headObject(b -> b.bucket(bucket).key("size-" + size)).contentLength();
      assertEquals(1, counting.heads.get(), "one HEAD for " + size);
      if (objectLength > RANGE) {
        int ranges = (size + RANGE - 1) / RANGE;
        assertEquals(ranges + 1, counting.rangedGets.get(), "the header's GET, then one per range, for " + size);
        assertEquals(0, counting.wholeGets.get());
      } else {
        assertEquals(1, counting.wholeGets.get(), "an object of at most one range is one GET, for " + size);
      }
      List<AuditEvent> events = audit.events();
      assertEquals(1, events.size(), "one event per download: the data key was unwrapped once, for " + size);
      assertEquals(AuditEvent.Operation.DECRYPT, events.get(0).operation());
      assertEquals(AuditEvent.Outcome.SUCCESS, events.get(0).outcome());
      assertEquals(size, events.get(0).byteCount());

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(size, client.download(GetObjectRequest.builder().bucket(bucket).key("size-" + size).build(), out)
          .contentLength());
      assertArrayEquals(data, out.toByteArray(), "stream of " + size);
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(sizes.length, left.count(), "no temporary file is left beside the targets");
    }
  }

  @Test
  void rangesAreFetchedInParallel(@TempDir Path dir) throws IOException {
    EncryptingS3Client writer = builder(S3TestParts.s3(), new InMemoryAuditSink()).build();
    byte[] data = put(writer, "parallel", 2 * PARALLELISM * RANGE);
    // Each range GET waits until PARALLELISM of them have started: one range at a time would never get there.
    CountDownLatch started = new CountDownLatch(PARALLELISM + 1); // the header's GET counts too
    S3Client gated = new DelegatingS3Client(S3TestParts.s3()) {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        started.countDown();
        if (!request.range().startsWith("bytes=0-")) {
          try {
            assertTrue(started.await(30, TimeUnit.SECONDS), "ranges ran one at a time");
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return super.getObject(request);
      }
    };
    Path file = dir.resolve("parallel");
    builder(gated, new InMemoryAuditSink()).build().download(GetObjectRequest.builder().bucket(bucket)
        .key("parallel").build(), file);
    assertArrayEquals(data, Files.readAllBytes(file));
  }

  /** Rewrites the stored object's bytes with the plain client, keeping its metadata. */
  private static void rewrite(String key, java.util.function.UnaryOperator<byte[]> change) {
    var stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key));
    plain.putObject(b -> b.bucket(bucket).key(key).metadata(stored.response().metadata()),
        RequestBody.fromBytes(change.apply(stored.asByteArray())));
  }

  @Test
  void aTamperedFrameFailsTheDownloadAndLeavesTheTargetAsItWas(@TempDir Path dir) throws IOException {
    InMemoryAuditSink audit = new InMemoryAuditSink();
    EncryptingS3Client client = builder(S3TestParts.s3(), audit).build();
    int size = 5 * RANGE + 100;
    put(client, "tampered", size);
    long objectLength = plain.headObject(b -> b.bucket(bucket).key("tampered")).contentLength();
    long headerLength = objectLength - (size / FRAME) * (FRAME + 32L) - (size % FRAME + 40);
    int frame = 13; // in the fourth range
    rewrite("tampered", bytes -> {
      bytes[(int) (headerLength + (frame - 1) * (FRAME + 32L) + 16 + 100)] ^= 1;
      return bytes;
    });
    Path target = dir.resolve("target");
    Files.writeString(target, "what was there before");
    audit.clear();
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> client.download(GetObjectRequest.builder().bucket(bucket).key("tampered").build(), target));
    assertEquals("Frame " + frame + " failed authentication: the message was modified", e.getMessage());
    assertEquals("what was there before", Files.readString(target));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList(), "no partial or temporary file");
    }
    List<AuditEvent> events = audit.events();
    assertEquals(1, events.size());
    assertEquals(AuditEvent.Outcome.FAILURE, events.get(0).outcome());
    assertEquals("AuthenticationFailedException", events.get(0).errorClass().orElseThrow());

    AuthenticationFailedException toStream = assertThrows(AuthenticationFailedException.class,
        () -> client.download(GetObjectRequest.builder().bucket(bucket).key("tampered").build(),
            new ByteArrayOutputStream()));
    assertEquals(e.getMessage(), toStream.getMessage());
  }

  @Test
  void aTruncatedOrExtendedObjectFailsTheDownload(@TempDir Path dir) throws IOException {
    EncryptingS3Client client = builder(S3TestParts.s3(), new InMemoryAuditSink()).build();
    int size = 4 * RANGE; // ends on a frame boundary: an empty final frame follows
    put(client, "cut", size);
    rewrite("cut", bytes -> Arrays.copyOf(bytes, bytes.length - 40)); // the empty final frame dropped
    Path target = dir.resolve("cut");
    MalformedMessageException cut = assertThrows(MalformedMessageException.class,
        () -> client.download(GetObjectRequest.builder().bucket(bucket).key("cut").build(), target));
    assertTrue(cut.getMessage().contains("the object was truncated or extended"), cut.getMessage());
    assertTrue(Files.notExists(target));

    put(client, "longer", size);
    rewrite("longer", bytes -> Arrays.copyOf(bytes, bytes.length + FRAME + 32)); // a frame's worth appended
    assertThrows(MalformedMessageException.class,
        () -> client.download(GetObjectRequest.builder().bucket(bucket).key("longer").build(), target));
    assertTrue(Files.notExists(target));
  }

  @Test
  void anObjectReplacedDuringTheDownloadFailsItWithNothingWritten(@TempDir Path dir) throws IOException {
    EncryptingS3Client writer = builder(S3TestParts.s3(), new InMemoryAuditSink()).build();
    put(writer, "replaced", 6 * RANGE);
    AtomicInteger gets = new AtomicInteger();
    S3Client racing = new DelegatingS3Client(S3TestParts.s3()) {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        if (gets.incrementAndGet() == 3) { // after the header and the first range were fetched
          plain.putObject(b -> b.bucket(bucket).key("replaced"), RequestBody.fromString("another object"));
        }
        return super.getObject(request);
      }
    };
    EncryptingS3Client reader = builder(racing, new InMemoryAuditSink()).parallelism(1).build();
    Path target = dir.resolve("replaced");
    ObjectChangedException e = assertThrows(ObjectChangedException.class,
        () -> reader.download(GetObjectRequest.builder().bucket(bucket).key("replaced").build(), target));
    assertTrue(e.getMessage().startsWith("s3://" + bucket + "/replaced changed while it was downloaded (its ETag "
        + "was "), e.getMessage());
    assertEquals(412, ((software.amazon.awssdk.services.s3.model.S3Exception) e.getCause()).statusCode());
    assertTrue(Files.notExists(target));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void s3ecObjectsAndSmallObjectsAreOneStreamPinnedToTheHeadsEtag(@TempDir Path dir) throws IOException {
    Counting counting = new Counting();
    EncryptingS3Client client = builder(counting, new InMemoryAuditSink()).writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes-1", Map.of()))
        .build();
    byte[] data = S3TestParts.random(10 * RANGE, 7);
    client.putObject(b -> b.bucket(bucket).key("s3ec"), RequestBody.fromBytes(data));
    Path file = dir.resolve("s3ec");
    client.download(GetObjectRequest.builder().bucket(bucket).key("s3ec").build(), file);
    assertArrayEquals(data, Files.readAllBytes(file));
    assertEquals(1, counting.wholeGets.get(), "S3EC objects authenticate only whole: one stream");
    assertEquals(0, counting.rangedGets.get());
  }

  @Test
  void aRangeSizeOutOfBoundsIsRefusedAtBuildTime() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder(S3TestParts.s3(), new InMemoryAuditSink()).downloadRangeSize(0).build());
    assertEquals("downloadRangeSize must be between 1 byte and 2 GiB: 0", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> builder(S3TestParts.s3(), new InMemoryAuditSink()).downloadRangeSize(3L << 30).build());
  }

  @Test
  void keysAndTargetsWithSpacesAndNonAsciiWork(@TempDir Path dir) throws IOException {
    EncryptingS3Client client = builder(S3TestParts.s3(), new InMemoryAuditSink()).build();
    byte[] data = put(client, "dossier/ünïcödé name.bin", 3 * RANGE + 1);
    Path file = dir.resolve("ünïcödé target.bin");
    client.download(GetObjectRequest.builder().bucket(bucket).key("dossier/ünïcödé name.bin").build(), file);
    assertArrayEquals(data, Files.readAllBytes(file));
  }
}
