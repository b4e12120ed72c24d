package dev.envelope.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import dev.envelope.localaws.internal.Callers;
import dev.envelope.localaws.internal.FrontDoor;
import dev.envelope.localaws.internal.LocalStackEndpoints;
import dev.envelope.localaws.internal.S3Forwarder;
import dev.envelope.localaws.internal.StsService;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;

/**
 * KMS, DynamoDB, S3 and STS on one port, the way LocalStack-based suites expect them: account
 * {@value #ACCOUNT}, credentials {@value #ACCESS_KEY}/{@value #SECRET_KEY}, Region {@value #REGION}, port 4566 by
 * default, {@code /_localstack/health}, and LocalStack's {@code _custom_id_}/{@code _custom_key_material_} CreateKey
 * tags. Requests are routed by their SigV4 credential scope, {@code X-Amz-Target} and path; S3 takes path-style and
 * virtual-host-style ({@code <bucket>.s3.localhost.localstack.cloud}, {@code <bucket>.localhost}) addressing.
 *
 * <pre>{@code
 * try (LocalAws aws = LocalAws.builder().port(0).build()) {
 *   KmsClient kms = aws.configure(KmsClient.builder()).build();
 *   S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true).build();
 * }
 * }</pre>
 *
 * <p>By default every caller is the account's administrator and signatures are not checked (LocalStack's open
 * mode). A configuration with {@code "enforceAuthorization": true} makes KMS evaluate key policies, IAM policies and
 * grants, makes every service verify SigV4 signatures against the configured secrets ({@value #ACCESS_KEY}/
 * {@value #SECRET_KEY} is the account root unless the configuration says otherwise), and lets STS AssumeRole hand
 * out temporary credentials for the configured roles. Thread-safe; {@link #close()} stops everything.
 */
public final class LocalAws implements AutoCloseable {
  public static final String ACCOUNT = "000000000000";
  public static final String REGION = "us-east-1";
  public static final String ACCESS_KEY = "test";
  public static final String SECRET_KEY = "test";
  public static final int DEFAULT_PORT = 4566;

  private final KmsEmulator kms;
  private final DynamoDbEmulator dynamoDb;
  private final java.util.concurrent.FutureTask<S3Emulator> s3;
  private final Server server;
  private final ServerConnector connector;
  private final InetAddress address;
  private final boolean https;
  private S3Forwarder forwarder;

  private LocalAws(Builder b) {
    quietJettyLogging();
    this.address = b.address;
    // S3Proxy takes two thirds of the start-up (650-900 ms cold): it starts beside the rest, and only S3 requests
    // wait for it, so KMS, DynamoDB and STS answer while it starts.
    S3Emulator.Builder s3Builder = S3Emulator.builder().anonymous(true);
    if (b.dataDirectory != null) {
      s3Builder.directory(b.dataDirectory.resolve("s3"));
    }
    this.s3 = new java.util.concurrent.FutureTask<>(s3Builder::build);
    Thread starter = new Thread(s3, "local-aws-s3-start");
    starter.setDaemon(true);
    starter.start();
    try {
      KmsEmulator.Builder kmsBuilder = KmsEmulator.builder().localStackConventions(true);
      Settings settings = Settings.of(b.config);
      if (b.config != null) {
        kmsBuilder.config(b.config);
      }
      Principal administrator = Principal.root(settings.account());
      if (b.dataDirectory != null) {
        kmsBuilder.dataDirectory(b.dataDirectory.resolve("kms"));
      }
      this.kms = kmsBuilder.build();
      if (kms.credentials().lookup(ACCESS_KEY).isEmpty()) {
        kms.registerCredentials(ACCESS_KEY, SECRET_KEY, administrator);
      }
      DynamoDbEmulator.Builder ddb = DynamoDbEmulator.builder().account(settings.account())
          .region(settings.region());
      if (b.dataDirectory != null) {
        ddb.dataDirectory(b.dataDirectory.resolve("dynamodb"));
      }
      this.dynamoDb = ddb.build();
      Callers callers = new Callers(kms.credentials(), settings.enforce(), administrator);
      StsService sts = new StsService(kms.credentials(), settings.enforce(), settings.roles(), Clock.systemUTC());
      QueuedThreadPool pool = new QueuedThreadPool(b.maxThreads, 4);
      pool.setName("local-aws");
      pool.setDaemon(true);
      this.server = new Server(pool);
      HttpConfiguration http = httpConfiguration();
      this.https = b.keyStore != null;
      this.connector = new ServerConnector(server, 1, 1, connectionFactories(http, b));
      connector.setHost(address.getHostAddress());
      connector.setPort(b.port);
      connector.setIdleTimeout(60_000);
      server.addConnector(connector);
      this.forwarder = new S3Forwarder(new S3Endpoint(s3),
          b.dataDirectory == null ? null : b.dataDirectory.resolve("s3-part-sizes.jsonl"),
          b.dataDirectory == null ? null : b.dataDirectory.resolve("s3-tags.jsonl"));
      server.setHandler(new FrontDoor(kms, dynamoDb, forwarder, sts, callers,
          new LocalStackEndpoints("envelope-local-aws")));
      try {
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException("local-aws could not listen on " + address.getHostAddress() + ":" + b.port
            + ": " + e.getMessage() + (b.port == DEFAULT_PORT ? " (is LocalStack or another local-aws running? "
            + "use port(0) for a free port)" : ""), e);
      }
      if (b.alsoIpv6Loopback) {
        listenOnIpv6LoopbackToo(http, b);
      }
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What the front door needs from the configuration (the KMS emulator reads the rest). */
  private record Settings(String account, String region, boolean enforce, Set<String> roles) {
    static Settings of(String config) {
      if (config == null) {
        return new Settings(ACCOUNT, REGION, false, Set.of());
      }
      JsonNode root = parse(config);
      Set<String> roles = new HashSet<>();
      root.path("principals").forEach(p -> roles.add(p.path("arn").asText()));
      return new Settings(root.path("defaultAccount").asText(ACCOUNT), root.path("defaultRegion").asText(REGION),
          root.path("enforceAuthorization").asBoolean(false), roles);
    }
  }

  private static HttpConfiguration httpConfiguration() {
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    http.setRequestHeaderSize(16 * 1024);
    // Signatures cover header values byte for byte: Jetty must not swap a value for a cached one that differs in
    // case ("charset=UTF-8" read as "charset=utf-8").
    http.setHeaderCacheCaseSensitive(true);
    // S3 keys may hold encoded slashes and other characters Jetty's default compliance refuses.
    http.setUriCompliance(UriCompliance.UNSAFE);
    return http;
  }

  /** Plain HTTP/1.1, or HTTP/1.1 inside TLS with the builder's key store. */
  private static ConnectionFactory[] connectionFactories(HttpConfiguration http, Builder b) {
    if (b.keyStore == null) {
      return new ConnectionFactory[] {new HttpConnectionFactory(http)};
    }
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath(b.keyStore.toString());
    tls.setKeyStorePassword(b.keyStorePassword);
    HttpConfiguration secure = new HttpConfiguration(http);
    SecureRequestCustomizer customizer = new SecureRequestCustomizer();
    // Clients reach a local endpoint by IP address or by names the certificate need not list.
    customizer.setSniHostCheck(false);
    secure.addCustomizer(customizer);
    return new ConnectionFactory[] {new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(secure)};
  }

  /**
   * Clients that resolve {@code localhost} to {@code ::1} first (macOS, some JDKs and Node versions) reach the same
   * port on IPv6 loopback. Best effort: a machine without IPv6 keeps the IPv4 listener alone.
   */
  private void listenOnIpv6LoopbackToo(HttpConfiguration http, Builder b) {
    ServerConnector v6 = new ServerConnector(server, 1, 1, connectionFactories(http, b));
    v6.setHost("::1");
    v6.setPort(connector.getLocalPort());
    v6.setIdleTimeout(connector.getIdleTimeout());
    server.addConnector(v6);
    try {
      v6.start();
    } catch (Exception e) {
      server.removeConnector(v6);
    }
  }

  /** S3Proxy's endpoint, as a future of the S3 emulator that is starting. */
  private record S3Endpoint(java.util.concurrent.Future<S3Emulator> emulator)
      implements java.util.concurrent.Future<URI> {
    @Override
    public boolean cancel(boolean interrupt) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return emulator.isDone();
    }

    @Override
    public URI get() throws InterruptedException, java.util.concurrent.ExecutionException {
      return emulator.get().endpoint();
    }

    @Override
    public URI get(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException,
        java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
      return emulator.get(timeout, unit).endpoint();
    }
  }

  /** The S3 emulator once it has started (waiting for it if needed). */
  private S3Emulator startedS3() {
    try {
      return s3.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while S3 started", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * {@code http://<address>:<port>} ({@code https} with {@link Builder#tls}): for {@code endpointOverride} and
   * {@code AWS_ENDPOINT_URL}.
   */
  public URI endpoint() {
    String host = address.isAnyLocalAddress() ? "127.0.0.1" : address instanceof Inet6Address
        ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    return URI.create((https ? "https" : "http") + "://" + host + ":" + port());
  }

  /** The KMS emulator behind the endpoint (for seeding, IAM policies, the trail). */
  public KmsEmulator kms() {
    return kms;
  }

  /** The DynamoDB emulator behind the endpoint. */
  public DynamoDbEmulator dynamoDb() {
    return dynamoDb;
  }

  /**
   * The S3 emulator behind the endpoint, once started (this waits for it). Its own port is S3Proxy's, without
   * authentication: clients use {@link #endpoint}.
   */
  public S3Emulator s3() {
    return startedS3();
  }

  /**
   * Points an SDK client builder here: endpoint, the configured Region ({@value #REGION} by default),
   * {@value #ACCESS_KEY}/{@value #SECRET_KEY}.
   */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    return builder.endpointOverride(endpoint()).region(Region.of(kms.defaultRegion()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
  }

  @Override
  public void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      if (server != null) {
        server.stop();
      }
    } catch (Exception e) {
      // stopping anyway
    }
    if (forwarder != null) {
      forwarder.close();
    }
    if (s3 != null) {
      try {
        startedS3().close(); // one still starting is waited for, then stopped
      } catch (RuntimeException e) {
        // it failed to start, or stopping anyway
      }
    }
    if (dynamoDb != null) {
      dynamoDb.close();
    }
    if (kms != null) {
      kms.close();
    }
  }

  /**
   * Jetty logs every step of its start and of each request at DEBUG, which floods a runnable jar's output (logback
   * without configuration logs DEBUG). Set through reflection so that no compile-time logback is needed; a level the
   * caller's configuration set is kept.
   */
  private static void quietJettyLogging() {
    org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty");
    try {
      Object level = logger.getClass().getMethod("getLevel").invoke(logger);
      if (level == null) {
        Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", false, logger.getClass().getClassLoader());
        logger.getClass().getMethod("setLevel", levelClass).invoke(logger, levelClass.getField("WARN").get(null));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not logback: nothing to quiet, or the caller's binding decides.
    }
  }

  private static JsonNode parse(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("the configuration is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Builder. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private boolean alsoIpv6Loopback = true;
    private String config;
    private Path dataDirectory;
    private int maxThreads = 64;
    private Path keyStore;
    private String keyStorePassword;

    private Builder() {}

    /** The port; {@value #DEFAULT_PORT} by default (LocalStack's), 0 for a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0 to 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The one address to listen on. By default both loopback addresses, {@code 127.0.0.1} and {@code ::1} (for
     * clients that resolve {@code localhost} to IPv6), and nothing else; {@code 0.0.0.0} for other hosts and
     * containers (then everyone who reaches the port is the administrator, unless authorization is enforced).
     */
    public Builder bindAddress(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      this.alsoIpv6Loopback = false;
      return this;
    }

    /**
     * The KMS emulator's configuration format ({@code defaultAccount}, {@code enforceAuthorization},
     * {@code principals} with {@code credentials} and {@code iamPolicies}, seeded {@code keys}); its principals
     * are also the roles STS AssumeRole hands out when authorization is enforced. None by default.
     */
    public Builder config(String json) {
      this.config = Objects.requireNonNull(json, "json");
      return this;
    }

    public Builder config(Path file) {
      try {
        return config(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the configuration " + file, e);
      }
    }

    /** Keeps KMS keys, DynamoDB tables and S3 objects under {@code directory} across restarts. Memory by default. */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Serves HTTPS instead of HTTP, with the key and certificate in {@code keyStore} (PKCS12 or JKS), for clients
     * that insist on TLS or to measure what TLS costs. The clients must trust the certificate; SNI names are not
     * checked against it. Plain HTTP by default.
     */
    public Builder tls(Path keyStore, String password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Requests served at once (one thread each); 64 by default. */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads must be at least 8: " + maxThreads);
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /** Starts the endpoint and everything behind it. */
    public LocalAws build() {
      return new LocalAws(this);
    }
  }
}
