package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.core.FileTransformerConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A 256 MiB object downloaded whole: {@code plain-stream}, the unencrypted single-stream GET; {@code plain-ranges},
 * an unencrypted parallel download by byte ranges (8 MiB ranges, 8 in flight, pinned by ETag: how the CRT-based
 * client downloads); {@code sdk-multipart}, the SDK's own unencrypted multipart download (its Java multipart client,
 * as the transfer manager uses it: parts by number, 8 in flight, to a file; needs {@code store=local-aws}, since
 * S3Proxy alone answers reads by part number 501); {@code framed}, {@code EncryptingS3Client.download} with the same
 * range size and parallelism, every range authenticated, to a stream that discards; {@code framed-file}, the same
 * to a file. The plain object is uploaded in 8 MiB parts, so its parts are the ranges.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class S3DownloadBenchmark {
  private static final long RANGE = 8L << 20;
  private static final int PARALLELISM = 8;

  @Param({"268435456"})
  public int size;

  @Param({"plain-stream", "plain-ranges", "sdk-multipart", "framed", "framed-file"})
  public String client;

  @Param({"local-aws"})
  public String store;

  @Param({"https"})
  public String transport;

  @Param({"90MBps"})
  public String link;

  private S3Rig rig;
  private S3Client plain;
  private EncryptingS3Client framed;
  private S3AsyncClient multipart;
  private ExecutorService pool;
  private Path target;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start(transport, link, store);
    plain = rig.sync();
    plain.createBucket(b -> b.bucket("bench"));
    framed = EncryptingS3Client.builder().wrappedClient(rig.sync())
        .keyring(KmsKeyring.create(rig.kms.client(), rig.keyArn)).parallelism(PARALLELISM).downloadRangeSize(RANGE)
        .build();
    multipart = S3AsyncClient.builder().endpointOverride(rig.endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClientBuilder(rig.netty()).credentialsProvider(S3Rig.CREDENTIALS).multipartEnabled(true)
        .multipartConfiguration(m -> m.minimumPartSizeInBytes(RANGE)
            .parallelConfiguration(p -> p.maxInFlightParts(PARALLELISM)))
        .build();
    pool = Executors.newFixedThreadPool(PARALLELISM);
    target = Files.createTempFile("envelope-bench-download", ".bin");
    byte[] data = new byte[size];
    new Random(1).nextBytes(data);
    if (client.startsWith("framed")) {
      framed.upload(PutObjectRequest.builder().bucket("bench").key("object").build(), new ByteArrayInputStream(data),
          size);
    } else {
      uploadInParts(data);
    }
  }

  /** The plain object in 8 MiB parts, as the SDK's multipart upload stores it: its parts are the ranges. */
  private void uploadInParts(byte[] data) {
    String uploadId = plain.createMultipartUpload(b -> b.bucket("bench").key("object")).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int first = 0, number = 1; first < data.length; first += (int) RANGE, number++) {
      int partNumber = number;
      byte[] part = java.util.Arrays.copyOfRange(data, first, (int) Math.min(data.length, first + RANGE));
      String eTag = plain.uploadPart(b -> b.bucket("bench").key("object").uploadId(uploadId).partNumber(partNumber),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(part)).eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
    }
    plain.completeMultipartUpload(b -> b.bucket("bench").key("object").uploadId(uploadId)
        .multipartUpload(m -> m.parts(parts)));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    pool.shutdownNow();
    multipart.close();
    Files.deleteIfExists(target);
    plain.close();
    framed.close();
    rig.close();
  }

  @Benchmark
  public long download() throws Exception {
    GetObjectRequest request = GetObjectRequest.builder().bucket("bench").key("object").build();
    switch (client) {
      case "framed" -> {
        return framed.download(request, OutputStream.nullOutputStream()).contentLength();
      }
      case "framed-file" -> {
        framed.download(request, target);
        return Files.size(target);
      }
      case "sdk-multipart" -> {
        multipart.getObject(request, AsyncResponseTransformer.toFile(target,
            FileTransformerConfiguration.defaultCreateOrReplaceExisting())).join();
        return Files.size(target);
      }
      case "plain-stream" -> {
        try (ResponseInputStream<GetObjectResponse> in = plain.getObject(request)) {
          return drain(in);
        }
      }
      case "plain-ranges" -> {
        String eTag = plain.headObject(b -> b.bucket("bench").key("object")).eTag();
        List<Future<Long>> ranges = new ArrayList<>();
        for (long first = 0; first < size; first += RANGE) {
          String range = "bytes=" + first + "-" + (Math.min(size, first + RANGE) - 1);
          ranges.add(pool.submit(() -> {
            try (InputStream in = plain.getObject(request.toBuilder().range(range).ifMatch(eTag).build())) {
              return drain(in);
            }
          }));
        }
        long total = 0;
        for (Future<Long> f : ranges) {
          total += f.get();
        }
        return total;
      }
      default -> throw new IllegalArgumentException(client);
    }
  }

  private static long drain(InputStream in) throws IOException {
    byte[] sink = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(sink)) >= 0) {
      total += n;
    }
    return total;
  }
}
