package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.s3.EncryptingS3Client;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
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

  protected EncryptedDocumentHandler(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * The work on one decrypted document: returns what to archive. Throwing fails this record only.
   */
  protected abstract byte[] process(Document document, Context context) throws Exception;

  /** Entry point for S3 event notifications. */
  public final Void handleS3Event(S3Event event, Context context) {
    List<String> failed = new ArrayList<>();
    for (ObjectRef ref : S3EventRecords.of(event)) {
      if (!handle(ref, context)) {
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
            ok &= handle(ref, context);
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

  /** Processes one object; returns whether it is archived (now or before). Never throws. */
  final boolean handle(ObjectRef ref, Context context) {
    String archiveKey = settings.archivePrefix() + ref.bucket() + "/" + ref.key();
    try {
      // Notifications carry the ETag; an event without one (hand-made, replayed) costs a HEAD of the source.
      String sourceETag = ref.eTag() != null ? ref.eTag() : settings.s3().headObject(b -> b.bucket(ref.bucket())
          .key(ref.key()).versionId(ref.versionId())).eTag();
      Archive existing = archive(archiveKey);
      if (sourceETag != null && existing.holds(sourceETag)) {
        log(context, ref + ": already archived as s3://" + settings.archiveBucket() + "/" + archiveKey
            + " (a retried event); nothing written");
        return true;
      }
      byte[] content;
      String eTag;
      try (ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(b -> b.bucket(ref.bucket())
          .key(ref.key()).versionId(ref.versionId()))) {
        content = readBounded(in, ref);
        eTag = in.response().eTag() != null ? in.response().eTag() : ref.eTag();
      }
      byte[] result = processAudited(ref, content, context);
      if (result == null) {
        return false;
      }
      Map<String, String> metadata = new HashMap<>();
      if (eTag != null) {
        metadata.put(SOURCE_ETAG_METADATA, unquote(eTag));
      }
      try {
        // Conditional: a concurrent redelivery of the same event may be processing it too, and exactly one of the
        // two writes lands. No archive yet: only if none appeared meanwhile; an archive of an older version of
        // the source: only if it is still the one this run saw.
        settings.s3().putObject(b -> b.bucket(settings.archiveBucket()).key(archiveKey)
            .storageClass(settings.storageClass()).metadata(metadata)
            .ifNoneMatch(existing.eTag() == null ? "*" : null).ifMatch(existing.eTag()),
            RequestBody.fromBytes(result));
      } catch (S3Exception e) {
        if (e.statusCode() != 412) {
          throw e;
        }
        if (eTag != null && archive(archiveKey).holds(eTag)) {
          log(context, ref + ": archived meanwhile by a concurrent delivery of the same event; nothing written");
          return true;
        }
        throw e;
      }
      log(context, ref + ": archived as s3://" + settings.archiveBucket() + "/" + archiveKey + " ("
          + settings.storageClass() + ")");
      return true;
    } catch (Exception e) {
      // Our exceptions and the SDK's name objects, keys and causes, never document content.
      log(context, ref + ": failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return false;
    }
  }

  /**
   * Runs {@link #process}; null if it failed. What user code throws may quote the document (a parser's "unexpected
   * token near ..."), so only its type is logged and audited, with a fixed text.
   */
  private byte[] processAudited(ObjectRef ref, byte[] content, Context context) {
    try {
      byte[] result = process(new Document(ref, content), context);
      if (result == null) {
        throw new DocumentProcessingException("process returned no result for " + ref);
      }
      return result;
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError vm) {
        throw vm;
      }
      log(context, ref + ": failed: process threw " + e.getClass().getName() + " (its message is not logged: it "
          + "may quote the document)");
      try {
        settings.auditSink().record(AuditEvent.builder().time(Instant.now())
            .operation(AuditEvent.Operation.PROCESS).outcome(AuditEvent.Outcome.FAILURE)
            .errorClass(e.getClass().getSimpleName()).byteCount(content.length)
            .resource("s3://" + ref.bucket() + "/" + ref.key()).build());
      } catch (RuntimeException sinkFailure) {
        log(context, ref + ": the audit sink failed to record the failure: " + sinkFailure.getClass().getName());
      }
      return null;
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** The archive object as it stands: its ETag and the source ETag it records, or neither. */
  private record Archive(String eTag, String sourceETag) {
    /** Whether this archive was made from the source version with ETag {@code source}. */
    boolean holds(String source) {
      return sourceETag != null && sourceETag.equals(unquote(source));
    }
  }

  private Archive archive(String archiveKey) {
    try {
      HeadObjectResponse head = settings.s3().headObject(b -> b.bucket(settings.archiveBucket()).key(archiveKey));
      return new Archive(head.eTag(), head.metadata().get(SOURCE_ETAG_METADATA));
    } catch (NoSuchKeyException e) {
      return new Archive(null, null);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Archive(null, null);
      }
      throw e;
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

  private static String unquote(String eTag) {
    return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1) : eTag;
  }

  private static void log(Context context, String line) {
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

    /** Builder: the S3 client and the archive bucket are required. */
    public static final class Builder {
      private EncryptingS3Client s3;
      private String archiveBucket;
      private String archivePrefix = "archive/";
      private StorageClass storageClass = StorageClass.GLACIER;
      private int maxDocumentBytes = 16 << 20;
      private AuditSink auditSink;

      private Builder() {}

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
