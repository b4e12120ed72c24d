package dev.envelope.s3;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * An object's settings as S3 stores them, turned back into the put that would write it again: for rewriting an
 * object in place (a re-key, a migration) without losing its metadata, headers, tags, storage class, server-side
 * encryption or object lock.
 */
final class StoredObject {
  private StoredObject() {}

  /** The object as it is, to be written again: metadata, headers, tags, storage class, server-side encryption. */
  static PutObjectRequest asPut(S3Client s3, String bucket, String key, HeadObjectResponse head) {
    String tagging = tagging(s3, bucket, key, head);
    return PutObjectRequest.builder().bucket(bucket).key(key).metadata(head.metadata())
        .contentType(head.contentType()).cacheControl(head.cacheControl())
        .contentDisposition(head.contentDisposition()).contentEncoding(head.contentEncoding())
        .contentLanguage(head.contentLanguage()).expires(expires(head.expiresString()))
        .websiteRedirectLocation(head.websiteRedirectLocation()).storageClass(head.storageClassAsString())
        .serverSideEncryption(head.serverSideEncryptionAsString()).ssekmsKeyId(head.ssekmsKeyId())
        .bucketKeyEnabled(head.bucketKeyEnabled()).objectLockMode(head.objectLockModeAsString())
        .objectLockRetainUntilDate(head.objectLockRetainUntilDate())
        .objectLockLegalHoldStatus(head.objectLockLegalHoldStatusAsString())
        .tagging(tagging).build();
  }

  /**
   * The object's tags as a put's {@code x-amz-tagging} header, in the order of their keys (so two readings of the
   * same tags compare equal), or null without tags. Asked for only when {@code head} counts some: a directory
   * bucket has none and refuses the request.
   */
  static String tagging(S3Client s3, String bucket, String key, HeadObjectResponse head) {
    if (head.tagCount() == null || head.tagCount() == 0) {
      return null;
    }
    List<Tag> tags = s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet();
    String tagging = tags.stream().sorted(Comparator.comparing(Tag::key))
        .map(t -> encode(t.key()) + "=" + encode(t.value())).collect(Collectors.joining("&"));
    return tagging.isEmpty() ? null : tagging;
  }

  /** The Expires header as S3 stores it (an HTTP date); one that is not a date is not kept, as S3 does. */
  private static Instant expires(String header) {
    try {
      return header == null ? null : ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
