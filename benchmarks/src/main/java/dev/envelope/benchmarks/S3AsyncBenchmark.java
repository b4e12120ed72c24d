package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3AsyncClient;
import dev.envelope.s3.EncryptingS3Client;
import java.util.Random;
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
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.encryption.s3.S3AsyncEncryptionClient;

/**
 * Async put and get of one object: {@code plain-async}, the SDK's unencrypted S3AsyncClient (Netty); {@code
 * envelope-async}, {@link EncryptingS3AsyncClient} over the same client in its default format (above 16 MiB a put
 * is 8 MiB parts, 4 in flight); {@code s3ec-async}, the S3 Encryption Client for Java 4.0.1's async client with
 * its defaults but a buffer that fits 256 MiB. Gets collect the plaintext in memory ({@code toBytes}), as a
 * caller of either would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 6)
@Measurement(iterations = 3, time = 9)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class S3AsyncBenchmark {
  @Param({"1048576", "268435456"})
  public int size;

  @Param({"plain-async", "envelope-async", "s3ec-async"})
  public String client;

  @Param({"https"})
  public String transport;

  @Param({"90MBps"})
  public String link;

  private S3Rig rig;
  private S3AsyncClient async;
  private byte[] data;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start(transport, link);
    async = switch (client) {
      case "plain-async" -> rig.async();
      case "envelope-async" -> EncryptingS3Client.builder().keyring(KmsKeyring.create(rig.kms.client(), rig.keyArn))
          .buildAsync(rig.async());
      case "s3ec-async" -> S3AsyncEncryptionClient.builderV4()
          .keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder().kmsClient(rig.kms.client())
              .wrappingKeyId(rig.keyArn).build())
          .setBufferSize(300L << 20) // its default (64 MiB) refuses to read a 256 MiB object
          .endpointOverride(rig.endpoint).forcePathStyle(true).region(Region.US_EAST_1)
          .credentialsProvider(S3Rig.CREDENTIALS).httpClientBuilder(rig.netty()).build();
      default -> throw new IllegalArgumentException(client);
    };
    async.createBucket(b -> b.bucket("bench")).join();
    data = new byte[size];
    new Random(1).nextBytes(data);
    put();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    async.close();
    rig.close();
  }

  @Benchmark
  public Object put() {
    return async.putObject(b -> b.bucket("bench").key("object"), AsyncRequestBody.fromBytesUnsafe(data)).join();
  }

  @Benchmark
  public int get() {
    int read = async.getObject(b -> b.bucket("bench").key("object"), AsyncResponseTransformer.toBytes()).join()
        .asByteArrayUnsafe().length;
    if (read != size) {
      throw new IllegalStateException("read " + read + " of " + size);
    }
    return read;
  }
}
