package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.audit.AuditEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The one path every source of {@link EncryptedDocumentHandler} takes for a document: skip it if its archive
 * already holds this version, else read, process and archive it with a conditional write, and say what happened.
 * Never throws for a document: failures become {@link DocumentOutcome}s. Thread-safe if the processor is.
 */
final class ArchiveOnce {
  /** The handler's work on one decrypted document. */
  interface Processor {
    byte[] process(Document document, Context context) throws Exception;
  }

  private final EncryptedDocumentHandler.Settings settings;
  private final Processor processor;

  ArchiveOnce(EncryptedDocumentHandler.Settings settings, Processor processor) {
    this.settings = settings;
    this.processor = processor;
  }

  private static void log(Context context, String line) {
    EncryptedDocumentHandler.log(context, line);
  }

  /** Failure of the handler's {@code process}, already logged and audited. */
  private static final class ProcessFailed extends Exception {
    private static final long serialVersionUID = 1L;

    ProcessFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads, processes and archives one document, unless its archive already holds this version. Never throws. */
  DocumentOutcome run(ObjectRef ref, DocumentSource source, Context context) {
    String archiveKey = settings.archivePrefix() + settings.s3().boundBucketName(ref.bucket()) + "/" + ref.key();
    try {
      String version = source.version();
      Archive existing = archive(archiveKey);
      if (version != null && existing.holds(version)) {
        log(context, ref + ": already archived as s3://" + settings.archiveBucket() + "/" + archiveKey
            + " (a retry, a replay or a run after a crash); nothing written");
        return DocumentOutcome.alreadyArchived(ref);
      }
      DocumentSource.Read read = source.read();
      byte[] result = processAudited(ref, read.content(), context);
      Map<String, String> metadata = new HashMap<>();
      if (read.version() != null) {
        metadata.put(EncryptedDocumentHandler.SOURCE_ETAG_METADATA, unquote(read.version()));
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
        if (read.version() != null && archive(archiveKey).holds(read.version())) {
          log(context, ref + ": archived meanwhile by a concurrent delivery of the same event; nothing written");
          return DocumentOutcome.alreadyArchived(ref);
        }
        throw e;
      }
      log(context, ref + ": archived as s3://" + settings.archiveBucket() + "/" + archiveKey + " ("
          + settings.storageClass() + ")");
      return DocumentOutcome.archived(ref);
    } catch (ProcessFailed e) {
      return DocumentOutcome.failed(ref, e.getMessage(), false);
    } catch (Exception e) {
      // Our exceptions and the SDK's name objects, keys and causes, never document content.
      String detail = e.getClass().getSimpleName() + ": " + e.getMessage();
      log(context, ref + ": failed: " + detail);
      return DocumentOutcome.failed(ref, detail, retryable(e));
    }
  }

  /** Whether trying again may succeed: throttling, a service error or the network; not a bad document. */
  private static boolean retryable(Exception e) {
    if (e instanceof KeyAccessDeniedException denied) {
      return denied.retryable();
    }
    if (e instanceof EnvelopeException) {
      return false; // tampered, malformed, not encrypted, refused by policy
    }
    if (e instanceof S3Exception s3) {
      return s3.statusCode() >= 500 || s3.statusCode() == 429 || s3.statusCode() == 412;
    }
    return e instanceof SdkClientException || e instanceof IOException;
  }

  /**
   * Runs the handler's {@code process}. What user code throws may quote the document (a parser's "unexpected
   * token near ..."), so only its type is logged and audited, with a fixed text.
   */
  private byte[] processAudited(ObjectRef ref, byte[] content, Context context) throws ProcessFailed {
    try {
      byte[] result = processor.process(new Document(ref, content), context);
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
      throw new ProcessFailed("process threw " + e.getClass().getName());
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
      return new Archive(head.eTag(), head.metadata().get(EncryptedDocumentHandler.SOURCE_ETAG_METADATA));
    } catch (NoSuchKeyException e) {
      return new Archive(null, null);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Archive(null, null);
      }
      throw e;
    }
  }

  private static String unquote(String eTag) {
    return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1) : eTag;
  }
}
