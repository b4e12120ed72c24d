package dev.envelope.lambda;

import java.util.Objects;

/**
 * One object named by an S3 event notification record: bucket, key (URL-decoded), and the ETag and version id
 * the event reported, which make a retried event recognizable.
 */
public record ObjectRef(String bucket, String key, String eTag, String versionId) {
  public ObjectRef {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
