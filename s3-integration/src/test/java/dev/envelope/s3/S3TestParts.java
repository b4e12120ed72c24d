package dev.envelope.s3;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.kms.KmsEmulator;
import java.net.URI;
import java.util.Random;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded parts the S3 tests share in one JVM: S3Proxy 4.1.0 in-process (in-memory store; it starts in under
 * a second, where S3Mock takes ~3.5 s, and needs no Docker) and the KMS emulator with one symmetric key.
 */
final class S3TestParts {
  static final byte[] AES_KEY = new byte[32];
  private static S3Proxy proxy;
  private static KmsEmulator kms;
  private static String keyArn;
  private static SdkAsyncHttpClient sharedNetty;

  static {
    new Random(42).nextBytes(AES_KEY);
  }

  private S3TestParts() {}

  static synchronized URI s3Endpoint() {
    if (proxy == null) {
      proxy = start(new TransientNio2BlobStore());
      Runtime.getRuntime().addShutdownHook(new Thread(S3TestParts::stop));
    }
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  static S3Proxy start(BlobStore store) {
    return start(store, AuthenticationType.AWS_V2_OR_V4);
  }

  /**
   * S3Proxy on {@code store}; {@link AuthenticationType#NONE} for clients that sign as S3 Express does (service
   * {@code s3express}), which S3Proxy does not verify.
   */
  static S3Proxy start(BlobStore store, AuthenticationType authentication) {
    try {
      S3Proxy p = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(authentication, "test", "test")
          .v4MaxNonChunkedRequestSize(1L << 40).build();
      p.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(p.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start");
        }
        Thread.onSpinWait();
      }
      return p;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start S3Proxy", e);
    }
  }

  private static synchronized void stop() {
    try {
      if (proxy != null) {
        proxy.stop();
      }
    } catch (Exception ignored) {
      // shutting down
    }
  }

  static S3Client s3() {
    return s3(s3Endpoint());
  }

  static S3Client s3(URI endpoint) {
    return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }

  /**
   * An async client (Netty) on the shared S3Proxy. They share one HTTP client, which closing them leaves open:
   * closing a Netty client of its own takes each test two seconds (its event loops' quiet period).
   */
  static synchronized S3AsyncClient s3Async() {
    if (sharedNetty == null) {
      sharedNetty = NettyNioAsyncHttpClient.builder().maxConcurrency(200).build();
    }
    return s3Async(s3Endpoint()).httpClient(sharedNetty).build();
  }

  /** An async client on {@code http}, a Netty client of its own (closed with it). */
  static S3AsyncClient s3Async(URI endpoint, NettyNioAsyncHttpClient.Builder http) {
    return s3Async(endpoint).httpClientBuilder(http).build();
  }

  private static S3AsyncClientBuilder s3Async(URI endpoint) {
    return S3AsyncClient.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
  }

  static synchronized KmsClient kms() {
    if (kms == null) {
      kms = KmsEmulator.create();
      keyArn = kms.client().createKey(b -> b.description("s3 tests")).keyMetadata().arn();
    }
    return kms.client();
  }

  static synchronized String keyArn() {
    kms();
    return keyArn;
  }

  static synchronized KmsEmulator emulator() {
    kms();
    return kms;
  }

  static KmsKeyring kmsKeyring() {
    return KmsKeyring.create(kms(), keyArn());
  }

  static RawAesKeyring aesKeyring() {
    return RawAesKeyring.builder().keyNamespace("s3-tests").keyName("aes-1").wrappingKey(AES_KEY).build();
  }

  static String newBucket(S3Client s3, String prefix) {
    String bucket = prefix + "-" + Long.toHexString(System.nanoTime());
    s3.createBucket(b -> b.bucket(bucket));
    return bucket;
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
