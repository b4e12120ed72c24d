package dev.envelope.dynamodb.emulator;

import dev.envelope.dynamodb.emulator.internal.Dispatcher;
import dev.envelope.dynamodb.emulator.internal.Engine;
import dev.envelope.dynamodb.emulator.internal.InProcessHttpClient;
import dev.envelope.dynamodb.emulator.internal.Journal;
import dev.envelope.dynamodb.emulator.internal.Seeding;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * A local DynamoDB for tests: tables and items in memory, answered through an ordinary SDK
 * {@link DynamoDbClient} without sockets ({@link #client()}), with DynamoDB's validation and error types. Starts
 * in milliseconds; with a data directory, tables survive restarts and crashes. What it does not model is refused
 * with a {@code ValidationException} naming it, never ignored ({@code LIMITATIONS.md}). Thread-safe: operations are
 * serialized on one engine.
 */
public final class DynamoDbEmulator implements AutoCloseable {
  /** The account of table ARNs unless the builder says otherwise. */
  public static final String DEFAULT_ACCOUNT = "000000000000";
  /** The Region of the clients and table ARNs unless the builder says otherwise. */
  public static final String DEFAULT_REGION = "us-east-1";

  /** DynamoDB's item collection size limit for tables with a local secondary index: 10 GB. */
  public static final long DEFAULT_ITEM_COLLECTION_LIMIT = 10L * 1024 * 1024 * 1024;

  private final Dispatcher dispatcher;
  private final String region;
  private final List<DynamoDbHttpServer> servers = new ArrayList<>();

  private final Engine engine;
  private final Journal journal;

  private DynamoDbEmulator(Builder b) {
    this.engine = new Engine(b.clock, b.account, b.region, b.itemCollectionLimit);
    this.dispatcher = new Dispatcher(engine, b.keepRequests);
    this.region = b.region;
    this.journal = b.dataDirectory == null ? null : Journal.open(b.dataDirectory, b.fsync);
    if (journal != null) {
      try {
        engine.recordIn(journal);
      } catch (RuntimeException e) {
        journal.close();
        throw e;
      }
    }
    if (b.config != null) {
      Seeding.seed(b.config, engine);
    }
  }

  /**
   * Simulates throttling of batches from now on: each BatchGetItem and BatchWriteItem call processes at most
   * {@code itemsPerCall} keys or writes and returns the rest as UnprocessedKeys/UnprocessedItems, as DynamoDB does
   * when a table is throttled, so that a test can prove its retry loop. {@link #stopSimulatingThrottling} ends it.
   */
  public void simulateThrottling(int itemsPerCall) {
    engine.batchCapacity(itemsPerCall);
  }

  /** Batches process every key and write again. */
  public void stopSimulatingThrottling() {
    engine.batchCapacity(Integer.MAX_VALUE);
  }

  /** An emulator with the defaults: account 000000000000, us-east-1, the system clock. */
  public static DynamoDbEmulator create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A client answered in memory; retries are off, as a local test wants them. */
  public DynamoDbClient client() {
    return clientBuilder().build();
  }

  /**
   * A client builder already wired to this emulator (HTTP client, endpoint, Region, credentials, no retries), for
   * callers that add their own configuration, such as execution interceptors. Its HTTP client, endpoint and
   * credentials must be left as they are.
   */
  public DynamoDbClientBuilder clientBuilder() {
    return DynamoDbClient.builder()
        .httpClient(new InProcessHttpClient(dispatcher))
        .endpointOverride(URI.create("http://dynamodb.in-process.invalid"))
        .region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("in-process",
            "not-a-secret")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
  }

  /** Starts an HTTP server on 127.0.0.1:{@code port} (0 picks a free port); closed with the emulator. */
  public synchronized DynamoDbHttpServer startHttpServer(int port) throws IOException {
    return startHttpServer(java.net.InetAddress.getLoopbackAddress(), port);
  }

  /**
   * Starts an HTTP server on {@code address}:{@code port}; closed with the emulator. A wildcard address
   * ({@code 0.0.0.0}) lets other hosts and containers in, and the server checks no signatures.
   */
  public synchronized DynamoDbHttpServer startHttpServer(java.net.InetAddress address, int port) throws IOException {
    DynamoDbHttpServer server = new DynamoDbHttpServer(dispatcher, address, port);
    servers.add(server);
    return server;
  }

  /** One DynamoDB JSON 1.0 answer: status, body, request id. */
  public record WireResponse(int status, byte[] body, String requestId) {
    public static final String CONTENT_TYPE = "application/x-amz-json-1.0";
  }

  /** The largest request body {@link #serve} answers (16 MiB); a front door refuses longer ones unread. */
  public static final int MAX_BODY_BYTES = Dispatcher.MAX_BODY_BYTES;

  /**
   * Serves one DynamoDB JSON 1.0 request ({@code X-Amz-Target: DynamoDB_20120810.<Operation>}, body), for a front
   * door that received it over HTTP and has authenticated the caller.
   */
  public WireResponse serve(String target, byte[] body) {
    Dispatcher.Response r = dispatcher.dispatch(target, body);
    return new WireResponse(r.status(), r.body(), r.requestId());
  }

  /**
   * Every request answered so far, in order: its operation and, if it failed, the error code (empty when the
   * builder turned {@code keepRequests} off). Requests of a {@code config} seed are not in it.
   */
  public List<Request> requests() {
    return dispatcher.trail().stream().map(r -> new Request(r.operation(), r.errorCode())).toList();
  }

  /** One request as {@link #requests()} lists it; {@code errorCode} is null for a success. */
  public record Request(String operation, String errorCode) {}

  /**
   * Stops the HTTP servers and releases the data directory; in-process clients keep working on memory (tables
   * live as long as the object) but changes after close are no longer written to the data directory.
   */
  @Override
  public synchronized void close() {
    servers.forEach(DynamoDbHttpServer::close);
    servers.clear();
    if (journal != null) {
      engine.stopRecording();
      journal.close();
    }
  }

  /** Builds a {@link DynamoDbEmulator}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private String account = DEFAULT_ACCOUNT;
    private String region = DEFAULT_REGION;
    private long itemCollectionLimit = DEFAULT_ITEM_COLLECTION_LIMIT;
    private Path dataDirectory;
    private boolean fsync;
    private boolean keepRequests = true;
    private Path config;

    private Builder() {}

    /**
     * Keeps tables and items in {@code directory} (created if missing), so that they survive a restart and a
     * killed process: every acknowledged change is written there first. One emulator at a time may use a
     * directory. Memory only by default.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Whether {@link DynamoDbEmulator#requests()} remembers every request. On by default, for tests that count
     * calls; the runnable jar turns it off, since a long-running server would hold every request forever.
     */
    public Builder keepRequests(boolean keep) {
      this.keepRequests = keep;
      return this;
    }

    /**
     * With a data directory, also forces each change to the disk before answering (survives a power cut, at the
     * cost of one disk flush per write). Off by default: a killed process loses nothing either way.
     */
    public Builder fsync(boolean fsync) {
      this.fsync = fsync;
      return this;
    }

    /**
     * Creates the tables a JSON file declares, and their items, when the emulator starts: {@code {"tables": [
     * <a CreateTable request>, ...]}}, each table optionally with {@code "Items": [<item>, ...]}. A table that
     * already exists (kept in the data directory) is left as it is. None by default.
     */
    public Builder config(Path file) {
      this.config = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * The most bytes an item collection (the items sharing a partition key) may hold in a table with a local
     * secondary index; a write past it is {@code ItemCollectionSizeLimitExceededException}. DynamoDB's 10 GB by
     * default; lower it to reach the limit in a test.
     */
    public Builder itemCollectionSizeLimit(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("itemCollectionSizeLimit must be positive: " + bytes);
      }
      this.itemCollectionLimit = bytes;
      return this;
    }

    /** The emulator's clock (table creation times, TTL expiry). The system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The account in table ARNs. {@value DynamoDbEmulator#DEFAULT_ACCOUNT} by default. */
    public Builder account(String account) {
      if (account == null || !account.matches("\\d{12}")) {
        throw new IllegalArgumentException("account must be 12 digits: " + account);
      }
      this.account = account;
      return this;
    }

    /** The Region of table ARNs and clients. {@value DynamoDbEmulator#DEFAULT_REGION} by default. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    public DynamoDbEmulator build() {
      return new DynamoDbEmulator(this);
    }
  }
}
