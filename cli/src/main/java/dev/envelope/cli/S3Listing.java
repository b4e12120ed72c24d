package dev.envelope.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The objects under a prefix, without the S3 Encryption Client's instruction files (they belong to objects). */
final class S3Listing {
  private S3Listing() {}

  /** One object, or one version of it: {@code versionId} null when the listing was not by version. */
  record Entry(String key, String eTag, String versionId, boolean current) {
    /** The name a checkpoint keeps it under. */
    String checkpointName() {
      return versionId == null ? key : key + "?versionId=" + versionId;
    }
  }

  static List<S3Object> objects(S3Client s3, S3Location location) {
    List<S3Object> out = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(location.path())).contents().forEach(o -> {
      if (!isInstructionFile(o.key())) {
        out.add(o);
      }
    });
    return out;
  }

  /** The current objects, as {@link #objects}. */
  static List<Entry> current(S3Client s3, S3Location location) {
    List<Entry> out = new ArrayList<>();
    objects(s3, location).forEach(o -> out.add(new Entry(o.key(), o.eTag(), null, true)));
    return out;
  }

  /** Every version of every object (delete markers are no objects), the current ones marked. */
  static List<Entry> versions(S3Client s3, S3Location location) {
    List<Entry> out = new ArrayList<>();
    s3.listObjectVersionsPaginator(b -> b.bucket(location.bucket()).prefix(location.path())).versions().forEach(v -> {
      if (!isInstructionFile(v.key())) {
        out.add(new Entry(v.key(), v.eTag(), v.versionId(), Boolean.TRUE.equals(v.isLatest())));
      }
    });
    return out;
  }

  /**
   * Whether the bucket keeps versions (versioning enabled, or suspended after it was: the versions made before
   * stay). Empty when S3 would not say (an access point, no {@code s3:GetBucketVersioning}).
   */
  static Optional<Boolean> keepsVersions(S3Client s3, S3Location location) {
    try {
      BucketVersioningStatus status = s3.getBucketVersioning(b -> b.bucket(location.bucket())).status();
      return Optional.of(status == BucketVersioningStatus.ENABLED
          || status == BucketVersioningStatus.SUSPENDED);
    } catch (SdkException e) {
      return Optional.empty();
    }
  }

  private static boolean isInstructionFile(String key) {
    return key.endsWith(".instruction");
  }
}
