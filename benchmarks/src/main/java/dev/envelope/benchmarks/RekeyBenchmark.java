package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import dev.envelope.s3.RekeyResult;
import java.io.InputStream;
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
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Re-keying one 1 GiB framed object in place, at 90 MB/s per connection over HTTPS: {@code header} (a new header,
 * the body copied inside S3 with UploadPartCopy) against {@code reencrypt} (download, decrypt, encrypt under a new
 * data key, upload in parallel parts: what re-keying costs without the header method). Each call moves the object
 * to the other of two KMS keys. The bytes each moved through the client are printed at tear-down. S3Proxy does the
 * server-side copy in process, at memory speed; real S3 copies inside its own network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(value = 1, jvmArgs = {"-Xmx10g"})
public class RekeyBenchmark {
  @Param({"1073741824"})
  public long size;

  @Param({"header", "reencrypt"})
  public String method;

  private S3Rig rig;
  private String otherKey;
  private ObjectRekeyer forward;
  private ObjectRekeyer back;
  private EncryptingS3Client[] clients;
  private int calls;
  private RekeyResult last;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start("https", "90MBps");
    otherKey = rig.kms.client().createKey(b -> { }).keyMetadata().arn();
    EncryptingS3Client a = client(rig.keyArn);
    EncryptingS3Client b = client(otherKey);
    clients = new EncryptingS3Client[] {a, b};
    a.createBucket(r -> r.bucket("bench"));
    RekeyMethod m = RekeyMethod.valueOf(method.toUpperCase(java.util.Locale.ROOT));
    forward = ObjectRekeyer.builder().client(a).newWrappingKeys(KmsKeyring.create(rig.kms.client(), otherKey))
        .method(m).build();
    back = ObjectRekeyer.builder().client(b).newWrappingKeys(KmsKeyring.create(rig.kms.client(), rig.keyArn))
        .method(m).build();
    a.upload(PutObjectRequest.builder().bucket("bench").key("object").build(), new RandomStream(size), size);
  }

  private EncryptingS3Client client(String arn) {
    return EncryptingS3Client.builder().wrappedClient(rig.sync()).keyring(KmsKeyring.create(rig.kms.client(), arn))
        .parallelism(8).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    System.out.printf("%n%s: last re-key moved %d bytes down and %d up through the client (%.3f%% of the object), "
        + "%d copied inside S3%n", method, last.bytesDownloaded(), last.bytesUploaded(),
        100.0 * (last.bytesDownloaded() + last.bytesUploaded()) / size, last.bytesCopiedInS3());
    for (EncryptingS3Client c : clients) {
      c.close();
    }
    rig.close();
  }

  @Benchmark
  public RekeyResult rekey() throws Exception {
    last = (calls++ % 2 == 0 ? forward : back).rekey("bench", "object");
    return last;
  }

  /** {@code length} pseudo-random bytes, made as they are read (no 1 GiB array). */
  static final class RandomStream extends InputStream {
    private final Random random = new Random(1);
    private long left;

    RandomStream(long length) {
      this.left = length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, b, off, n);
      left -= n;
      return n;
    }
  }
}
