package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.envelope.core.Envelope;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.s3.EncryptingS3Client;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * A Lambda handler for encrypted documents: for each object an S3 event (or an SQS message carrying one) names,
 * it reads the object through {@link EncryptingS3Client} (decrypting and authenticating it), hands the plaintext to
 * {@link #process}, and writes the result, encrypted, to the archive bucket under
 * {@code <prefix><source bucket>/<source key>} with the configured storage class (GLACIER, i.e. Glacier Flexible
 * Retrieval, by default).
 *
 * <pre>{@code
 * public class OrderTotals extends EncryptedDocumentHandler {
 *   public OrderTotals() {                      // Lambda builds the handler once per execution environment
 *     super(Settings.builder().s3(EncryptingS3Client.builder()...build()).archiveBucket("archive").build());
 *   }
 *   protected byte[] process(Document d, Context c) { return totals(d.content()); }
 * }
 * // handler strings: com.example.OrderTotals::handleS3Event  or  com.example.OrderTotals::handleSqsEvent
 * }</pre>
 *
 * <p>Sources: S3 event notifications ({@link #handleS3Event}, {@link #handleSqsEvent}); for volumes that send no
 * events (an FSx for ONTAP volume's access point), a scheduled listing with a checkpoint
 * ({@link #handleScheduledEvent} over {@link Settings.Builder#scheduledSource}); explicit keys
 * ({@link #handleS3BatchEvent} for S3 Batch Operations, {@link #processKeys} for replays); and the volume mounted
 * as a directory ({@link MountedDirectorySource}, for ECS and EC2 processors). Archive keys use the bucket name
 * objects are bound to ({@link EncryptingS3Client#boundBucketName}: an access point's ARN when its two names are
 * declared), so every source writes a document to the same archive.
 *
 * <p>Retries write nothing twice: the archive object records the source's ETag, and an object whose archive
 * already holds that ETag is skipped without being read. Per-record failures of an SQS batch are reported in the
 * partial batch response (enable ReportBatchItemFailures on the event source mapping); for a direct S3 event, any
 * failure fails the invocation after every record was tried, so that Lambda's retry redoes only the failed ones.
 * Concurrent deliveries of one event write its archive once: the write is conditional ({@code If-None-Match: *},
 * or {@code If-Match} on the archive it replaces), and the delivery that loses finds the other's archive and stops.
 * Both may run {@link #process} (it should have no effects beyond its result). Every read, write and archive
 * check is one audit event of the S3 client ({@code s3://bucket/key}), and a failure of {@code process} is one
 * PROCESS event. Log lines name objects and outcomes, never content: what {@code process} throws is logged by its
 * type only. Thread-safe if {@link #process} is.
 */
public abstract class EncryptedDocumentHandler {
  /** User metadata on each archive object: the ETag of the source it was made from. */
  public static final String SOURCE_ETAG_METADATA = "envelope-source-etag";

  private final Settings settings;
  private final ArchiveOnce archiveOnce;

  protected EncryptedDocumentHandler(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.archiveOnce = new ArchiveOnce(settings, this::process);
  }

  /**
   * The work on one decrypted document: returns what to archive. Throwing fails this record only.
   */
  protected abstract byte[] process(Document document, Context context) throws Exception;

  /** Entry point for S3 event notifications. */
  public final Void handleS3Event(S3Event event, Context context) {
    List<String> failed = new ArrayList<>();
    for (ObjectRef ref : S3EventRecords.of(event)) {
      if (!handle(ref, context).ok()) {
        failed.add(ref.toString());
      }
    }
    if (!failed.isEmpty()) {
      throw new DocumentProcessingException("Failed to process " + failed.size() + " of the event's objects: "
          + failed + " (details in the log); Lambda's retry will skip those already archived");
    }
    return null;
  }

  /** Entry point for SQS messages that carry S3 event notifications; reports failed messages individually. */
  public final SQSBatchResponse handleSqsEvent(SQSEvent event, Context context) {
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    if (event != null && event.getRecords() != null) {
      for (SQSEvent.SQSMessage message : event.getRecords()) {
        boolean ok;
        try {
          ok = true;
          for (ObjectRef ref : S3EventRecords.fromJson(message.getBody())) {
            ok &= handle(ref, context).ok();
          }
        } catch (IllegalArgumentException e) {
          log(context, "SQS message " + message.getMessageId() + " is not an S3 event notification: "
              + e.getMessage());
          ok = false;
        }
        if (!ok) {
          failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
        }
      }
    }
    return new SQSBatchResponse(failures);
  }

  /**
   * Entry point for a schedule (an EventBridge Scheduler or EventBridge rule target; the event's content is not
   * used): lists the {@link Settings.Builder#scheduledSource scheduled source}, processes what is new or changed
   * since its checkpoint, saves the checkpoint, and returns the report. Failed documents are reported (and logged)
   * without failing the invocation: they stay out of the checkpoint and are tried again next run.
   *
   * @throws IllegalStateException if the settings have no scheduled source
   */
  public final BatchReport handleScheduledEvent(ScheduledEvent event, Context context) {
    ScheduledSource source = settings.scheduledSource();
    if (source == null) {
      throw new IllegalStateException("handleScheduledEvent needs Settings.builder().scheduledSource(...): what to "
          + "list, and where its checkpoint is kept");
    }
    List<CheckpointedRun.Listed> listing = new ArrayList<>();
    for (S3Object o : settings.s3().listObjectsV2Paginator(b -> b.bucket(source.bucket()).prefix(source.prefix()))
        .contents()) {
      if (CheckpointedRun.isDocument(o.key())) {
        listing.add(new CheckpointedRun.Listed(o.key(), o.eTag()));
      }
    }
    BatchReport report = CheckpointedRun.run(sourceId(source.bucket(), source.prefix()), source.checkpoints(),
        listing, doc -> handle(new ObjectRef(source.bucket(), doc.key(), doc.version(), null), context),
        () -> context == null ? Long.MAX_VALUE : context.getRemainingTimeInMillis(), source.reserveMillis(),
        line -> log(context, line));
    log(context, "scheduled run over " + source.bucket() + "/" + source.prefix() + ": " + report);
    return report;
  }

  /**
   * Entry point for S3 Batch Operations (invocation schema 2.0): each task's object is processed, and reported as
   * {@code Succeeded}, {@code TemporaryFailure} (throttling, an unreachable service: Batch Operations retries it)
   * or {@code PermanentFailure} (a document that cannot be processed as it is).
   */
  public final S3BatchResponse handleS3BatchEvent(S3BatchEventV2 event, Context context) {
    List<S3BatchResponse.Result> results = new ArrayList<>();
    for (S3BatchEventV2.Task task : event.getTasks()) {
      // Batch Operations URL-encodes keys in the event, as S3 notifications do.
      String versionId = task.getS3VersionId() == null || task.getS3VersionId().isBlank() ? null
          : task.getS3VersionId();
      DocumentOutcome outcome = handle(new ObjectRef(task.getS3Bucket(),
          URLDecoder.decode(task.getS3Key(), StandardCharsets.UTF_8), null, versionId), context);
      S3BatchResponse.ResultCode code = outcome.ok() ? S3BatchResponse.ResultCode.Succeeded
          : outcome.retryable() ? S3BatchResponse.ResultCode.TemporaryFailure
          : S3BatchResponse.ResultCode.PermanentFailure;
      results.add(new S3BatchResponse.Result(task.getTaskId(), code,
          outcome.ok() ? outcome.status().name() : outcome.detail()));
    }
    return S3BatchResponse.fromS3BatchEvent(event)
        .withTreatMissingKeysAs(S3BatchResponse.ResultCode.PermanentFailure).withResults(results).build();
  }

  /** Processes the given keys of {@code bucket} (a replay), each once; no checkpoint is read or written. */
  public final BatchReport processKeys(String bucket, List<String> keys, Context context) {
    List<DocumentOutcome> outcomes = new ArrayList<>();
    for (String key : keys) {
      outcomes.add(handle(new ObjectRef(bucket, key, null, null), context));
    }
    return new BatchReport(outcomes, 0, 0, 0, false);
  }

  /** The id of a listed source's checkpoint: the bucket's bound name and the prefix. */
  final String sourceId(String bucket, String prefix) {
    return settings.s3().boundBucketName(bucket) + "/" + prefix;
  }

  /** Processes one object read through the S3 client. Never throws. */
  final DocumentOutcome handle(ObjectRef ref, Context context) {
    return archiveOnce.run(ref, new DocumentSource() {
      @Override
      public String version() {
        // Notifications and listings carry the ETag; an event without one (hand-made, replayed) costs a HEAD.
        return ref.eTag() != null ? ref.eTag() : settings.s3().headObject(b -> b.bucket(ref.bucket())
            .key(ref.key()).versionId(ref.versionId())).eTag();
      }

      @Override
      public Read read() throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(b -> b.bucket(ref.bucket())
            .key(ref.key()).versionId(ref.versionId()))) {
          byte[] content = readBounded(in, ref);
          return new Read(content, in.response().eTag() != null ? in.response().eTag() : ref.eTag());
        }
      }
    }, context);
  }

  /**
   * Processes one file of a mounted volume: decrypted with {@code envelope} under the context the handler's client
   * would expect for {@code ref}, so it is exactly the document the access point serves. Never throws.
   */
  final DocumentOutcome handleFile(ObjectRef ref, Path file, Envelope envelope, Context context) {
    return archiveOnce.run(ref, new DocumentSource() {
      private byte[] encrypted;

      private byte[] encrypted() throws IOException {
        if (encrypted == null) {
          try (InputStream in = Files.newInputStream(file)) {
            // The ciphertext is the plaintext plus its header, frame tags and signature: 1 MiB covers them.
            encrypted = in.readNBytes(settings.maxDocumentBytes() + (1 << 20) + 1);
          }
          if (encrypted.length > settings.maxDocumentBytes() + (1 << 20)) {
            throw new DocumentProcessingException(ref + " (" + file + ") is larger than the "
                + settings.maxDocumentBytes() + "-byte document limit (Settings.maxDocumentBytes)");
          }
        }
        return encrypted;
      }

      @Override
      public String version() throws IOException {
        return "\"" + md5(encrypted()) + "\""; // the ETag S3 gives a single PUT of these bytes
      }

      @Override
      public Read read() throws IOException {
        byte[] content = envelope.decrypt(encrypted(), settings.s3().encryptionContextFor(ref.bucket(), ref.key()))
            .plaintext();
        if (content.length > settings.maxDocumentBytes()) {
          Arrays.fill(content, (byte) 0);
          throw new DocumentProcessingException(ref + " is larger than the " + settings.maxDocumentBytes()
              + "-byte document limit (Settings.maxDocumentBytes)");
        }
        return new Read(content, version());
      }
    }, context);
  }

  private static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  private byte[] readBounded(InputStream in, ObjectRef ref) throws IOException {
    byte[] content = in.readNBytes(settings.maxDocumentBytes() + 1);
    if (content.length > settings.maxDocumentBytes()) {
      Arrays.fill(content, (byte) 0);
      throw new DocumentProcessingException(ref + " is larger than the " + settings.maxDocumentBytes() + "-byte "
          + "document limit (Settings.maxDocumentBytes)");
    }
    return content;
  }

  static void log(Context context, String line) {
    LambdaLogger logger = context == null ? null : context.getLogger();
    if (logger != null) {
      logger.log(line + "\n");
    }
  }

  /** What a handler needs, built once per execution environment. Immutable. */
  public static final class Settings {
    private final EncryptingS3Client s3;
    private final String archiveBucket;
    private final String archivePrefix;
    private final StorageClass storageClass;
    private final int maxDocumentBytes;
    private final AuditSink auditSink;
    private final ScheduledSource scheduledSource;

    private Settings(Builder b) {
      this.s3 = Objects.requireNonNull(b.s3, "s3");
      if (b.archiveBucket == null || b.archiveBucket.isEmpty()) {
        throw new IllegalArgumentException("archiveBucket is required");
      }
      this.archiveBucket = b.archiveBucket;
      this.archivePrefix = b.archivePrefix;
      this.storageClass = b.storageClass;
      this.maxDocumentBytes = b.maxDocumentBytes;
      this.auditSink = b.auditSink != null ? b.auditSink : s3.auditSink();
      this.scheduledSource = b.scheduledSource;
    }

    public static Builder builder() {
      return new Builder();
    }

    public EncryptingS3Client s3() {
      return s3;
    }

    public String archiveBucket() {
      return archiveBucket;
    }

    public String archivePrefix() {
      return archivePrefix;
    }

    public StorageClass storageClass() {
      return storageClass;
    }

    public int maxDocumentBytes() {
      return maxDocumentBytes;
    }

    public AuditSink auditSink() {
      return auditSink;
    }

    /** What {@link EncryptedDocumentHandler#handleScheduledEvent} lists; null if none. */
    public ScheduledSource scheduledSource() {
      return scheduledSource;
    }

    /** Builder: the S3 client and the archive bucket are required. */
    public static final class Builder {
      private EncryptingS3Client s3;
      private String archiveBucket;
      private String archivePrefix = "archive/";
      private StorageClass storageClass = StorageClass.GLACIER;
      private int maxDocumentBytes = 16 << 20;
      private AuditSink auditSink;
      private ScheduledSource scheduledSource;

      private Builder() {}

      /**
       * What scheduled invocations list (an FSx volume's access point) and where its checkpoint is; none by
       * default.
       */
      public Builder scheduledSource(ScheduledSource scheduledSource) {
        this.scheduledSource = Objects.requireNonNull(scheduledSource, "scheduledSource");
        return this;
      }

      /** Where failures of {@code process} are recorded; by default the S3 client's audit sink. */
      public Builder auditSink(AuditSink auditSink) {
        this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
        return this;
      }

      /** Reads the documents and writes the archives (one client: it decrypts and encrypts). Required. */
      public Builder s3(EncryptingS3Client s3) {
        this.s3 = s3;
        return this;
      }

      /** The bucket archives are written to. Required. */
      public Builder archiveBucket(String archiveBucket) {
        this.archiveBucket = archiveBucket;
        return this;
      }

      /** Key prefix of archive objects; default {@code archive/}. */
      public Builder archivePrefix(String archivePrefix) {
        this.archivePrefix = Objects.requireNonNull(archivePrefix, "archivePrefix");
        return this;
      }

      /** Default GLACIER (S3 Glacier Flexible Retrieval). */
      public Builder storageClass(StorageClass storageClass) {
        this.storageClass = Objects.requireNonNull(storageClass, "storageClass");
        return this;
      }

      /** Largest document read into memory; default 16 MiB. */
      public Builder maxDocumentBytes(int maxDocumentBytes) {
        if (maxDocumentBytes < 1 || maxDocumentBytes > Integer.MAX_VALUE - 16) {
          throw new IllegalArgumentException("maxDocumentBytes out of range: " + maxDocumentBytes);
        }
        this.maxDocumentBytes = maxDocumentBytes;
        return this;
      }

      public Settings build() {
        return new Settings(this);
      }
    }
  }
}
