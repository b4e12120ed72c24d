package dev.envelope.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.envelope.core.Envelope;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.emulator.AccessPoint;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The document handler's sources for a volume without S3 events, on the emulator's FSx for ONTAP access point: a
 * scheduled listing with a checkpoint (in the DynamoDB emulator, or an S3 object), a mounted-directory stand-in over
 * the same volume, and S3 Batch Operations tasks. The KMS emulator enforces a key policy naming the execution role.
 */
class FsxDocumentSourcesTest {
  @TempDir
  Path dir;
  private S3Emulator s3Emulator;
  private DynamoDbEmulator dynamoDbEmulator;
  private KmsEmulator kms;
  private String key;
  private S3Client raw;
  private AccessPoint volume;
  private EncryptingS3Client app;
  private EncryptingS3Client functionClient;
  private final InMemoryAuditSink functionAudit = new InMemoryAuditSink();
  private final AtomicInteger processed = new AtomicInteger();
  private DynamoDbClient dynamoDb;

  /** The user's function: upper-cases the document; refuses documents that say "poison". */
  final class Shout extends EncryptedDocumentHandler {
    Shout(Settings settings) {
      super(settings);
    }

    @Override
    protected byte[] process(Document document, Context context) {
      processed.incrementAndGet();
      String text = new String(document.content(), StandardCharsets.UTF_8);
      if (text.contains("poison")) {
        throw new IllegalArgumentException("cannot parse " + text); // quotes the document: must not be logged
      }
      return text.toUpperCase().getBytes(StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void start() {
    s3Emulator = S3Emulator.builder().directory(dir.resolve("s3")).build();
    volume = s3Emulator.createAccessPoint(AccessPoint.onFsxOntapVolume("orders", "vol-orders"));
    s3Emulator.createBucket("archive");
    raw = s3Emulator.client();
    dynamoDbEmulator = DynamoDbEmulator.create();
    dynamoDb = dynamoDbEmulator.client();
    DynamoDbCheckpointStore.createTable(dynamoDb, "checkpoints");
    kms = LambdaTestParts.kms();
    key = LambdaTestParts.keyFor(kms, "kms:Decrypt", "kms:GenerateDataKey");
    app = EncryptingS3Client.builder().wrappedClient(raw).accessPoint(volume.arn(), volume.alias())
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.ADMIN), key)).build();
    functionClient = EncryptingS3Client.builder().wrappedClient(raw).accessPoint(volume.arn(), volume.alias())
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.EXECUTION_ROLE), key)).auditSink(functionAudit)
        .build();
  }

  @AfterEach
  void stop() {
    raw.close();
    s3Emulator.close();
    dynamoDbEmulator.close();
    kms.close();
  }

  private Shout scheduled(CheckpointStore store) {
    return scheduled(store, 10_000);
  }

  private Shout scheduled(CheckpointStore store, long reserveMillis) {
    return new Shout(EncryptedDocumentHandler.Settings.builder().s3(functionClient).archiveBucket("archive")
        .scheduledSource(ScheduledSource.builder().bucket(volume.alias()).prefix("orders/").checkpoints(store)
            .reserveMillis(reserveMillis).build())
        .build());
  }

  private void write(String name, String text) {
    app.putObject(b -> b.bucket(volume.arn()).key("orders/" + name), RequestBody.fromString(text));
  }

  private String archived(String name) {
    String archiveKey = "archive/" + volume.arn() + "/orders/" + name;
    assertEquals(StorageClass.GLACIER, raw.headObject(b -> b.bucket("archive").key(archiveKey)).storageClass());
    return functionClient.getObjectAsBytes(b -> b.bucket("archive").key(archiveKey)).asUtf8String();
  }

  private long sourceReads() {
    return functionAudit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.DECRYPT
        && e.resource().map(r -> r.contains(volume.alias())).orElse(false)).count();
  }

  @Test
  void theScheduleProcessesEachNewOrChangedFileOnceAcrossThreeInvocations() {
    CheckpointStore store = DynamoDbCheckpointStore.create(dynamoDb, "checkpoints");
    write("a.json", "order a");
    write("b.json", "order b");
    write("c.json", "order c");
    BatchReport first = scheduled(store).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(3, first.getArchived(), first.toString());
    assertTrue(first.isCheckpointSaved());
    assertEquals(3, processed.get());
    assertEquals("ORDER B", archived("b.json"));

    write("b.json", "order b, amended"); // changed
    write("d.json", "order d");          // added
    app.deleteObject(b -> b.bucket(volume.alias()).key("orders/c.json")); // deleted
    BatchReport second = scheduled(store).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(2, second.getArchived(), second.toString());
    assertEquals(1, second.getUnchanged());
    assertEquals(1, second.getDeleted());
    assertEquals(5, processed.get(), "only the changed and the new file");
    assertEquals("ORDER B, AMENDED", archived("b.json"));
    assertEquals("ORDER D", archived("d.json"));
    assertEquals("ORDER C", archived("c.json"), "an archive outlives its deleted source");

    BatchReport third = scheduled(store).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(0, third.getArchived() + third.getAlreadyArchived(), third.toString());
    assertEquals(3, third.getUnchanged());
    assertEquals(5, processed.get());
    assertEquals(java.util.Set.of("orders/a.json", "orders/b.json", "orders/d.json"),
        store.load(volume.arn() + "/orders/").versions().keySet(), "the checkpoint is keyed by the ARN");
  }

  @Test
  void aCrashBetweenArchiveAndCheckpointProcessesNothingTwice() {
    CheckpointStore real = S3CheckpointStore.create(raw, "archive");
    CheckpointStore crashing = new CheckpointStore() {
      @Override
      public Checkpoint load(String sourceId) {
        return real.load(sourceId);
      }

      @Override
      public void save(String sourceId, Checkpoint previous, Map<String, String> versions) {
        throw new IllegalStateException("the function was killed before its checkpoint was saved");
      }
    };
    for (int i = 0; i < 4; i++) {
      write("o-" + i + ".json", "order " + i);
    }
    assertThrows(IllegalStateException.class,
        () -> scheduled(crashing).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f")));
    assertEquals(4, processed.get());
    long readsBefore = sourceReads();

    BatchReport after = scheduled(real).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(4, after.getAlreadyArchived(), after.toString());
    assertEquals(0, after.getArchived());
    assertEquals(4, processed.get(), "nothing processed twice");
    assertEquals(readsBefore, sourceReads(), "recognized by their archives without being read");
    assertTrue(after.isCheckpointSaved());
    assertEquals(4, scheduled(real).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"))
        .getUnchanged());
  }

  @Test
  void aCorruptFileIsReportedWithoutStoppingTheBatchAndTriedAgainNextRun() throws IOException {
    CheckpointStore store = DynamoDbCheckpointStore.create(dynamoDb, "checkpoints");
    write("a.json", "order a");
    write("m.json", "order m");
    write("p.json", "poison pill");
    write("z.json", "order z");
    Path m = s3Emulator.volumeDirectory(volume).resolve("orders/m.json");
    byte[] bytes = Files.readAllBytes(m);
    bytes[bytes.length - 10] ^= 0x20; // changed over NFS
    Files.write(m, bytes);

    LocalContext context = new LocalContext("f");
    BatchReport report = scheduled(store).handleScheduledEvent(new ScheduledEvent(), context);
    assertEquals(2, report.getArchived(), report.toString());
    assertEquals(2, report.getFailures().size(), report.toString());
    DocumentOutcome corrupt = report.outcomes().stream().filter(o -> o.source().key().equals("orders/m.json"))
        .findFirst().orElseThrow();
    assertTrue(corrupt.detail().startsWith("AuthenticationFailedException"), corrupt.detail());
    assertFalse(corrupt.retryable());
    DocumentOutcome poison = report.outcomes().stream().filter(o -> o.source().key().equals("orders/p.json"))
        .findFirst().orElseThrow();
    assertEquals("process threw java.lang.IllegalArgumentException", poison.detail());
    assertTrue(context.lines().stream().noneMatch(l -> l.contains("poison pill")), "no content in the log");
    assertEquals("ORDER Z", archived("z.json"), "the batch went on after the corrupt file");

    BatchReport next = scheduled(store).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(2, next.getUnchanged(), next.toString());
    assertEquals(2, next.getFailures().size(), "failed files stay out of the checkpoint and are tried again");
  }

  @Test
  void runsThatWouldOutliveTheInvocationDeferTheRest() {
    CheckpointStore store = S3CheckpointStore.create(raw, "archive");
    write("a.json", "order a");
    write("b.json", "order b");
    // LocalContext reports 60 s left: a reserve above that defers everything.
    BatchReport deferred = scheduled(store, 120_000).handleScheduledEvent(new ScheduledEvent(),
        new LocalContext("f"));
    assertEquals(2, deferred.getDeferred(), deferred.toString());
    assertEquals(0, processed.get());
    assertEquals(2, scheduled(store).handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"))
        .getArchived());
  }

  @Test
  void theMountedDirectoryGivesTheSameDocumentsToTheSameArchives() throws IOException {
    write("a.json", "order a");
    write("b.json", "order b");
    // A server that mounts the volume writes a document as a file, bound as the access point would bind it.
    Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(kms.client(LambdaTestParts.ADMIN), key))
        .build();
    Path mount = s3Emulator.volumeDirectory(volume);
    try (OutputStream out = envelope.encryptingStream(Files.newOutputStream(mount.resolve("orders/c.json")),
        app.encryptionContextFor(volume.alias(), "orders/c.json"))) {
      out.write("order c".getBytes(StandardCharsets.UTF_8));
    }
    Files.createDirectories(mount.resolve("orders/.snapshot"));
    Files.writeString(mount.resolve("orders/.snapshot/a.json"), "not a document");
    Files.writeString(mount.resolve("orders/.hidden.json"), "not a document");

    BatchReport scheduledReport = scheduled(S3CheckpointStore.create(raw, "archive"))
        .handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(3, scheduledReport.getArchived(), scheduledReport.toString());
    assertEquals(List.of(), scheduledReport.getFailures(), "hidden files are not documents in either source");
    Map<String, String> viaAccessPoint = new TreeMap<>();
    for (String name : List.of("a.json", "b.json", "c.json")) {
      viaAccessPoint.put(name, archived(name));
    }

    // The same documents from the mounted directory, with the function's keyring: all recognized by their archives.
    Envelope functionEnvelope = Envelope.builder()
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.EXECUTION_ROLE), key)).build();
    MountedDirectorySource mounted = MountedDirectorySource.builder().mountPoint(mount).bucket(volume.alias())
        .prefix("orders/").checkpoints(DynamoDbCheckpointStore.create(dynamoDb, "checkpoints"))
        .envelope(functionEnvelope).build();
    BatchReport again = mounted.run(handlerFor("archive"), new LocalContext("ecs-task"));
    assertEquals(3, again.getAlreadyArchived(), again.toString());
    assertEquals(3, processed.get());

    // Into an empty archive bucket: the same archive keys and contents.
    s3Emulator.createBucket("archive-2");
    MountedDirectorySource fresh = MountedDirectorySource.builder().mountPoint(mount).bucket(volume.arn())
        .prefix("orders/").checkpoints(S3CheckpointStore.create(raw, "archive-2")).envelope(functionEnvelope)
        .build();
    BatchReport mountedReport = fresh.run(handlerFor("archive-2"), new LocalContext("ecs-task"));
    assertEquals(3, mountedReport.getArchived(), mountedReport.toString());
    for (String name : viaAccessPoint.keySet()) {
      String archiveKey = "archive/" + volume.arn() + "/orders/" + name;
      assertEquals(viaAccessPoint.get(name), functionClient.getObjectAsBytes(b -> b.bucket("archive-2")
          .key(archiveKey)).asUtf8String(), name);
    }
    assertEquals(3, fresh.run(handlerFor("archive-2"), new LocalContext("ecs-task")).getUnchanged());
  }

  private Shout handlerFor(String archiveBucket) {
    return new Shout(EncryptedDocumentHandler.Settings.builder().s3(functionClient).archiveBucket(archiveBucket)
        .build());
  }

  @Test
  void s3BatchOperationsTasksAreAnsweredOneByOne() throws IOException {
    write("a b.json", "order a");
    write("bad.json", "order bad");
    Files.writeString(s3Emulator.volumeDirectory(volume).resolve("orders/bad.json"), "plain text over NFS");
    S3BatchEventV2 event = new S3BatchEventV2("2.0", "invocation-1", new S3BatchEventV2.Job("job-1", Map.of()),
        List.of(new S3BatchEventV2.Task("t1", "orders/a+b.json", null, volume.alias()),
            new S3BatchEventV2.Task("t2", "orders/missing.json", null, volume.alias()),
            new S3BatchEventV2.Task("t3", "orders/bad.json", null, volume.alias())));
    S3BatchResponse response = handlerFor("archive").handleS3BatchEvent(event, new LocalContext("f"));
    assertEquals("invocation-1", response.getInvocationId());
    List<S3BatchResponse.ResultCode> codes = new ArrayList<>();
    response.getResults().forEach(r -> codes.add(r.getResultCode()));
    assertEquals(List.of(S3BatchResponse.ResultCode.Succeeded, S3BatchResponse.ResultCode.PermanentFailure,
        S3BatchResponse.ResultCode.PermanentFailure), codes);
    assertTrue(response.getResults().get(2).getResultString().startsWith("NotEncryptedObjectException"),
        response.getResults().get(2).getResultString());
    assertEquals("ORDER A", archived("a b.json"));
    BatchReport replay = handlerFor("archive").processKeys(volume.arn(), List.of("orders/a b.json"),
        new LocalContext("f"));
    assertEquals(1, replay.getAlreadyArchived(), "a replay through the other name finds the same archive");
  }

  @Test
  void keysInEveryFormTakeTheSamePathThroughEverySource() {
    List<String> names = List.of("café menu.json", "日本/注文.json", "a+b=c.json", "50% off.json", "(1) ~x.json");
    for (String name : names) {
      write(name, "order " + name);
    }
    BatchReport scheduledReport = scheduled(S3CheckpointStore.create(raw, "archive"))
        .handleScheduledEvent(new ScheduledEvent(), new LocalContext("f"));
    assertEquals(names.size(), scheduledReport.getArchived(), scheduledReport.toString());
    for (String name : names) {
      assertEquals(("ORDER " + name).toUpperCase(), archived(name), name);
    }

    // S3 Batch Operations URL-encodes keys (a space as '+', a '+' as %2B): each is found archived under its name.
    List<S3BatchEventV2.Task> tasks = new ArrayList<>();
    for (String name : names) {
      tasks.add(new S3BatchEventV2.Task("t-" + tasks.size(),
          java.net.URLEncoder.encode("orders/" + name, StandardCharsets.UTF_8), null, volume.arn()));
    }
    S3BatchResponse response = handlerFor("archive").handleS3BatchEvent(new S3BatchEventV2("2.0", "inv",
        new S3BatchEventV2.Job("job", Map.of()), tasks), new LocalContext("f"));
    response.getResults().forEach(r -> assertEquals("ALREADY_ARCHIVED", r.getResultString(), r.getTaskId()));

    // The same files through the mount, into an empty archive bucket: the same keys, the same archives.
    s3Emulator.createBucket("archive-names");
    Envelope functionEnvelope = Envelope.builder()
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.EXECUTION_ROLE), key)).build();
    BatchReport mountedReport = MountedDirectorySource.builder().mountPoint(s3Emulator.volumeDirectory(volume))
        .bucket(volume.alias()).prefix("orders/").checkpoints(S3CheckpointStore.create(raw, "archive-names"))
        .envelope(functionEnvelope).build().run(handlerFor("archive-names"), new LocalContext("ecs-task"));
    assertEquals(names.size(), mountedReport.getArchived(), mountedReport.toString());
    for (String name : names) {
      String archiveKey = "archive/" + volume.arn() + "/orders/" + name;
      assertEquals(("ORDER " + name).toUpperCase(), functionClient.getObjectAsBytes(b -> b.bucket("archive-names")
          .key(archiveKey)).asUtf8String(), name);
    }
  }

  @Test
  void checkpointStoresRefuseAConcurrentSave() {
    for (CheckpointStore store : List.of(S3CheckpointStore.create(raw, "archive"),
        DynamoDbCheckpointStore.create(dynamoDb, "checkpoints"))) {
      Checkpoint loaded = store.load("src");
      store.save("src", loaded, Map.of("k", "\"e1\""));
      assertThrows(CheckpointConflictException.class, () -> store.save("src", loaded, Map.of("k", "\"e2\"")),
          store.getClass().getSimpleName());
      Checkpoint reloaded = store.load("src");
      assertEquals(Map.of("k", "\"e1\""), reloaded.versions());
      store.save("src", reloaded, Map.of("k", "\"e3\"", "k\u00e9 \"quoted\"", "v"));
      assertEquals(Map.of("k", "\"e3\"", "k\u00e9 \"quoted\"", "v"), store.load("src").versions());
    }
  }

  @Test
  void aCheckpointTooLargeForAnItemNamesTheAlternative() {
    Map<String, String> versions = new TreeMap<>();
    Random random = new Random(5);
    for (int i = 0; i < 30_000; i++) {
      versions.put("orders/" + Long.toHexString(random.nextLong()) + ".json", Long.toHexString(random.nextLong()));
    }
    CheckpointStore store = DynamoDbCheckpointStore.create(dynamoDb, "checkpoints");
    DocumentProcessingException e = assertThrows(DocumentProcessingException.class,
        () -> store.save("big", store.load("big"), versions));
    assertTrue(e.getMessage().contains("S3CheckpointStore"), e.getMessage());
  }

  @Test
  void theVolumeSendsNoEventsSoTheScheduleIsTheWay() {
    S3Exception e = assertThrows(S3Exception.class, () -> raw.putBucketNotificationConfiguration(b -> b
        .bucket(volume.alias()).notificationConfiguration(n -> n.lambdaFunctionConfigurations(List.of()))));
    assertEquals(501, e.statusCode());
    assertTrue(e.getMessage().contains("no bucket notifications"), e.getMessage());
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> handlerFor("archive").handleScheduledEvent(new ScheduledEvent(), new LocalContext("f")));
    assertTrue(none.getMessage().contains("scheduledSource"), none.getMessage());
  }
}
