package dev.envelope.s3;

import java.util.List;

/**
 * What {@link ObjectRekeyer#rekey} did to one object, with the bytes it moved: through the client (down and up) and
 * inside S3 (server-side copies).
 *
 * @param outcome REKEYED, MIGRATED or SKIPPED, with the {@code reason} for the last two
 * @param previousKeyIds the wrapping keys the object's header named before
 * @param newKeyIds the wrapping keys it names now (empty when skipped)
 * @param previousETag the ETag of the object read (every request was pinned to it)
 * @param newETag the ETag of the object written, null when skipped
 * @param bytesUploaded -1 when not known (the object was replaced right after the re-key wrote it)
 */
public record RekeyResult(
    String bucket,
    String key,
    Outcome outcome,
    String reason,
    RekeyMethod method,
    List<String> previousKeyIds,
    List<String> newKeyIds,
    String previousETag,
    String newETag,
    long bytesDownloaded,
    long bytesUploaded,
    long bytesCopiedInS3) {

  /**
   * How it ended for this object (failures are exceptions): re-keyed; migrated (an S3 Encryption Client or
   * unencrypted object written again in the framed format, {@code reason} says from what); skipped ({@code reason}
   * says why).
   */
  public enum Outcome { REKEYED, MIGRATED, SKIPPED }

  public RekeyResult {
    previousKeyIds = List.copyOf(previousKeyIds);
    newKeyIds = List.copyOf(newKeyIds);
  }

  static RekeyResult skipped(String bucket, String key, String reason, List<String> keyIds, String eTag) {
    return new RekeyResult(bucket, key, Outcome.SKIPPED, reason, null, keyIds, List.of(), eTag, null, 0, 0, 0);
  }
}
