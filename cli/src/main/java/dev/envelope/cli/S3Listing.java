package dev.envelope.cli;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The objects under a prefix, without the S3 Encryption Client's instruction files (they belong to objects). */
final class S3Listing {
  private S3Listing() {}

  static List<S3Object> objects(S3Client s3, S3Location location) {
    List<S3Object> out = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(location.path())).contents().forEach(o -> {
      if (!o.key().endsWith(".instruction")) {
        out.add(o);
      }
    });
    return out;
  }
}
