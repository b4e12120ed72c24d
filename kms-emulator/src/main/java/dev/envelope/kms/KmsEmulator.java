package dev.envelope.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.auth.Credentials;
import dev.envelope.kms.auth.SigV4Verifier;
import dev.envelope.kms.internal.DataDirectory;
import dev.envelope.kms.internal.Dispatcher;
import dev.envelope.kms.internal.HttpEndpoint;
import dev.envelope.kms.internal.InProcessHttpClient;
import dev.envelope.kms.internal.Json;
import dev.envelope.kms.internal.KmsEngine;
import dev.envelope.kms.internal.PolicyDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A local AWS KMS with KMS's semantics: key states, key policies, IAM policies and grants, rotation with every
 * version still decrypting, aliases, and a CloudTrail-shaped record of every call. One engine, several faces:
 * {@link #client(Principal)} (an AWS SDK {@link KmsClient} that runs in memory, no sockets),
 * {@link #startHttpServer(int)} (the KMS JSON 1.1 protocol for any SDK or the AWS CLI), and the JUnit extension.
 *
 * <pre>{@code
 * KmsEmulator kms = KmsEmulator.create();            // account 000000000000, us-east-1, every caller an admin
 * KmsClient client = kms.client();
 * String keyArn = client.createKey(b -> {}).keyMetadata().arn();
 * }</pre>
 *
 * <p>With {@link Builder#enforceAuthorization(boolean)} the key policy, the callers' IAM policies and grants
 * decide every call, and denials read like KMS's. Time comes from the {@link Builder#clock(Clock)}: move it to see
 * deletion windows end and rotations happen. Thread-safe.
 */
public final class KmsEmulator implements AutoCloseable {
  /** LocalStack's defaults, so that existing tests' ARNs keep working. */
  public static final String DEFAULT_ACCOUNT = "000000000000";
  public static final String DEFAULT_REGION = "us-east-1";

  private final KmsEngine engine;
  private final Dispatcher dispatcher;
  private final String defaultAccount;
  private final String defaultRegion;
  private final java.util.ArrayDeque<ObjectNode> trail;
  private final int trailCapacity;
  private final List<KmsHttpServer> servers = new ArrayList<>();
  private final Credentials credentials = new Credentials();
  private final SigV4Verifier verifier;
  private final boolean enforce;
  private final HttpEndpoint.Limits httpLimits;

  private KmsEmulator(Builder b) {
    this.httpLimits = b.httpLimits;
    this.defaultAccount = b.account;
    this.defaultRegion = b.region;
    this.trail = b.keepTrail ? new java.util.ArrayDeque<>() : null;
    this.trailCapacity = b.trailCapacity;
    Consumer<ObjectNode> sink = event -> {
      if (trail != null) {
        synchronized (trail) {
          if (trail.size() == trailCapacity) {
            trail.removeFirst();
          }
          trail.addLast(event);
        }
      }
      if (b.trailSink != null) {
        b.trailSink.accept(event);
      }
    };
    Map<String, List<PolicyDocument>> iam = new HashMap<>();
    b.iamPolicies.forEach((arn, docs) -> iam.put(arn, docs.stream().map(d -> PolicyDocument.parse(d, false))
        .toList()));
    this.engine = new KmsEngine(new KmsEngine.Settings(b.clock, b.enforce, iam, sink,
        b.dataDirectory == null ? null : DataDirectory.open(b.dataDirectory), b.localStackConventions));
    if (!b.seedKeys.isEmpty()) {
      engine.seed(b.seedKeys, b.account, b.region);
    }
    b.accessKeys.forEach((id, entry) -> credentials.register(id, entry.principal(), entry.secret()));
    this.enforce = b.enforce;
    if (enforce && !credentials.withoutSecret().isEmpty()) {
      throw new IllegalArgumentException("With enforceAuthorization the emulator verifies SigV4 signatures, so every "
          + "access key needs its secret: " + credentials.withoutSecret() + " have none. Give them as principals' "
          + "\"credentials\": [{\"accessKeyId\", \"secretAccessKey\"}] (Builder.credentials) instead of accessKeyIds");
    }
    // Clients sign with the machine's clock, so signatures are checked against it, not against the emulator's
    // clock, which tests move through deletion windows.
    this.verifier = new SigV4Verifier(credentials::secret, Clock.systemUTC());
    Principal admin = Principal.root(b.account);
    this.dispatcher = new Dispatcher(engine, accessKey -> {
      Principal p = credentials.lookup(accessKey).map(Credentials.Entry::principal).orElse(null);
      if (p != null) {
        return p;
      }
      // Unknown access keys act as the administrator unless authorization is enforced: then they are refused.
      return b.enforce ? null : admin;
    }, b.region);
  }

  /** An emulator with the defaults: one account, us-east-1, every caller an administrator, the system clock. */
  public static KmsEmulator create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A client acting as the default account's root user, in the default Region. */
  public KmsClient client() {
    return client(Principal.root(defaultAccount), Region.of(defaultRegion));
  }

  /** A client acting as {@code principal}, in the default Region. */
  public KmsClient client(Principal principal) {
    return client(principal, Region.of(defaultRegion));
  }

  /** A client acting as {@code principal} in {@code region}; retries are off, as a local test wants them. */
  public KmsClient client(Principal principal, Region region) {
    Objects.requireNonNull(principal, "principal");
    return KmsClient.builder()
        .httpClient(new InProcessHttpClient(dispatcher, principal))
        .endpointOverride(URI.create("http://kms.in-process.invalid"))
        .region(region)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("in-process-" + principal.accountId(), "not-a-secret")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** Starts an HTTP server on 127.0.0.1:{@code port} (0 picks a free port); closed with the emulator. */
  public synchronized KmsHttpServer startHttpServer(int port) throws IOException {
    return startHttpServer(InetAddress.getLoopbackAddress(), port);
  }

  /**
   * Starts an HTTP server on {@code address}:{@code port}; closed with the emulator. Loopback ({@code 127.0.0.1} or
   * {@code ::1}) keeps it on this machine; a wildcard address ({@code 0.0.0.0}) lets other hosts and containers in,
   * and then every caller on the network is the administrator unless authorization is enforced.
   */
  public synchronized KmsHttpServer startHttpServer(InetAddress address, int port) throws IOException {
    KmsHttpServer server = new KmsHttpServer(dispatcher, enforce ? verifier : null, address, port, httpLimits);
    servers.add(server);
    return server;
  }

  /**
   * The newest CloudTrail-shaped records, oldest first, at most {@link Builder#trailCapacity} of them (when
   * {@link Builder#keepTrail} is on, the default). Send them to a {@link Builder#trailSink} to keep them all.
   */
  public List<ObjectNode> trail() {
    if (trail == null) {
      throw new IllegalStateException("the trail is not kept; see Builder.keepTrail");
    }
    synchronized (trail) {
      return List.copyOf(trail);
    }
  }

  /**
   * Over HTTP, requests signed with {@code accessKeyId} act as {@code principal} from now on. Without authorization
   * enforced only: then signatures are not verified and the key alone says who the caller is. With it, use
   * {@link #registerCredentials}.
   */
  public void registerAccessKey(String accessKeyId, Principal principal) {
    if (enforce) {
      throw new IllegalStateException("authorization is enforced, so signatures are verified and " + accessKeyId
          + " needs a secret: use registerCredentials(accessKeyId, secretAccessKey, principal)");
    }
    credentials.register(accessKeyId, Objects.requireNonNull(principal, "principal"), null);
  }

  /** Over HTTP, requests signed with this access key and secret act as {@code principal} from now on. */
  public void registerCredentials(String accessKeyId, String secretAccessKey, Principal principal) {
    credentials.register(accessKeyId, Objects.requireNonNull(principal, "principal"),
        new SigV4Verifier.Secret(secretAccessKey, null));
  }

  /**
   * The access keys this emulator knows (from the configuration and the register methods), for a front door that
   * authenticates callers itself and serves KMS with {@link #serve}; it may register temporary credentials.
   */
  public Credentials credentials() {
    return credentials;
  }

  /** Whether key policies, IAM policies and grants decide every call (and HTTP signatures are verified). */
  public boolean enforcesAuthorization() {
    return enforce;
  }

  /** One KMS JSON 1.1 answer: status, body, request id. */
  public record WireResponse(int status, byte[] body, String requestId) {
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  }

  /**
   * Serves one KMS JSON 1.1 request ({@code X-Amz-Target}, body) for a caller a front door has already
   * authenticated: {@code caller} acts, in the Region of the SigV4 credential scope in {@code authorization}.
   */
  public WireResponse serve(String target, byte[] body, String authorization, Principal caller, String sourceIp,
      String userAgent) {
    Dispatcher.Response r = dispatcher.dispatch(target, body, authorization, Objects.requireNonNull(caller, "caller"),
        sourceIp, userAgent);
    return new WireResponse(r.status(), r.body(), r.requestId());
  }

  /** An error answer in KMS's JSON shape, e.g. for a request a front door refused. */
  public static WireResponse error(String code, String message, int status) {
    Dispatcher.Response r = Dispatcher.error(new KmsError(code, message, status), java.util.UUID.randomUUID()
        .toString());
    return new WireResponse(r.status(), r.body(), r.requestId());
  }

  /** Adds an identity (IAM) policy to {@code principal}, as attaching a policy to a role would. */
  public void putIamPolicy(Principal principal, String policyJson) {
    engine.putIamPolicy(principal, PolicyDocument.parse(policyJson, false));
  }

  public String defaultAccount() {
    return defaultAccount;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  @Override
  public synchronized void close() {
    servers.forEach(KmsHttpServer::close);
    servers.clear();
  }

  /** Builder. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private String account = DEFAULT_ACCOUNT;
    private String region = DEFAULT_REGION;
    private boolean enforce;
    private boolean localStackConventions;
    private final Map<String, List<String>> iamPolicies = new HashMap<>();
    private final Map<String, Credentials.Entry> accessKeys = new HashMap<>();
    private Consumer<ObjectNode> trailSink;
    private boolean keepTrail = true;
    private int trailCapacity = 10_000;
    private Path dataDirectory;
    private final ArrayNode seedKeys = Json.array();
    private HttpEndpoint.Limits httpLimits = HttpEndpoint.Limits.defaults(Dispatcher.MAX_BODY);

    private Builder() {}

    /**
     * Keeps every key, alias and grant in {@code directory} (created if needed), so that an emulator started on it
     * again has every key whose CreateKey returned. Key material is sealed under the directory's {@code root.key}.
     * Without it, state is in memory only. None by default: keys live in memory only.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Applies a configuration file; see {@link #config(String)}. None by default. */
    public Builder config(Path file) {
      try {
        return config(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the emulator configuration " + file, e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    }

    /**
     * Applies a JSON configuration: {@code defaultAccount}, {@code defaultRegion}, {@code enforceAuthorization},
     * {@code principals} (each {@code {"arn", "accessKeyIds": [...], "iamPolicies": [...]}}: who an HTTP caller
     * is, by the access key id its SigV4 signature names, and what its identity policies allow) and {@code keys}
     * (keys seeded with fixed ids, aliases, policies and optionally material; see the README of the module).
     * Unknown members are errors, so a typo does not silently weaken a test.
     */
    public Builder config(String json) {
      ConfigurationFile.apply(json, this);
      return this;
    }

    /** Adds the seeded keys of a configuration (see {@link #config(String)}). */
    Builder seedKey(JsonNode key) {
      seedKeys.add(key);
      return this;
    }

    /**
     * The emulator's clock: inject one to move through deletion windows and rotation periods. The system UTC clock by
     * default.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The account of keys created without an ARN and of {@link KmsEmulator#client()}.
     * {@value KmsEmulator#DEFAULT_ACCOUNT} by default.
     */
    public Builder defaultAccount(String account) {
      this.account = Objects.requireNonNull(account, "account");
      return this;
    }

    /** The Region of {@link KmsEmulator#client()} and of new keys. {@value KmsEmulator#DEFAULT_REGION} by default. */
    public Builder defaultRegion(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Evaluate key policies, IAM policies and grants (off by default: every caller is an administrator). */
    public Builder enforceAuthorization(boolean enforce) {
      this.enforce = enforce;
      return this;
    }

    /**
     * An identity policy of {@code principal} (JSON, as attached to an IAM role or user). None by default (matters
     * only when authorization is enforced).
     */
    public Builder iamPolicy(Principal principal, String policyJson) {
      PolicyDocument.parse(policyJson, false); // fail at build time, not at the first call
      iamPolicies.computeIfAbsent(principal.arn(), k -> new ArrayList<>()).add(policyJson);
      return this;
    }

    /**
     * Over HTTP, requests signed with {@code accessKeyId} act as {@code principal}. None by default: unknown access
     * keys act as the administrator unless authorization is enforced.
     */
    public Builder accessKey(String accessKeyId, Principal principal) {
      accessKeys.put(accessKeyId, new Credentials.Entry(principal, null));
      return this;
    }

    /**
     * Over HTTP, requests signed with this access key act as {@code principal}, and when authorization is enforced
     * their SigV4 signatures are verified with {@code secretAccessKey}. None by default.
     */
    public Builder credentials(String accessKeyId, String secretAccessKey, Principal principal) {
      accessKeys.put(Objects.requireNonNull(accessKeyId, "accessKeyId"), new Credentials.Entry(principal,
          new SigV4Verifier.Secret(secretAccessKey, null)));
      return this;
    }

    /**
     * LocalStack's CreateKey tags: {@code _custom_id_} sets the new key's id and {@code _custom_key_material_} its
     * material (base64), and neither is stored as a tag. Off by default: KMS stores them as ordinary tags.
     */
    public Builder localStackConventions(boolean on) {
      this.localStackConventions = on;
      return this;
    }

    /**
     * Also sends every CloudTrail-shaped record to {@code sink}. None by default (the in-memory trail is kept either
     * way).
     */
    public Builder trailSink(Consumer<ObjectNode> sink) {
      this.trailSink = sink;
      return this;
    }

    /** Whether {@link KmsEmulator#trail()} keeps records in memory (default true). */
    public Builder keepTrail(boolean keep) {
      this.keepTrail = keep;
      return this;
    }

    /** How many records {@link KmsEmulator#trail()} keeps (the newest); default 10,000. */
    public Builder trailCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      this.trailCapacity = capacity;
      return this;
    }

    /**
     * Limits of the HTTP server, so that no client can stall it: at most {@code maxConnections} at once (64 by
     * default; the next is answered 503), each read waits at most {@code readTimeout} (10 s; also how long an idle
     * keep-alive connection stays open), and a whole request must arrive within {@code requestTimeout} (30 s).
     * Bodies over KMS's 1 MiB are refused from their Content-Length.
     */
    public Builder httpLimits(int maxConnections, Duration readTimeout, Duration requestTimeout) {
      if (maxConnections < 1 || readTimeout.isNegative() || readTimeout.isZero() || requestTimeout.isNegative()
          || requestTimeout.isZero()) {
        throw new IllegalArgumentException("httpLimits need at least one connection and positive timeouts");
      }
      this.httpLimits = new HttpEndpoint.Limits(maxConnections, readTimeout, requestTimeout, Dispatcher.MAX_BODY);
      return this;
    }

    public KmsEmulator build() {
      return new KmsEmulator(this);
    }
  }
}
