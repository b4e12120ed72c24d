package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectHeaderInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Which keys protect 10,000 framed objects of 64 KiB, at 90 MB/s per connection over HTTPS, 16 requests in flight:
 * {@code headers} ({@link ObjectHeaderInfo#read}: one ranged GET of the first 8 KiB per object, what {@code
 * envelope inventory} does) against {@code full-get} (every object read whole, the only way without a header
 * parser). Requests and bytes of each are printed at tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class InventoryBenchmark {
  private static final int OBJECTS = 10_000;
  private static final int SIZE = 64 * 1024;
  private static final int IN_FLIGHT = 16;

  @Param({"headers", "full-get"})
  public String method;

  private S3Rig rig;
  private S3Client s3;
  private ExecutorService pool;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private long passes;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start("https", "90MBps");
    s3 = rig.sync();
    s3.createBucket(b -> b.bucket("bench"));
    pool = Executors.newFixedThreadPool(IN_FLIGHT);
    EncryptingS3Client writer = EncryptingS3Client.builder().wrappedClient(rig.sync())
        .keyring(KmsKeyring.create(rig.kms.client(), rig.keyArn)).build();
    byte[] data = new byte[SIZE];
    new Random(1).nextBytes(data);
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < OBJECTS; i++) {
      String key = String.format("orders/%05d", i);
      puts.add(pool.submit(() -> writer.putObject(b -> b.bucket("bench").key(key), RequestBody.fromBytes(data))));
    }
    for (Future<?> f : puts) {
      f.get();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    System.out.printf("%n%s: %d requests, %d bytes per pass%n", method, requests.get() / Math.max(1, passes),
        bytes.get() / Math.max(1, passes));
    pool.shutdownNow();
    s3.close();
    rig.close();
  }

  @Benchmark
  public long inventory() throws Exception {
    passes++;
    List<Future<Long>> reads = new ArrayList<>();
    for (int i = 0; i < OBJECTS; i++) {
      String key = String.format("orders/%05d", i);
      reads.add(pool.submit(() -> {
        if (method.equals("headers")) {
          ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, "bench", key);
          requests.addAndGet(info.requests());
          bytes.addAndGet(info.bytesRead());
          return (long) info.wrappingKeyIds().size();
        }
        long n = s3.getObjectAsBytes(b -> b.bucket("bench").key(key)).asByteArray().length;
        requests.incrementAndGet();
        bytes.addAndGet(n);
        return n;
      }));
    }
    long total = 0;
    for (Future<Long> f : reads) {
      total += f.get();
    }
    return total;
  }
}
