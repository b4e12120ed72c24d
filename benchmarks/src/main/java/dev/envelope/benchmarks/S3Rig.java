package dev.envelope.benchmarks;

import dev.envelope.kms.KmsEmulator;
import java.io.IOException;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the S3 benchmarks run against: S3Proxy in process (memory store) over HTTPS or HTTP, optionally behind a
 * {@link ThrottledRelay} that caps each connection at 90 MB/s, and the KMS emulator with one key; and clients of
 * the SDK pointed at it (Apache 5 sync, Netty async) trusting its throw-away certificate.
 */
final class S3Rig implements AutoCloseable {
  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"));

  final URI endpoint;
  final KmsEmulator kms;
  final String keyArn;
  private final S3Proxy proxy;
  private final ThrottledRelay relay;
  private final LoopbackTls tls;

  private S3Rig(URI endpoint, KmsEmulator kms, String keyArn, S3Proxy proxy, ThrottledRelay relay,
      LoopbackTls tls) {
    this.endpoint = endpoint;
    this.kms = kms;
    this.keyArn = keyArn;
    this.proxy = proxy;
    this.relay = relay;
    this.tls = tls;
  }

  /** {@code transport}: https or http; {@code link}: loopback or 90MBps. */
  static S3Rig start(String transport, String link) throws Exception {
    boolean https = transport.equals("https");
    S3Proxy.Builder builder = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "bench", "bench")
        .v4MaxNonChunkedRequestSize(1L << 40);
    LoopbackTls tls = null;
    if (https) {
      tls = LoopbackTls.create();
      builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(tls.keyStorePath(), tls.password());
    } else if (transport.equals("http")) {
      builder.endpoint(URI.create("http://127.0.0.1:0"));
    } else {
      throw new IllegalArgumentException(transport);
    }
    S3Proxy proxy = builder.build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait();
    }
    int port = https ? proxy.getSecurePort() : proxy.getPort();
    ThrottledRelay relay = null;
    if (link.equals("90MBps")) {
      relay = ThrottledRelay.start(port, 90_000_000L);
      port = relay.port();
    } else if (!link.equals("loopback")) {
      throw new IllegalArgumentException(link);
    }
    KmsEmulator kms = KmsEmulator.builder().keepTrail(false).build();
    String keyArn = kms.client().createKey(b -> { }).keyMetadata().arn();
    return new S3Rig(URI.create((https ? "https" : "http") + "://127.0.0.1:" + port), kms, keyArn, proxy, relay,
        tls);
  }

  Apache5HttpClient.Builder apache() {
    Apache5HttpClient.Builder builder = Apache5HttpClient.builder().maxConnections(64);
    return tls == null ? builder : builder.tlsTrustManagersProvider(tls::trustManagers);
  }

  NettyNioAsyncHttpClient.Builder netty() {
    NettyNioAsyncHttpClient.Builder builder = NettyNioAsyncHttpClient.builder().maxConcurrency(64);
    return tls == null ? builder : builder.tlsTrustManagersProvider(tls::trustManagers);
  }

  S3Client sync() {
    return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClientBuilder(apache()).credentialsProvider(CREDENTIALS).build();
  }

  S3AsyncClient async() {
    return S3AsyncClient.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClientBuilder(netty()).credentialsProvider(CREDENTIALS).build();
  }

  @Override
  public void close() throws IOException {
    kms.close();
    if (relay != null) {
      relay.close();
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IOException("S3Proxy did not stop", e);
    }
    if (tls != null) {
      tls.close();
    }
  }
}
