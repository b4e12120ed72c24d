package dev.envelope.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import dev.envelope.core.Envelope;
import dev.envelope.core.cache.CachingMaterialsManager;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.lambda.BatchReport;
import dev.envelope.lambda.Document;
import dev.envelope.lambda.DynamoDbCheckpointStore;
import dev.envelope.lambda.EncryptedDocumentHandler;
import dev.envelope.lambda.LocalContext;
import dev.envelope.lambda.MountedDirectorySource;
import dev.envelope.lambda.ScheduledSource;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.emulator.AccessPoint;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One pass of the document handler over 1,000 encrypted documents of 20 KB (decrypt, process, encrypt, archive in
 * GLACIER), measured per pass (JMH single shot; documents per second = 1,000 / the time).
 *
 * <p>Sources: {@code scheduled} one scheduled invocation over the FSx for ONTAP volume's access point (list the
 * prefix, compare with the checkpoint in a DynamoDB item, process, save the checkpoint); {@code s3-event} 1,000
 * invocations of one S3 event record each, as S3 delivers them, over the same documents in an ordinary bucket;
 * {@code mounted} one run of the mounted-directory source over the volume's files. Every pass starts with no
 * checkpoint and archives under a new prefix, so each processes all 1,000. {@code cache}: the function's client
 * uses a {@link CachingMaterialsManager} (5 minutes, 1,000 messages per data key) or not. KMS requests per pass are
 * printed at the end of the trial ("KMS requests per pass"), and so are the S3 requests.
 *
 * <p>Everything in this JVM: the S3 emulator on a temporary directory, the KMS and DynamoDB emulators, the SDK's
 * URL-connection HTTP client (the Lambda layer's) over loopback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class FsxDocumentsBenchmark {
  static final int DOCUMENTS = 1000;
  static final int DOCUMENT_BYTES = 20 * 1024;
  private static final String PREFIX = "orders/";
  private static final String EVENT_BUCKET = "documents-with-events";

  @Param({"scheduled", "s3-event", "mounted"})
  public String source;

  /** Only {@code true} by default: each document has its own context, so the cache saves nothing here. */
  @Param({"true"})
  public boolean cache;

  private final AtomicLong kmsRequests = new AtomicLong();
  private final List<Long> kmsRequestsPerPass = new ArrayList<>();
  private final AtomicLong s3Requests = new AtomicLong();
  private final List<Long> s3RequestsPerPass = new ArrayList<>();
  private long s3Before;
  private Path directory;
  private S3Emulator s3Emulator;
  private KmsEmulator kms;
  private DynamoDbEmulator dynamoDbEmulator;
  private DynamoDbClient dynamoDb;
  private S3Client s3;
  private AccessPoint volume;
  private KmsKeyring keyring;
  private List<S3Object> eventObjects;
  private int pass;
  private long kmsBefore;
  private EncryptedDocumentHandler handler;
  private Runnable run;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("fsx-benchmark");
    s3Emulator = S3Emulator.builder().directory(directory).build();
    volume = s3Emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("bench-documents", "vol-bench-documents"));
    kms = KmsEmulator.builder().keepTrail(false).trailSink(record -> kmsRequests.incrementAndGet()).build();
    dynamoDbEmulator = DynamoDbEmulator.create();
    dynamoDb = dynamoDbEmulator.client();
    KmsClient kmsClient = kms.client();
    String keyArn = kmsClient.createKey(b -> { }).keyMetadata().arn();
    ExecutionInterceptor countS3Requests = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(software.amazon.awssdk.core.interceptor.Context.BeforeTransmission c,
          ExecutionAttributes attributes) {
        s3Requests.incrementAndGet();
      }
    };
    s3 = s3Emulator.client(b -> b.httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.addExecutionInterceptor(countS3Requests)));
    s3.createBucket(b -> b.bucket(EVENT_BUCKET));
    s3.createBucket(b -> b.bucket("archive"));
    // The app writes each document once through the access point and once into a bucket that sends events.
    EncryptingS3Client app = EncryptingS3Client.builder().wrappedClient(s3)
        .accessPoint(volume.arn(), volume.alias()).keyring(KmsKeyring.create(kmsClient, keyArn)).build();
    Random random = new Random(22);
    byte[] document = new byte[DOCUMENT_BYTES];
    for (int i = 0; i < DOCUMENTS; i++) {
      random.nextBytes(document);
      String key = String.format("%sdoc-%04d.bin", PREFIX, i);
      app.putObject(b -> b.bucket(volume.alias()).key(key), RequestBody.fromBytes(document));
      app.putObject(b -> b.bucket(EVENT_BUCKET).key(key), RequestBody.fromBytes(document));
    }
    eventObjects = s3.listObjectsV2Paginator(b -> b.bucket(EVENT_BUCKET).prefix(PREFIX)).contents().stream()
        .toList();
    keyring = KmsKeyring.create(kmsClient, keyArn);
  }

  /**
   * A handler that archives under a prefix of its own and a checkpoint table of its own (all 1,000 are new), with
   * a new cache: documents are processed once, so a cache kept across passes would serve decryptions no real run
   * gets.
   */
  @Setup(Level.Invocation)
  public void newPass() {
    pass++;
    DefaultMaterialsManager direct = DefaultMaterialsManager.create(keyring);
    CryptoMaterialsManager functionMaterials = cache ? CachingMaterialsManager.builder().materialsManager(direct)
        .maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(1000).build() : direct;
    EncryptingS3Client functionS3 = EncryptingS3Client.builder().wrappedClient(s3)
        .accessPoint(volume.arn(), volume.alias()).materialsManager(functionMaterials).build();
    String table = "checkpoints-" + pass;
    DynamoDbCheckpointStore.createTable(dynamoDb, table);
    DynamoDbCheckpointStore checkpoints = DynamoDbCheckpointStore.create(dynamoDb, table);
    EncryptedDocumentHandler.Settings.Builder settings = EncryptedDocumentHandler.Settings.builder().s3(functionS3)
        .archiveBucket("archive").archivePrefix("pass-" + pass + "/");
    if (source.equals("scheduled")) {
      settings.scheduledSource(ScheduledSource.builder().bucket(volume.alias()).prefix(PREFIX)
          .checkpoints(checkpoints).build());
    }
    handler = new Passthrough(settings.build());
    Context context = new LocalContext("bench-documents");
    run = switch (source) {
      case "scheduled" -> () -> expectAll(handler.handleScheduledEvent(new ScheduledEvent(), context));
      case "s3-event" -> () -> {
        for (S3Object o : eventObjects) {
          handler.handleS3Event(event(o), context);
        }
      };
      case "mounted" -> {
        MountedDirectorySource mounted = MountedDirectorySource.builder()
            .mountPoint(s3Emulator.volumeDirectory(volume)).bucket(volume.alias()).prefix(PREFIX)
            .checkpoints(checkpoints).envelope(Envelope.builder().materialsManager(functionMaterials).build())
            .build();
        yield () -> expectAll(mounted.run(handler, context));
      }
      default -> throw new IllegalArgumentException(source);
    };
    kmsBefore = kmsRequests.get();
    s3Before = s3Requests.get();
  }

  @TearDown(Level.Invocation)
  public void countKmsRequests() {
    kmsRequestsPerPass.add(kmsRequests.get() - kmsBefore);
    s3RequestsPerPass.add(s3Requests.get() - s3Before);
  }

  @Benchmark
  public void pass() {
    run.run();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    System.out.println("KMS requests per pass (" + source + ", cache " + cache + "): " + kmsRequestsPerPass);
    System.out.println("S3 requests per pass (" + source + "): " + s3RequestsPerPass);
    s3.close();
    dynamoDb.close();
    dynamoDbEmulator.close();
    kms.close();
    s3Emulator.close();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void expectAll(BatchReport report) {
    if (report.getArchived() != DOCUMENTS) {
      throw new IllegalStateException("expected " + DOCUMENTS + " archived: " + report);
    }
  }

  private static S3Event event(S3Object o) {
    return new S3Event(List.of(new S3EventNotification.S3EventNotificationRecord("us-east-1",
        "ObjectCreated:Put", "aws:s3", "2026-12-03T10:00:00.000Z", "2.1", null, null,
        new S3EventNotification.S3Entity("config", new S3EventNotification.S3BucketEntity(EVENT_BUCKET, null, null),
            new S3EventNotification.S3ObjectEntity(o.key(), o.size(), o.eTag(), null, "00"), "1.0"), null)));
  }

  /** The cheapest possible processing, so the figures are the handler's and the source's own cost. */
  private static final class Passthrough extends EncryptedDocumentHandler {
    Passthrough(Settings settings) {
      super(settings);
    }

    @Override
    protected byte[] process(Document document, Context context) {
      return document.content();
    }
  }
}
