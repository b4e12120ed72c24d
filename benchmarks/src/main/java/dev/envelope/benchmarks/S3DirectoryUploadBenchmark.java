package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.CompletedDirectoryUpload;

/**
 * The SDK's transfer manager uploading a directory of 1,000 files of 100 KB: over the unencrypted S3AsyncClient
 * ({@code plain-tm}) and over {@code EncryptingS3AsyncClient} on the same client ({@code envelope-tm}), with the
 * transfer manager's defaults for both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class S3DirectoryUploadBenchmark {
  @Param({"plain-tm", "envelope-tm"})
  public String client;

  @Param({"1000"})
  public int files;

  @Param({"102400"})
  public int fileSize;

  @Param({"https"})
  public String transport;

  @Param({"90MBps"})
  public String link;

  private S3Rig rig;
  private S3AsyncClient async;
  private S3TransferManager transfers;
  private Path directory;
  private int run;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start(transport, link);
    async = client.equals("plain-tm") ? rig.async()
        : EncryptingS3Client.builder().keyring(KmsKeyring.create(rig.kms.client(), rig.keyArn))
            .buildAsync(rig.async());
    async.createBucket(b -> b.bucket("bench")).join();
    transfers = S3TransferManager.builder().s3Client(async).build();
    directory = Files.createTempDirectory("envelope-dir-upload");
    Random random = new Random(1);
    byte[] data = new byte[fileSize];
    for (int i = 0; i < files; i++) {
      random.nextBytes(data);
      Files.write(directory.resolve("file-" + i), data);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    transfers.close();
    async.close();
    rig.close();
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int uploadDirectory() {
    CompletedDirectoryUpload done = transfers.uploadDirectory(u -> u.source(directory).bucket("bench")
        .s3Prefix("run-" + run++)).completionFuture().join();
    if (!done.failedTransfers().isEmpty()) {
      throw new IllegalStateException(done.failedTransfers().size() + " files failed: "
          + done.failedTransfers().get(0).exception());
    }
    return files;
  }
}
