package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3BatchEvent;
import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.s3.ObjectChangedException;
import dev.envelope.s3.ObjectHeaderInfo;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyResult;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Key lifecycle across a whole bucket with S3 Batch Operations: AWS's engine reads the manifest (for example the one
 * {@code envelope inventory --batch-manifest} writes), retries, and writes the completion report; this function
 * does one object per task. {@link Operation#INVENTORY} answers which wrapping keys the object depends on (the
 * task's result string, so the completion report is the inventory, read from headers only); {@link
 * Operation#REKEY} moves it to new keys with an {@link ObjectRekeyer} (which, built with {@code migrateS3ec} or
 * {@code migratePlaintext}, also migrates: the result string then says MIGRATED and from what).
 *
 * <p>Both invocation schemas: {@link #handleSchema1} (1.0: the bucket as an ARN) and {@link #handleSchema2} (2.0:
 * the bucket by name, and the job's user arguments). Result codes: {@code Succeeded} (done, or nothing to do:
 * skipped objects say why), {@code TemporaryFailure} when a retry can succeed (throttling, a 5xx, the network, a
 * KMS key briefly unavailable, an object replaced during its re-key), {@code PermanentFailure} otherwise (no such
 * object, no key can unwrap it, not a valid message). Result strings are short JSON or the error, never key
 * material or content. Thread-safe; one instance serves every invocation of a Lambda execution environment.
 */
public final class KeyLifecycleBatchHandler {
  /** What each task does. */
  public enum Operation { INVENTORY, REKEY }

  /** S3 Batch Operations keeps the first 1,024 bytes of a result string in its report. */
  static final int MAX_RESULT = 1024;

  private final S3Client s3;
  private final Operation operation;
  private final ObjectRekeyer rekeyer;

  private KeyLifecycleBatchHandler(S3Client s3, Operation operation, ObjectRekeyer rekeyer) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.rekeyer = rekeyer;
    if (operation == Operation.REKEY && rekeyer == null) {
      throw new IllegalArgumentException("REKEY needs an ObjectRekeyer (the old and the new keys)");
    }
  }

  /** Reads headers only: no key is used. */
  public static KeyLifecycleBatchHandler inventory(S3Client s3) {
    return new KeyLifecycleBatchHandler(s3, Operation.INVENTORY, null);
  }

  /** Re-keys with {@code rekeyer}; {@code s3} is the plain client it reads headers with. */
  public static KeyLifecycleBatchHandler rekey(S3Client s3, ObjectRekeyer rekeyer) {
    return new KeyLifecycleBatchHandler(s3, Operation.REKEY, rekeyer);
  }

  public Operation operation() {
    return operation;
  }

  /** Invocation schema 1.0. */
  public S3BatchResponse handleSchema1(S3BatchEvent event, Context context) {
    List<S3BatchResponse.Result> results = new ArrayList<>();
    for (S3BatchEvent.Task task : event.getTasks()) {
      String arn = task.getS3BucketArn();
      String bucket = arn.startsWith("arn:") ? arn.substring(arn.lastIndexOf(':') + 1) : arn;
      results.add(task(task.getTaskId(), bucket, task.getS3Key(), task.getS3VersionId(), context));
    }
    return S3BatchResponse.fromS3BatchEvent(event)
        .withTreatMissingKeysAs(S3BatchResponse.ResultCode.PermanentFailure).withResults(results).build();
  }

  /** Invocation schema 2.0. */
  public S3BatchResponse handleSchema2(S3BatchEventV2 event, Context context) {
    List<S3BatchResponse.Result> results = new ArrayList<>();
    for (S3BatchEventV2.Task task : event.getTasks()) {
      results.add(task(task.getTaskId(), task.getS3Bucket(), task.getS3Key(), task.getS3VersionId(), context));
    }
    return S3BatchResponse.fromS3BatchEvent(event)
        .withTreatMissingKeysAs(S3BatchResponse.ResultCode.PermanentFailure).withResults(results).build();
  }

  /**
   * One task. A manifest that names versions (an S3 Inventory report of a versioned bucket) gives each task its
   * version: inventory reads that version; a re-key rewrites only the current version, so a task naming an older
   * one fails permanently, saying it can only be deleted.
   */
  private S3BatchResponse.Result task(String taskId, String bucket, String encodedKey, String versionId,
      Context context) {
    // Batch Operations URL-encodes keys in the event, as S3 notifications do.
    String key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
    boolean versioned = versionId != null && !versionId.isEmpty();
    String resource = "s3://" + bucket + "/" + key + (versioned ? " version " + versionId : "");
    try {
      String result;
      if (operation == Operation.INVENTORY) {
        ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, bucket, key, versioned ? versionId : null);
        result = "{\"format\":\"" + info.format().map(Enum::name).orElse("unencrypted") + "\",\"keys\":"
            + jsonList(info.wrappingKeyIds()) + "}";
      } else {
        if (versioned && !versionId.equals(s3.headObject(b -> b.bucket(bucket).key(key)).versionId())) {
          String detail = resource + " is not the current version: a re-key writes a new current version and "
              + "cannot rewrite an older one, which keeps needing its key until it is deleted";
          log(context, resource + ": permanent failure: " + detail);
          return new S3BatchResponse.Result(taskId, S3BatchResponse.ResultCode.PermanentFailure, limit(detail));
        }
        RekeyResult r = rekeyer.rekey(bucket, key);
        result = r.outcome() == RekeyResult.Outcome.SKIPPED
            ? "{\"outcome\":\"SKIPPED\",\"reason\":" + jsonString(r.reason()) + "}"
            : "{\"outcome\":\"" + r.outcome() + "\",\"method\":\"" + r.method() + "\",\"keys\":"
                + jsonList(r.newKeyIds()) + (r.reason() == null ? "" : ",\"reason\":" + jsonString(r.reason())) + "}";
      }
      log(context, resource + ": " + result);
      return new S3BatchResponse.Result(taskId, S3BatchResponse.ResultCode.Succeeded, limit(result));
    } catch (Exception e) {
      boolean retry = retryable(e);
      String detail = e.getClass().getSimpleName() + ": " + e.getMessage();
      log(context, resource + ": " + (retry ? "temporary" : "permanent") + " failure: " + detail);
      return new S3BatchResponse.Result(taskId, retry ? S3BatchResponse.ResultCode.TemporaryFailure
          : S3BatchResponse.ResultCode.PermanentFailure, limit(detail));
    }
  }

  /** Whether S3 Batch Operations should try the task again. */
  static boolean retryable(Exception e) {
    if (e instanceof ObjectChangedException) {
      return true; // the next attempt re-keys the object now there
    }
    if (e instanceof KeyAccessDeniedException denied) {
      return denied.retryable();
    }
    if (e instanceof EnvelopeException) {
      return false;
    }
    if (e instanceof S3Exception s3e) {
      return s3e.statusCode() >= 500 || s3e.statusCode() == 429 || s3e.statusCode() == 503;
    }
    return e instanceof SdkClientException || e instanceof IOException;
  }

  private static String limit(String s) {
    return s.length() <= MAX_RESULT ? s : s.substring(0, MAX_RESULT - 3) + "...";
  }

  private static String jsonList(List<String> values) {
    List<String> quoted = new ArrayList<>();
    values.forEach(v -> quoted.add(jsonString(v)));
    return "[" + String.join(",", quoted) + "]";
  }

  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static void log(Context context, String line) {
    if (context != null && context.getLogger() != null) {
      context.getLogger().log(line + "\n");
    }
  }
}
