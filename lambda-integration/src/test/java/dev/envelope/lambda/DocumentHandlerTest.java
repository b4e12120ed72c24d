package dev.envelope.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.s3.EncryptingS3Client;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The encrypted-document handler run in process with test events, S3Proxy and the KMS emulator, whose key policy
 * names the function's execution role.
 */
class DocumentHandlerTest {
  private KmsEmulator kms;
  private S3Client raw;
  private EncryptingS3Client app;
  private EncryptingS3Client functionClient;
  private final InMemoryAuditSink functionAudit = new InMemoryAuditSink();
  private String inbox;
  private String archive;

  /** The user's function: upper-cases the document and says how long it was. */
  static final class Shout extends EncryptedDocumentHandler {
    Shout(Settings settings) {
      super(settings);
    }

    @Override
    protected byte[] process(Document document, Context context) {
      String text = new String(document.content(), StandardCharsets.UTF_8);
      return (text.toUpperCase() + " (" + text.length() + " chars)").getBytes(StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void start() {
    kms = LambdaTestParts.kms();
    String key = LambdaTestParts.keyFor(kms, "kms:Decrypt", "kms:GenerateDataKey");
    raw = LambdaTestParts.s3();
    inbox = "inbox-" + Long.toHexString(System.nanoTime());
    archive = "archive-" + Long.toHexString(System.nanoTime());
    raw.createBucket(b -> b.bucket(inbox));
    raw.createBucket(b -> b.bucket(archive));
    app = EncryptingS3Client.builder().wrappedClient(raw)
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.ADMIN), key)).build();
    functionClient = EncryptingS3Client.builder().wrappedClient(raw)
        .keyring(KmsKeyring.create(kms.client(LambdaTestParts.EXECUTION_ROLE), key)).auditSink(functionAudit)
        .build();
  }

  @AfterEach
  void stop() {
    kms.close();
  }

  private Shout handler() {
    return new Shout(EncryptedDocumentHandler.Settings.builder().s3(functionClient).archiveBucket(archive).build());
  }

  private ObjectRef upload(String key, String text) {
    String eTag = app.putObject(b -> b.bucket(inbox).key(key), RequestBody.fromString(text)).eTag();
    return new ObjectRef(inbox, key, eTag, null);
  }

  private static S3Event s3Event(List<ObjectRef> refs) {
    List<S3EventNotification.S3EventNotificationRecord> records = new ArrayList<>();
    for (ObjectRef ref : refs) {
      records.add(new S3EventNotification.S3EventNotificationRecord("us-east-1", "ObjectCreated:Put", "aws:s3",
          "2026-11-22T10:00:00.000Z", "2.1", null, null, new S3EventNotification.S3Entity("config",
              new S3EventNotification.S3BucketEntity(ref.bucket(), null, "arn:aws:s3:::" + ref.bucket()),
              new S3EventNotification.S3ObjectEntity(ref.key().replace(" ", "+"), 1L, ref.eTag(), null, "00"),
              "1.0"), null));
    }
    return new S3Event(records);
  }

  private static String notificationJson(ObjectRef ref) {
    return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
        + "\"s3\":{\"bucket\":{\"name\":\"" + ref.bucket() + "\"},\"object\":{\"key\":\""
        + ref.key().replace(" ", "+") + "\",\"eTag\":\"" + ref.eTag().replace("\"", "") + "\"}}}]}";
  }

  private long archivesWritten() {
    return functionAudit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.ENCRYPT).count();
  }

  @Test
  void s3EventForThreeDocumentsArchivesThreeEncryptedGlacierObjectsOnce() {
    List<ObjectRef> refs = List.of(upload("orders/a.txt", "order a"), upload("orders/b c.txt", "order b"),
        upload("orders/c.txt", "order c"));
    LocalContext context = new LocalContext("order-processor");
    handler().handleS3Event(s3Event(refs), context);

    for (ObjectRef ref : refs) {
      String archiveKey = "archive/" + inbox + "/" + ref.key();
      HeadObjectResponse head = raw.headObject(b -> b.bucket(archive).key(archiveKey));
      assertEquals(StorageClass.GLACIER, head.storageClass(), archiveKey);
      String stored = new String(raw.getObjectAsBytes(b -> b.bucket(archive).key(archiveKey)).asByteArray(),
          StandardCharsets.ISO_8859_1);
      assertFalse(stored.contains("ORDER"), "archived encrypted");
      String text = app.getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key())).asUtf8String();
      assertEquals(text.toUpperCase() + " (7 chars)",
          app.getObjectAsBytes(b -> b.bucket(archive).key(archiveKey)).asUtf8String());
    }
    assertEquals(3, archivesWritten());
    assertEquals(3, functionAudit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.DECRYPT)
        .count());

    // The same event delivered again: every archive is recognized, nothing is read or written.
    handler().handleS3Event(s3Event(refs), context);
    assertEquals(3, archivesWritten());
    assertEquals(3, context.lines().stream().filter(l -> l.contains("already archived")).count());
    context.lines().forEach(l -> assertFalse(l.contains("order a") || l.contains("ORDER"), l));
  }

  @Test
  void sqsBatchWithOneBadRecordReportsExactlyThatMessage() {
    ObjectRef good1 = upload("sqs/1.txt", "first");
    ObjectRef good2 = upload("sqs/2.txt", "second");
    raw.putObject(b -> b.bucket(inbox).key("sqs/plain.txt"), RequestBody.fromString("not encrypted"));
    ObjectRef plain = new ObjectRef(inbox, "sqs/plain.txt", "\"x\"", null);

    SQSEvent event = new SQSEvent();
    List<SQSEvent.SQSMessage> messages = new ArrayList<>();
    String[][] bodies = {{"m-1", notificationJson(good1)}, {"m-2", notificationJson(plain)},
        {"m-3", notificationJson(good2)}, {"m-4", "{\"Event\":\"s3:TestEvent\"}"}};
    for (String[] body : bodies) {
      SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
      m.setMessageId(body[0]);
      m.setBody(body[1]);
      messages.add(m);
    }
    event.setRecords(messages);
    LocalContext context = new LocalContext("order-processor");
    SQSBatchResponse response = handler().handleSqsEvent(event, context);

    assertEquals(List.of("m-2"), response.getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    assertEquals(2, archivesWritten());
    assertTrue(context.lines().stream().anyMatch(l -> l.startsWith("s3://" + inbox + "/sqs/plain.txt: failed: "
        + "NotEncryptedObjectException")), context.lines().toString());

    SQSBatchResponse again = handler().handleSqsEvent(event, context);
    assertEquals(List.of("m-2"), again.getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    assertEquals(2, archivesWritten(), "redelivery writes nothing new");
  }

  @Test
  void directS3EventFailsTheInvocationAfterTryingEveryRecord() {
    ObjectRef good = upload("direct/ok.txt", "fine");
    ObjectRef missing = new ObjectRef(inbox, "direct/missing.txt", "\"y\"", null);
    DocumentProcessingException e = assertThrows(DocumentProcessingException.class,
        () -> handler().handleS3Event(s3Event(List.of(missing, good)), new LocalContext("order-processor")));
    assertEquals("Failed to process 1 of the event's objects: [s3://" + inbox + "/direct/missing.txt] (details in "
        + "the log); Lambda's retry will skip those already archived", e.getMessage());
    assertEquals(1, archivesWritten(), "the good record was archived anyway");
  }

  @Test
  void s3EventLoadedWithLambdasOwnSerialization() {
    // events/s3-put.json: a notification as S3 sends it, with the key URL-encoded ('+' for a space).
    S3Event event = EventLoader.loadS3Event("events/s3-put.json");
    String bucket = "securecart-inbox-from-json";
    if (!raw.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) {
      raw.createBucket(b -> b.bucket(bucket));
    }
    app.putObject(b -> b.bucket(bucket).key("orders/order A-1001.json"), RequestBody.fromString("order a-1001"));
    LocalContext context = new LocalContext("order-processor");
    try {
      handler().handleS3Event(event, context);
    } catch (DocumentProcessingException e) {
      throw new AssertionError(context.lines().toString(), e);
    }
    assertEquals("ORDER A-1001 (12 chars)", app.getObjectAsBytes(b -> b.bucket(archive)
        .key("archive/" + bucket + "/orders/order A-1001.json")).asUtf8String());
    // The file has no eTag: the handler asks S3 for it, so a redelivery still writes nothing.
    handler().handleS3Event(event, context);
    assertEquals(1, archivesWritten());
  }

  @Test
  void notSqsS3NotificationsAreFailuresNotCrashes() {
    SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
    m.setMessageId("junk");
    m.setBody("hello");
    SQSEvent event = new SQSEvent();
    event.setRecords(List.of(m));
    LocalContext context = new LocalContext("order-processor");
    assertEquals(List.of("junk"), handler().handleSqsEvent(event, context).getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    assertEquals(List.of("SQS message junk is not an S3 event notification: message body is not JSON"),
        context.lines());
  }

  /** The user's function fails with a message quoting the document, as parsers do. */
  static final class Quoting extends EncryptedDocumentHandler {
    Quoting(Settings settings) {
      super(settings);
    }

    @Override
    protected byte[] process(Document document, Context context) {
      throw new IllegalStateException("unexpected token near '" + new String(document.content(),
          StandardCharsets.UTF_8) + "'");
    }
  }

  @Test
  void whatProcessThrowsIsLoggedByTypeOnlyAndAudited() {
    ObjectRef ref = upload("secret/doc.txt", "card 4111-1111-1111-1111");
    LocalContext context = new LocalContext("order-processor");
    Quoting quoting = new Quoting(EncryptedDocumentHandler.Settings.builder().s3(functionClient)
        .archiveBucket(archive).build());
    assertThrows(DocumentProcessingException.class, () -> quoting.handleS3Event(s3Event(List.of(ref)), context));
    assertEquals(List.of("s3://" + inbox + "/secret/doc.txt: failed: process threw java.lang.IllegalStateException "
        + "(its message is not logged: it may quote the document)"), context.lines());
    AuditEvent event = functionAudit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.PROCESS)
        .findFirst().orElseThrow();
    assertEquals(AuditEvent.Outcome.FAILURE, event.outcome());
    assertEquals("IllegalStateException", event.errorClass().orElseThrow());
    assertEquals("s3://" + inbox + "/secret/doc.txt", event.resource().orElseThrow());
    assertFalse(event.toString().contains("4111"), event.toString());
    assertEquals(0, archivesWritten());
  }

  @Test
  void concurrentDeliveriesOfOneEventArchiveItOnce() throws Exception {
    ObjectRef ref = upload("race/doc.txt", "order r");
    java.util.concurrent.CountDownLatch bothInside = new java.util.concurrent.CountDownLatch(2);
    EncryptedDocumentHandler.Settings settings = EncryptedDocumentHandler.Settings.builder().s3(functionClient)
        .archiveBucket(archive).build();
    // Each delivery's process waits until the other is inside process too: both passed the "already archived?"
    // check before either writes, the interleaving that archived twice.
    EncryptedDocumentHandler racing = new EncryptedDocumentHandler(settings) {
      @Override
      protected byte[] process(Document document, Context context) throws Exception {
        bothInside.countDown();
        if (!bothInside.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other delivery never arrived");
        }
        return ("result of " + context.getAwsRequestId()).getBytes(StandardCharsets.UTF_8);
      }
    };
    LocalContext first = new LocalContext("order-processor");
    LocalContext second = new LocalContext("order-processor");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = pool.submit(() -> racing.handleS3Event(s3Event(List.of(ref)), first));
      var b = pool.submit(() -> racing.handleS3Event(s3Event(List.of(ref)), second));
      a.get();
      b.get();
    } finally {
      pool.shutdownNow();
    }
    List<String> lines = new ArrayList<>(first.lines());
    lines.addAll(second.lines());
    assertEquals(1, lines.stream().filter(l -> l.contains(": archived as s3://")).count(), lines.toString());
    assertEquals(1, lines.stream().filter(l -> l.contains("archived meanwhile by a concurrent delivery")).count(),
        lines.toString());
    String archived = app.getObjectAsBytes(b -> b.bucket(archive).key("archive/" + inbox + "/race/doc.txt"))
        .asUtf8String();
    String winner = first.lines().stream().anyMatch(l -> l.contains(": archived as s3://"))
        ? first.getAwsRequestId() : second.getAwsRequestId();
    assertEquals("result of " + winner, archived, "the archive is the winner's, written once");
  }
}
