package dev.envelope.s3;

import dev.envelope.s3.internal.JsonMaps;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The saved state of one resumable upload, as {@link UploadCheckpoint} stores it: a flat JSON object of strings.
 * The header holds encrypted data keys only; tags and digests are of ciphertext. Thread-safe.
 */
final class UploadState {
  static final String FORMAT = "envelope-resumable-upload-1";

  /** A part stored by S3: the digest of its frame tags and the ETag S3 gave it. */
  record StoredPart(byte[] digest, String eTag) {}

  private final Map<String, String> values;

  private UploadState(Map<String, String> values) {
    this.values = new TreeMap<>(values);
  }

  static UploadState start(String bucket, String key, long length, long partSize, String uploadId, byte[] header) {
    return new UploadState(Map.of("format", FORMAT, "bucket", bucket, "key", key, "length", Long.toString(length),
        "partSize", Long.toString(partSize), "uploadId", uploadId, "header", encode(header)));
  }

  /**
   * Reads a saved state.
   *
   * @throws IllegalStateException naming {@code where} if it is not a state this version wrote
   */
  static UploadState parse(String json, UploadCheckpoint where) {
    Map<String, String> values;
    try {
      values = JsonMaps.read(json, "Upload state in " + where);
    } catch (RuntimeException e) {
      throw new IllegalStateException("The " + where + " holds no upload state: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(values.get("format"))) {
      throw new IllegalStateException("The " + where + " is not an upload state of this version (format "
          + values.get("format") + ", expected " + FORMAT + ")");
    }
    for (String field : new String[] {"bucket", "key", "length", "partSize", "uploadId", "header"}) {
      if (values.get(field) == null) {
        throw new IllegalStateException("The upload state in " + where + " has no " + field);
      }
    }
    UploadState state = new UploadState(values);
    try {
      state.length();
      state.partSize();
      state.header();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("The upload state in " + where + " is damaged: " + e.getMessage(), e);
    }
    return state;
  }

  synchronized String json() {
    return JsonMaps.write(values);
  }

  synchronized String bucket() {
    return values.get("bucket");
  }

  synchronized String key() {
    return values.get("key");
  }

  synchronized String uploadId() {
    return values.get("uploadId");
  }

  synchronized long length() {
    return Long.parseLong(values.get("length"));
  }

  synchronized long partSize() {
    return Long.parseLong(values.get("partSize"));
  }

  synchronized byte[] header() {
    return Base64.getDecoder().decode(values.get("header"));
  }

  synchronized Optional<byte[]> firstTag(int part) {
    return Optional.ofNullable(values.get("part." + part + ".firstTag")).map(Base64.getDecoder()::decode);
  }

  synchronized void firstTag(int part, byte[] tag) {
    values.put("part." + part + ".firstTag", encode(tag));
  }

  synchronized Optional<StoredPart> stored(int part) {
    String digest = values.get("part." + part + ".digest");
    String eTag = values.get("part." + part + ".eTag");
    return digest == null || eTag == null ? Optional.empty()
        : Optional.of(new StoredPart(Base64.getDecoder().decode(digest), eTag));
  }

  synchronized void stored(int part, byte[] digest, String eTag) {
    values.put("part." + part + ".digest", encode(digest));
    values.put("part." + part + ".eTag", eTag);
  }

  private static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
