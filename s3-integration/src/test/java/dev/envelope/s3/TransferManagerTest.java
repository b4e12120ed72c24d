package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.DelegatingS3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.CompletedDirectoryUpload;
import software.amazon.awssdk.transfer.s3.model.FileDownload;
import software.amazon.awssdk.transfer.s3.model.ResumableFileDownload;
import software.amazon.awssdk.transfer.s3.progress.TransferListener;

/**
 * The SDK's {@link S3TransferManager} over {@link EncryptingS3AsyncClient}: plugged in as its client, it uploads
 * and downloads files and directories encrypted, with its progress listeners, pause and resume, and copies.
 */
class TransferManagerTest {
  private static final int FRAME = 4096;
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static String bucket;
  private static EncryptingS3AsyncClient framed;
  private static S3TransferManager transfers;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "transfers");
    framed = client(ObjectFormat.ENVELOPE_FRAMED);
    transfers = S3TransferManager.builder().s3Client(framed).build();
  }

  @AfterAll
  static void stop() {
    transfers.close();
    framed.close();
  }

  private static EncryptingS3AsyncClient client(ObjectFormat format) {
    EncryptingS3ClientBuilder b = EncryptingS3Client.builder().keyring(S3TestParts.aesKeyring())
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn())).writeFormat(format)
        .frameLength(FRAME).partSize(PART).multipartThreshold(PART).parallelism(3)
        .auditSink(new InMemoryAuditSink());
    if (format == ObjectFormat.S3EC_V2) {
      b.s3ecCommitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
    }
    return b.buildAsync(new AsS3Evaluates(S3TestParts.s3Async()));
  }

  /**
   * The wrapped client, with one emulator difference smoothed over: S3 compares If-Unmodified-Since to the second
   * (the header has no finer unit), S3Proxy 4.1 to the millisecond, so the transfer manager's resume (which sends
   * the object's Last-Modified back) fails there on any object not written on a whole second. The header is moved
   * to the end of its second, which is S3's comparison. Records the ranges of the GETs it passes on.
   */
  private static final class AsS3Evaluates extends DelegatingS3AsyncClient {
    final List<String> ranges = new CopyOnWriteArrayList<>();

    AsS3Evaluates(S3AsyncClient delegate) {
      super(delegate);
    }

    @Override
    public <T> CompletableFuture<T> getObject(GetObjectRequest request,
        AsyncResponseTransformer<GetObjectResponse, T> transformer) {
      ranges.add(String.valueOf(request.range()));
      Instant since = request.ifUnmodifiedSince();
      return super.getObject(since == null ? request : request.toBuilder().ifUnmodifiedSince(since.plusSeconds(1))
          .build(), transformer);
    }
  }

  /** Counts what the transfer manager reports. */
  private static final class Progress implements TransferListener {
    final AtomicLong bytes = new AtomicLong();
    final CountDownLatch complete = new CountDownLatch(1);
    volatile long total = -1;

    @Override
    public void bytesTransferred(Context.BytesTransferred context) {
      bytes.set(context.progressSnapshot().transferredBytes());
    }

    @Override
    public void transferComplete(Context.TransferComplete context) {
      total = context.progressSnapshot().transferredBytes();
      complete.countDown();
    }
  }

  @ParameterizedTest
  @EnumSource(value = ObjectFormat.class, names = "S3EC_V1", mode = EnumSource.Mode.EXCLUDE) // V1 is read-only
  void filesOfEverySizeGoUpAndDownWithProgress(ObjectFormat format, @TempDir Path dir) throws Exception {
    try (EncryptingS3AsyncClient client = client(format);
        S3TransferManager tm = S3TransferManager.builder().s3Client(client).build()) {
      for (long size : new long[] {0, 1, FRAME - 1, FRAME, FRAME + 1, PART, PART + 1, 2 * PART + FRAME + 3}) {
        Path in = dir.resolve("in-" + size);
        Files.write(in, S3TestParts.random((int) size, size));
        String key = format + "/file-" + size;
        Progress up = new Progress();
        tm.uploadFile(u -> u.source(in).putObjectRequest(p -> p.bucket(bucket).key(key)).addTransferListener(up))
            .completionFuture().join();
        assertTrue(up.complete.await(10, TimeUnit.SECONDS));
        assertEquals(size, up.total, "upload progress of " + size);
        Path out = dir.resolve("out-" + size);
        Progress down = new Progress();
        tm.downloadFile(d -> d.destination(out).getObjectRequest(g -> g.bucket(bucket).key(key))
            .addTransferListener(down)).completionFuture().join();
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(out), format + " " + size);
        assertTrue(down.complete.await(10, TimeUnit.SECONDS));
        assertEquals(size, down.total, "download progress counts plaintext, " + size);
        if (size > PART) {
          long parts = (size + PART - 1) / PART;
          String eTag = plain.headObject(h -> h.bucket(bucket).key(key)).eTag();
          assertTrue(eTag.endsWith("-" + parts + "\""), "above the threshold the transfer manager's upload is a "
              + "multipart upload in parallel parts: " + eTag);
        }
      }
    }
  }

  @Test
  void a64MibFileRoundTrips(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("big");
    try (var out = Files.newOutputStream(in)) {
      TestData.stream(64L << 20, 64).transferTo(out);
    }
    transfers.uploadFile(u -> u.source(in).putObjectRequest(p -> p.bucket(bucket).key("big")))
        .completionFuture().join();
    Path out = dir.resolve("big-out");
    transfers.downloadFile(d -> d.destination(out).getObjectRequest(g -> g.bucket(bucket).key("big")))
        .completionFuture().join();
    try (var a = Files.newInputStream(out)) {
      assertEquals(TestData.sha256(64L << 20, 64), TestData.sha256(a));
    }
  }

  @Test
  void directoriesGoUpEncryptedAndComeBackWhole(@TempDir Path dir) throws IOException {
    Path source = Files.createDirectories(dir.resolve("source"));
    Map<String, byte[]> files = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      String name = (i % 3 == 0 ? "sub/" : "") + "file-" + i + (i == 5 ? " ünïcödé" : "") + ".bin";
      byte[] data = S3TestParts.random(i * 1000 + 1, i);
      Path file = source.resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, data);
      files.put(name, data);
    }
    CompletedDirectoryUpload uploaded = transfers.uploadDirectory(u -> u.source(source).bucket(bucket)
        .s3Prefix("dir")).completionFuture().join();
    assertEquals(List.of(), uploaded.failedTransfers());
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      assertEquals(EncryptingS3Client.FRAMED_FORMAT_VALUE, plain.headObject(h -> h.bucket(bucket)
          .key("dir/" + f.getKey())).metadata().get(EncryptingS3Client.FORMAT_METADATA), "stored encrypted");
    }
    Path target = dir.resolve("target");
    assertEquals(List.of(), transfers.downloadDirectory(d -> d.destination(target).bucket(bucket)
        .listObjectsV2RequestTransformer(l -> l.prefix("dir/"))).completionFuture().join().failedTransfers());
    List<String> names = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(target)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String name = target.relativize(p).toString();
        names.add(name);
        assertArrayEquals(files.get(name), Files.readAllBytes(p), name);
      }
    }
    assertEquals(new ArrayList<>(files.keySet()), names.stream().sorted().toList());
  }

  @Test
  void aPausedDownloadResumes(@TempDir Path dir) throws Exception {
    byte[] data = S3TestParts.random((int) (3 * PART), 77);
    Path in = dir.resolve("in");
    Files.write(in, data);
    transfers.uploadFile(u -> u.source(in).putObjectRequest(p -> p.bucket(bucket).key("paused")))
        .completionFuture().join();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch paused = new CountDownLatch(1);
    TransferListener stall = new TransferListener() {
      @Override
      public void bytesTransferred(Context.BytesTransferred context) {
        if (context.progressSnapshot().transferredBytes() >= PART && reached.getCount() == 1) {
          reached.countDown();
          try {
            paused.await(30, TimeUnit.SECONDS); // holds the download here until the test has paused it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    Path out = dir.resolve("out");
    FileDownload download = transfers.downloadFile(d -> d.destination(out)
        .getObjectRequest(g -> g.bucket(bucket).key("paused")).addTransferListener(stall));
    assertTrue(reached.await(30, TimeUnit.SECONDS));
    ResumableFileDownload resumable = download.pause();
    paused.countDown();
    assertTrue(resumable.bytesTransferred() > 0 && resumable.bytesTransferred() < data.length,
        "paused part way: " + resumable.bytesTransferred());
    ResumableFileDownload restored = ResumableFileDownload.fromString(resumable.serializeToString());
    transfers.resumeDownloadFile(restored).completionFuture().join();
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  void aResumedDownloadFetchesOnlyTheRestThroughAnAuthenticatedRange(@TempDir Path dir) throws Exception {
    AsS3Evaluates wrapped = new AsS3Evaluates(S3TestParts.s3Async());
    try (EncryptingS3AsyncClient client = EncryptingS3Client.builder().keyring(S3TestParts.aesKeyring())
        .frameLength(FRAME).buildAsync(wrapped);
        S3TransferManager tm = S3TransferManager.builder().s3Client(client).build()) {
      byte[] data = S3TestParts.random((int) (2 * PART), 79);
      client.putObject(p -> p.bucket(bucket).key("resumed"), AsyncRequestBody.fromBytes(data)).join();
      // What a pause after 3 MiB leaves behind: the file so far, and what the transfer manager recorded.
      int done = 3 << 20;
      Path out = dir.resolve("out");
      Files.write(out, Arrays.copyOf(data, done));
      HeadObjectResponse head = client.headObject(h -> h.bucket(bucket).key("resumed")).join();
      ResumableFileDownload paused = ResumableFileDownload.builder()
          .downloadFileRequest(d -> d.destination(out).getObjectRequest(g -> g.bucket(bucket).key("resumed")))
          .bytesTransferred((long) done).totalSizeInBytes((long) data.length).s3ObjectEtag(head.eTag())
          .s3ObjectLastModified(head.lastModified())
          .fileLastModified(Instant.ofEpochMilli(out.toFile().lastModified())) // as the manager compares it
          .build();
      wrapped.ranges.clear();
      tm.resumeDownloadFile(paused).completionFuture().join();
      assertArrayEquals(data, Files.readAllBytes(out));
      String last = wrapped.ranges.get(wrapped.ranges.size() - 1);
      long firstByteFetched = Long.parseLong(last.substring("bytes=".length(), last.indexOf('-')));
      long frameStart = done + done / FRAME * 32L; // in the ciphertext, after the header
      assertTrue(firstByteFetched >= frameStart && firstByteFetched < frameStart + 1024,
          "only the frames from plaintext byte " + done + " on are fetched: " + wrapped.ranges);
    }
  }

  @Test
  void copiesStayDecryptableAndPresignedDownloadsAreRefused(@TempDir Path dir) throws IOException {
    byte[] data = S3TestParts.random(3 * FRAME + 1, 78);
    Path in = dir.resolve("in");
    Files.write(in, data);
    transfers.uploadFile(u -> u.source(in).putObjectRequest(p -> p.bucket(bucket).key("original")))
        .completionFuture().join();
    transfers.copy(c -> c.copyObjectRequest(r -> r.sourceBucket(bucket).sourceKey("original")
        .destinationBucket(bucket).destinationKey("copied"))).completionFuture().join();
    Path out = dir.resolve("copied");
    transfers.downloadFile(d -> d.destination(out).getObjectRequest(g -> g.bucket(bucket).key("copied")))
        .completionFuture().join();
    assertArrayEquals(data, Files.readAllBytes(out), "re-encrypted for its new key");

    java.net.URL url = java.net.URI.create("http://127.0.0.1/" + bucket + "/original").toURL();
    Throwable refused = assertThrows(Throwable.class, () -> transfers.downloadFileWithPresignedUrl(d -> d
        .destination(dir.resolve("presigned")).presignedUrlDownloadRequest(p -> p.presignedUrl(url)))
        .completionFuture().join());
    Throwable cause = refused instanceof CompletionException ? refused.getCause() : refused;
    assertTrue(cause instanceof UnsupportedOperationException, String.valueOf(cause));
    assertTrue(Files.notExists(dir.resolve("presigned")), "no ciphertext written");
  }
}
