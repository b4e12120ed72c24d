package dev.envelope.lambda;

import dev.envelope.lambda.internal.CheckpointJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checkpoints as JSON objects in a bucket, {@code <prefix><URL-encoded source id>.json}, each written with a
 * conditional PUT ({@code If-None-Match: *} for the first, {@code If-Match} on the one it replaces). Keep them in
 * an S3 bucket (the archive bucket does), not on an FSx volume: access points on FSx volumes refuse conditional
 * writes. The JSON holds document keys and versions, which the bucket's listing shows anyway; pass an
 * {@code EncryptingS3Client} as the client to store it encrypted. Thread-safe.
 */
public final class S3CheckpointStore implements CheckpointStore {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  private S3CheckpointStore(S3Client s3, String bucket, String prefix) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  /** Checkpoints under {@code checkpoints/} in {@code bucket}. */
  public static S3CheckpointStore create(S3Client s3, String bucket) {
    return new S3CheckpointStore(s3, bucket, "checkpoints/");
  }

  /** Checkpoints under {@code prefix} in {@code bucket}. */
  public static S3CheckpointStore create(S3Client s3, String bucket, String prefix) {
    return new S3CheckpointStore(s3, bucket, prefix);
  }

  /** The object that holds a source's checkpoint. */
  public String keyOf(String sourceId) {
    return prefix + URLEncoder.encode(sourceId, StandardCharsets.UTF_8) + ".json";
  }

  @Override
  public Checkpoint load(String sourceId) {
    ResponseBytes<GetObjectResponse> object;
    try {
      object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(keyOf(sourceId)));
    } catch (NoSuchKeyException e) {
      return Checkpoint.empty();
    }
    String where = "Checkpoint s3://" + bucket + "/" + keyOf(sourceId);
    return Checkpoint.of(CheckpointJson.read(object.asUtf8String(), where), object.response().eTag());
  }

  @Override
  public void save(String sourceId, Checkpoint previous, Map<String, String> versions) {
    String key = keyOf(sourceId);
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json")
          .ifNoneMatch(previous.token() == null ? "*" : null).ifMatch(previous.token()),
          RequestBody.fromString(CheckpointJson.write(versions), StandardCharsets.UTF_8));
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        throw new CheckpointConflictException("Checkpoint s3://" + bucket + "/" + key + " of " + sourceId
            + " was saved by another run since this run read it (S3 answered " + e.statusCode() + "); this run's "
            + "checkpoint is dropped, and its archives are recognized next run");
      }
      throw e;
    }
  }
}
