package dev.envelope.benchmarks;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.encryption.s3.S3EncryptionClient;

/**
 * Put and get of one object through each client, against the same in-process S3 emulator (S3Proxy, memory
 * store) and the same in-process KMS emulator, in one run: {@code plain} is an unencrypted S3Client (the
 * ceiling), {@code framed} and {@code v3} are EncryptingS3Client in its default format and in the S3EC V3 format,
 * {@code s3ec} is the S3 Encryption Client for Java 4.0.1 with its defaults (V3, buffered authenticated reads,
 * buffer raised to fit 256 MiB). Every client uses the SDK's Apache 5 HTTP client (its default). Bytes are
 * consumed, not kept.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class S3Benchmark {
  @Param({"1048576", "268435456"})
  public int size;

  /** {@code plain-async}: the SDK's unencrypted async (Netty) client, the transport the S3 Encryption Client uses. */
  @Param({"plain", "plain-async", "framed", "framed-upload", "v3", "s3ec"})
  public String client;

  private S3Proxy proxy;
  private KmsEmulator kms;
  private S3Client s3;
  private S3AsyncClient async;
  private byte[] data;
  private final byte[] sink = new byte[1 << 16];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "bench", "bench")
        .v4MaxNonChunkedRequestSize(1L << 40).build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    kms = KmsEmulator.builder().keepTrail(false).build();
    KmsClient kmsClient = kms.client();
    String keyArn = kmsClient.createKey(b -> { }).keyMetadata().arn();
    S3Client wrapped = plainClient(endpoint);
    wrapped.createBucket(b -> b.bucket("bench"));
    s3 = switch (client) {
      case "plain", "plain-async" -> wrapped;
      case "framed", "framed-upload" -> EncryptingS3Client.builder().wrappedClient(wrapped)
          .keyring(KmsKeyring.create(kmsClient, keyArn)).build();
      case "v3" -> EncryptingS3Client.builder().wrappedClient(wrapped).writeFormat(ObjectFormat.S3EC_V3)
          .s3ecKeyring(KmsS3ecKeyring.create(kmsClient, keyArn)).build();
      case "s3ec" -> S3EncryptionClient.builderV4()
          .keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder().kmsClient(kmsClient)
              .wrappingKeyId(keyArn).build())
          .setBufferSize(300L << 20)
          .endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
          .httpClientBuilder(Apache5HttpClient.builder())
          .build();
      default -> throw new IllegalArgumentException(client);
    };
    if (client.equals("plain-async")) {
      async = S3AsyncClient.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
          .build();
    }
    data = new byte[size];
    new Random(1).nextBytes(data);
    put();
  }

  private static S3Client plainClient(URI endpoint) {
    return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClientBuilder(Apache5HttpClient.builder())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (async != null) {
      async.close();
    }
    s3.close();
    kms.close();
    proxy.stop();
  }

  @Benchmark
  public Object put() throws IOException {
    if (async != null) {
      return async.putObject(b -> b.bucket("bench").key("object"), AsyncRequestBody.fromBytesUnsafe(data)).join();
    }
    if (client.equals("framed-upload")) {
      // The high-level upload: above 16 MiB, 8 MiB parts encrypted and sent 4 at a time.
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
