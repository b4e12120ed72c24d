package dev.envelope.benchmarks;

import dev.envelope.kms.KmsEmulator;
import dev.envelope.localaws.LocalAws;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
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
 * What the S3 benchmarks run against: S3Proxy in process (memory store) over HTTPS or HTTP, or local-aws's S3
 * (S3Proxy behind its front door, which also serves reads by part number: what the SDK's multipart download needs),
 * optionally behind a {@link ThrottledRelay} that caps each connection at 90 MB/s, and the KMS emulator with one
 * key; and clients of the SDK pointed at it (Apache 5 sync, Netty async) trusting its throw-away certificate.
 */
final class S3Rig implements AutoCloseable {
  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"));

  final URI endpoint;
  final KmsEmulator kms;
  final String keyArn;
  private final AutoCloseable store;
  private final ThrottledRelay relay;
  private final LoopbackTls tls;

  private S3Rig(URI endpoint, KmsEmulator kms, String keyArn, AutoCloseable store, ThrottledRelay relay,
      LoopbackTls tls) {
    this.endpoint = endpoint;
    this.kms = kms;
    this.keyArn = keyArn;
    this.store = store;
    this.relay = relay;
    this.tls = tls;
  }

  /** {@code transport}: https or http; {@code link}: loopback or 90MBps; S3Proxy itself. */
  static S3Rig start(String transport, String link) throws Exception {
    return start(transport, link, "s3proxy");
  }

  /** As {@link #start(String, String)}, with {@code store} s3proxy or local-aws. */
  static S3Rig start(String transport, String link, String store) throws Exception {
    if (store.equals("local-aws")) {
      return startLocalAws(transport, link);
    } else if (!store.equals("s3proxy")) {
      throw new IllegalArgumentException(store);
    }
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
    return withKmsAndLink(https, port, link, proxy::stop, tls);
  }

  private static S3Rig startLocalAws(String transport, String link) throws Exception {
    boolean https = transport.equals("https");
    LoopbackTls tls = null;
    LocalAws.Builder builder = LocalAws.builder().port(0).bindAddress(InetAddress.getByName("127.0.0.1"));
    if (https) {
      tls = LoopbackTls.create();
      builder.tls(Path.of(tls.keyStorePath()), tls.password());
    } else if (!transport.equals("http")) {
      throw new IllegalArgumentException(transport);
    }
    LocalAws aws = builder.build();
    aws.s3(); // started before the first measurement
    return withKmsAndLink(https, aws.port(), link, aws, tls);
  }

  private static S3Rig withKmsAndLink(boolean https, int port, String link, AutoCloseable store, LoopbackTls tls)
      throws IOException {
    ThrottledRelay relay = null;
    if (link.equals("90MBps")) {
      relay = ThrottledRelay.start(port, 90_000_000L);
      port = relay.port();
    } else if (!link.equals("loopback")) {
      throw new IllegalArgumentException(link);
    }
    KmsEmulator kms = KmsEmulator.builder().keepTrail(false).build();
    String keyArn = kms.client().createKey(b -> { }).keyMetadata().arn();
    return new S3Rig(URI.create((https ? "https" : "http") + "://127.0.0.1:" + port), kms, keyArn, store, relay,
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
      store.close();
    } catch (Exception e) {
      throw new IOException("the S3 store did not stop", e);
    }
    if (tls != null) {
      tls.close();
    }
  }
}
