package dev.envelope.benchmarks;

import dev.envelope.kms.KmsEmulator;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;

/**
 * KMS emulator calls per second through an AWS SDK {@link KmsClient}: in process (no sockets) and over HTTP
 * (loopback, the SDK's URLConnection client, SigV4 signing included). Run with {@code -t 8} for 8 client threads.
 * The HTTP server's own capacity, without the SDK client's cost, is measured by {@link KmsHttpLoad}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class KmsEmulatorBenchmark {
  private KmsEmulator emulator;
  private KmsClient inProcess;
  private KmsClient overHttp;
  private String keyArn;
  private SdkBytes ciphertext;

  @Setup
  public void setUp() throws IOException {
    emulator = KmsEmulator.builder().keepTrail(false).build();
    inProcess = emulator.client();
    overHttp = KmsClient.builder()
        .endpointOverride(emulator.startHttpServer(0).endpoint())
        .region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBENCH", "s")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
    keyArn = inProcess.createKey(b -> { }).keyMetadata().arn();
    ciphertext = inProcess.generateDataKey(b -> b.keyId(keyArn).keySpec(DataKeySpec.AES_256)).ciphertextBlob();
  }

  @TearDown
  public void tearDown() {
    emulator.close();
  }

  @Benchmark
  public Object inProcessGenerateDataKey() {
    return inProcess.generateDataKey(b -> b.keyId(keyArn).keySpec(DataKeySpec.AES_256));
  }

  @Benchmark
  public Object inProcessDecrypt() {
    return inProcess.decrypt(b -> b.ciphertextBlob(ciphertext));
  }

  @Benchmark
  public Object httpSdkGenerateDataKey() {
    return overHttp.generateDataKey(b -> b.keyId(keyArn).keySpec(DataKeySpec.AES_256));
  }

  @Benchmark
  public Object httpSdkDecrypt() {
    return overHttp.decrypt(b -> b.ciphertextBlob(ciphertext));
  }
}
