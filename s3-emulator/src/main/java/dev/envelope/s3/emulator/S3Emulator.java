package dev.envelope.s3.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * S3 in this JVM for tests and demos: S3Proxy 4.1.0 (Apache-2.0) on loopback, in memory or on a directory, plus
 * access points ({@link AccessPoint}) by ARN and alias, among them access points attached to an FSx for ONTAP
 * volume. On a directory, each bucket is a subdirectory and each object a file under it, so an FSx volume's files
 * are also a directory tree ({@link #volumeDirectory}): the stand-in for the volume mounted over NFS or SMB.
 *
 * <pre>{@code
 * try (S3Emulator s3 = S3Emulator.builder().directory(dir).build()) {
 *   AccessPoint orders = s3.createAccessPoint(AccessPoint.onFsxOntapVolume("orders", "vol-orders"));
 *   S3Client client = s3.client();
 *   client.putObject(b -> b.bucket(orders.alias()).key("o-1.json"), RequestBody.fromString("{}"));
 *   Files.list(s3.volumeDirectory(orders));            // o-1.json, as an NFS client sees it
 * }
 * }</pre>
 *
 * <p>S3Proxy's servlet layer reads a body typed {@code application/x-www-form-urlencoded} as form fields and stores
 * the object empty; S3 stores it as sent. The local-aws endpoint in front of this emulator hides the type from it;
 * a client of this emulator's own port should not send that type.
 *
 * <p>Starts in about half a second. S3Proxy logs every request at DEBUG through logback; unless the caller's
 * logback configuration sets a level for {@code org.gaul}, the emulator sets it to WARN. Thread-safe.
 */
public final class S3Emulator implements AutoCloseable {
  /** The credentials the emulator accepts (any client signing with them is admitted). */
  public static final String ACCESS_KEY = "envelope";
  public static final String SECRET_KEY = "envelope";

  private final S3Proxy proxy;
  private final URI endpoint;
  private final Path directory;
  private final Map<String, AccessPoint> accessPoints = new ConcurrentHashMap<>();

  private S3Emulator(Builder b) {
    quietS3ProxyLogging();
    this.directory = b.directory;
    BlobStore store;
    if (directory == null) {
      store = new TransientNio2BlobStore();
    } else {
      try {
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the emulator's directory " + directory, e);
      }
      store = new FilesystemNio2BlobStore(directory.toString());
    }
    try {
      S3Proxy.Builder proxyBuilder = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
          .v4MaxNonChunkedRequestSize(1L << 40)
          // S3Proxy waits up to 30 s for open connections when it stops; an emulator stops when asked (closing
          // one took 2 s while a client kept a keep-alive connection).
          .stopTimeout(0);
      if (b.anonymous) {
        proxyBuilder.awsAuthentication(AuthenticationType.NONE, null, null);
      } else {
        proxyBuilder.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY);
      }
      proxy = proxyBuilder.build();
      proxy.start();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not start: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
      }
      Thread.onSpinWait();
    }
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** An emulator in memory. */
  public static S3Emulator create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The loopback endpoint S3Proxy listens on (path-style addressing). */
  public URI endpoint() {
    return endpoint;
  }

  /** A new client for this emulator that also understands its access points. The caller closes it. */
  public S3Client client() {
    return client(b -> { });
  }

  /**
   * A new client for this emulator, after {@code customizer} adjusted its builder (HTTP client, overrides,
   * interceptors); endpoint, path style, Region, credentials and the service configuration are set before it runs.
   *
   * <p>Payloads are signed whole, not in aws-chunked encoding (the SDK's default over plain HTTP): S3Proxy answers a
   * chunked upload before it has read the final chunk and closes the connection, and the JDK's HttpURLConnection
   * (UrlConnectionHttpClient) then reports "Error writing request body to server" on a few PUTs in a hundred whose
   * object has landed; the SDK's retry of a conditional write answers 412. A customizer that sets its own
   * {@code serviceConfiguration} should keep {@code chunkedEncodingEnabled(false)}.
   */
  public S3Client client(Consumer<S3ClientBuilder> customizer) {
    S3ClientBuilder builder = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true)
        .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    customizer.accept(builder);
    return wrap(builder.build());
  }

  /** {@code s3} (a client of this emulator) with this emulator's access points served by ARN and alias. */
  public S3Client wrap(S3Client s3) {
    return new AccessPointS3Client(s3, name -> Optional.ofNullable(accessPoints.get(name)));
  }

  /** Creates a bucket; one that exists already is fine. */
  public void createBucket(String bucket) {
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // as asked
    }
  }

  /** Creates an access point and, if it does not exist yet, the bucket or volume it is attached to. */
  public AccessPoint createAccessPoint(AccessPoint accessPoint) {
    Objects.requireNonNull(accessPoint, "accessPoint");
    for (AccessPoint existing : accessPoints.values()) {
      if (existing.arn().equals(accessPoint.arn())) {
        throw new IllegalArgumentException("Access point " + accessPoint.arn() + " exists already");
      }
    }
    createBucket(accessPoint.dataSourceName());
    accessPoints.put(accessPoint.arn(), accessPoint);
    accessPoints.put(accessPoint.alias(), accessPoint);
    return accessPoint;
  }

  /** The access points created so far. */
  public List<AccessPoint> accessPoints() {
    return accessPoints.values().stream().distinct().toList();
  }

  /**
   * The directory holding the files of the volume an access point is attached to: what a server that mounts the
   * volume over NFS or SMB sees. Files written there are objects of the access point, and the reverse.
   */
  public Path volumeDirectory(AccessPoint accessPoint) {
    if (directory == null) {
      throw new IllegalStateException("This emulator keeps its objects in memory; build it with directory(...) to "
          + "reach a volume as files");
    }
    if (accessPoint.dataSource() != AccessPoint.DataSource.FSX_ONTAP_VOLUME) {
      throw new IllegalArgumentException(accessPoint + " is attached to a bucket, not a volume");
    }
    return directory.resolve(accessPoint.dataSourceName());
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
    }
  }

  /**
   * S3Proxy ships logback and logs each request and its headers at DEBUG, which slows requests tenfold and floods
   * test output. Set through reflection so that this module needs no compile-time logback; a level the caller's
   * configuration set is kept.
   */
  private static void quietS3ProxyLogging() {
    Logger logger = LoggerFactory.getLogger("org.gaul");
    try {
      Object level = logger.getClass().getMethod("getLevel").invoke(logger);
      if (level == null) {
        Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", false, logger.getClass().getClassLoader());
        logger.getClass().getMethod("setLevel", levelClass).invoke(logger, levelClass.getField("WARN").get(null));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not logback, or a different version: nothing to quiet, or the caller's binding decides.
    }
  }

  /** Builder: in memory unless a directory is given. */
  public static final class Builder {
    private Path directory;
    private boolean anonymous;

    private Builder() {}

    /**
     * Keeps buckets and objects as directories and files under {@code directory} (created if missing) instead of
     * in memory; needed for {@link #volumeDirectory}. Default: in memory.
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Admits every request without checking its signature: for a front door that authenticates callers itself (the
     * local-aws endpoint) and forwards to this emulator's loopback port. Off by default: only requests signed with
     * {@link #ACCESS_KEY} and {@link #SECRET_KEY} are admitted.
     */
    public Builder anonymous(boolean anonymous) {
      this.anonymous = anonymous;
      return this;
    }

    public S3Emulator build() {
      return new S3Emulator(this);
    }
  }
}
