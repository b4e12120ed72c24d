package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.encryption.s3.S3EncryptionClient;

/**
 * Put and get of one object through each client, against the same in-process S3 emulator (S3Proxy, memory
 * store) and the same in-process KMS emulator, in one run. Bytes are consumed, not kept.
 *
 * <p>Clients: {@code plain} an unencrypted S3Client (the ceiling; Apache 5, the SDK's default sync transport),
 * {@code plain-async} the SDK's unencrypted S3AsyncClient (Netty, the transport the S3 Encryption Client uses);
 * {@code framed} and {@code v3} EncryptingS3Client's putObject/getObject in its default format and in the S3EC V3
 * format, {@code framed-upload} its {@code upload()} (8 MiB parts encrypted independently, 4 in flight, its
 * defaults); {@code s3ec} the S3 Encryption Client for Java 4.0.1 with its defaults (V3, buffered authenticated
 * reads, buffer raised to fit 256 MiB), {@code s3ec-multipart} the same with its multipart putObject.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class S3Benchmark {
  private static final long PART_SIZE = 8L << 20;
  private static final int PARTS_IN_FLIGHT = 4;

  @Param({"1048576", "268435456"})
  public int size;

  @Param({"plain", "plain-async", "framed", "framed-upload", "v3", "v3-memory", "v3-delayed", "s3ec",
      "s3ec-multipart"})
  public String client;

  /**
   * {@code https} is how every client meets real S3. {@code http} is kept because over plain HTTP the SDK's sync
   * client signs every payload chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, a SHA-256 per chunk on both
   * sides) while its async client sends the payload unsigned, a difference that does not exist over HTTPS.
   * Only {@code https} by default (a bare run is long enough); {@code -p transport=http} for the other.
   */
  @Param({"https"})
  public String transport;

  /**
   * {@code loopback}: nothing between client and emulator, so every client is bound by the CPU the two share.
   * {@code 90MBps}: each connection capped at 90 MB/s each way by a {@link ThrottledRelay}, as one S3 connection is.
   * Only {@code loopback} by default; {@code -p link=90MBps} for the other (3 s per 256 MiB operation).
   */
  @Param({"loopback"})
  public String link;

  private S3Rig rig;
  private S3Client s3;
  private S3AsyncClient async;
  private byte[] data;
  private final byte[] sink = new byte[1 << 16];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = S3Rig.start(transport, link);
    KmsClient kmsClient = rig.kms.client();
    String keyArn = rig.keyArn;
    S3Client wrapped = rig.sync();
    wrapped.createBucket(b -> b.bucket("bench"));
    s3 = switch (client) {
      case "plain", "plain-async" -> wrapped;
      case "framed", "framed-upload" -> EncryptingS3Client.builder().wrappedClient(wrapped)
          .keyring(KmsKeyring.create(kmsClient, keyArn)).partSize(PART_SIZE).parallelism(PARTS_IN_FLIGHT).build();
      // v3: the S3EC V3 format with our defaults (plaintext held until the tag verifies: 16 MiB in memory, the rest
      // in an encrypted spill file); v3-memory: held in memory like the S3EC's 300 MiB buffer below, like for like;
      // v3-delayed: released before the tag, the S3EC's delayed-authentication mode (the only mode before 2026-12).
      case "v3", "v3-memory", "v3-delayed" -> EncryptingS3Client.builder().wrappedClient(wrapped)
          .writeFormat(ObjectFormat.S3EC_V3).s3ecKeyring(KmsS3ecKeyring.create(kmsClient, keyArn))
          .authenticationBufferSize(client.equals("v3-memory") ? 300L << 20
              : EncryptingS3Client.DEFAULT_AUTHENTICATION_BUFFER_SIZE)
          .enableDelayedAuthenticationMode(client.equals("v3-delayed")).build();
      case "s3ec", "s3ec-multipart" -> S3EncryptionClient.builderV4()
          .keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder().kmsClient(kmsClient)
              .wrappingKeyId(keyArn).build())
          .setBufferSize(300L << 20)
          .enableMultipartPutObject(client.equals("s3ec-multipart"))
          .endpointOverride(rig.endpoint).forcePathStyle(true).region(Region.US_EAST_1)
          .credentialsProvider(S3Rig.CREDENTIALS)
          .httpClientBuilder(rig.apache())
          .asyncHttpClientBuilder(rig.netty())
          .build();
      default -> throw new IllegalArgumentException(client);
    };
    if (client.equals("plain-async")) {
      async = rig.async();
    }
    data = new byte[size];
    new Random(1).nextBytes(data);
    put();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (async != null) {
      async.close();
    }
    s3.close();
    rig.close();
  }

  @Benchmark
  public Object put() throws IOException {
    if (async != null) {
      return async.putObject(b -> b.bucket("bench").key("object"), AsyncRequestBody.fromBytesUnsafe(data)).join();
    }
    if (client.equals("framed-upload")) {
      // The high-level upload: above 16 MiB, 8 MiB parts encrypted and sent 4 at a time; below, one putObject.
      ((EncryptingS3Client) s3).upload(PutObjectRequest.builder().bucket("bench").key("object").build(),
          new ByteArrayInputStream(data), size);
      return s3;
    }
    // A provider, not fromBytes: fromBytes copies the array, which would be measured too.
    return s3.putObject(b -> b.bucket("bench").key("object"),
        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data), size, "application/octet-stream"));
  }

  @Benchmark
  public long get() throws IOException {
    if (async != null) {
      long read = async.getObject(b -> b.bucket("bench").key("object"), AsyncResponseTransformer.toBytes()).join()
          .asByteArrayUnsafe().length;
      if (read != size) {
        throw new IllegalStateException("read " + read + " of " + size);
      }
      return read;
    }
    long total = 0;
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket("bench").key("object"))) {
      int n;
      while ((n = in.read(sink)) >= 0) {
        total += n;
      }
    }
    if (total != size) {
      throw new IllegalStateException("read " + total + " of " + size);
    }
    return total;
  }
}
