package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MessageInfo;
import dev.envelope.s3.internal.JsonMaps;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What an object's encryption says, read without any key and without its body: the framed format's message header
 * (one ranged GET of the first bytes, which also brings the metadata), or the S3 Encryption Client's metadata and
 * instruction file. For inventories ("which keys protect what") and {@code envelope inspect}; nothing here is
 * authenticated.
 *
 * @param format the object's format, or empty for an object that is not encrypted (which costs a second request:
 *     an S3 Encryption Client object with an instruction file has nothing on itself that says so)
 * @param message the framed format's header
 * @param s3ec the S3 Encryption Client's mapkeys that name no secret (content and wrapping algorithm, material
 *     description or KMS context), empty for other formats
 * @param wrappingKeyIds the keys the object depends on, as {@link MessageInfo#wrappingKeyIds()} names them; for an
 *     S3EC object under KMS whose metadata does not name the key, {@code aws-kms:(not named in metadata)}
 * @param bytesRead object bytes fetched to learn this
 * @param requests GET requests made
 */
public record ObjectHeaderInfo(
    String bucket,
    String key,
    String eTag,
    long size,
    Optional<ObjectFormat> format,
    Optional<MessageInfo> message,
    Map<String, String> s3ec,
    List<String> wrappingKeyIds,
    long bytesRead,
    int requests) {

  /** First bytes fetched: a framed header with a few KMS data keys is well under it. */
  static final int FIRST_READ = 8192;
  /** The largest header read: 10 data keys of the largest size KMS or RSA-4096 wrapping writes fit easily. */
  static final int LONGEST_HEADER = 1 << 20;
  /** What an S3EC object under KMS depends on when its metadata does not name the KMS key (V2, V3). */
  public static final String UNNAMED_KMS_KEY = "aws-kms:(not named in metadata)";

  public ObjectHeaderInfo {
    s3ec = Map.copyOf(s3ec);
    wrappingKeyIds = List.copyOf(wrappingKeyIds);
  }

  /**
   * Reads what {@code bucket}/{@code key} says of its encryption.
   *
   * @throws NoSuchKeyException if there is no such object
   * @throws dev.envelope.core.MalformedMessageException if it claims a format its bytes or metadata do not hold
   */
  public static ObjectHeaderInfo read(S3Client s3, String bucket, String key) throws IOException {
    return read(s3, bucket, key, null);
  }

  /**
   * Reads what one version of {@code bucket}/{@code key} says of its encryption ({@code versionId} null: the
   * current one). An S3 Encryption Client instruction file is read as it is now, as the S3 Encryption Client reads
   * it for any version.
   *
   * @throws NoSuchKeyException if there is no such object
   * @throws dev.envelope.core.MalformedMessageException if it claims a format its bytes or metadata do not hold
   */
  public static ObjectHeaderInfo read(S3Client s3, String bucket, String key, String versionId) throws IOException {
    ResponseBytes<GetObjectResponse> first;
    try {
      first = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)
          .range("bytes=0-" + (FIRST_READ - 1)));
    } catch (S3Exception e) {
      if (e.statusCode() != 416) {
        throw e;
      }
      // an empty object has no first byte to range over: its metadata is all there is
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).versionId(versionId));
      first = ResponseBytes.fromByteArray(GetObjectResponse.builder().metadata(head.metadata()).eTag(head.eTag())
          .contentLength(0L).build(), new byte[0]);
    }
    GetObjectResponse response = first.response();
    long size = totalSize(response);
    Map<String, String> metadata = response.metadata();
    String eTag = response.eTag();
    long read = first.asByteArray().length;
    if (EncryptingS3Client.FRAMED_FORMAT_VALUE.equals(metadata.get(EncryptingS3Client.FORMAT_METADATA))) {
      byte[] bytes = first.asByteArray();
      MessageInfo info;
      try {
        info = MessageInfo.read(new ByteArrayInputStream(bytes));
      } catch (EnvelopeException e) {
        if (bytes.length < FIRST_READ || size <= FIRST_READ) {
          throw e;
        }
        byte[] more = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId).ifMatch(eTag)
            .range("bytes=0-" + (Math.min(size, LONGEST_HEADER) - 1))).asByteArray();
        info = MessageInfo.read(new ByteArrayInputStream(more));
        return new ObjectHeaderInfo(bucket, key, eTag, size, Optional.of(ObjectFormat.ENVELOPE_FRAMED),
            Optional.of(info), Map.of(), info.wrappingKeyIds(), read + more.length, 2);
      }
      return new ObjectHeaderInfo(bucket, key, eTag, size, Optional.of(ObjectFormat.ENVELOPE_FRAMED),
          Optional.of(info), Map.of(), info.wrappingKeyIds(), read, 1);
    }
    if (S3ecMetadata.detect(metadata) == null && !metadata.containsKey(S3ecMetadata.INSTRUCTION_FILE_MARKER)) {
      // A store that keeps no user metadata (an FSx for ONTAP volume) holds framed objects without their marker:
      // a whole message header at the start says what the object is.
      try {
        MessageInfo info = MessageInfo.read(new ByteArrayInputStream(first.asByteArray()));
        return new ObjectHeaderInfo(bucket, key, eTag, size, Optional.of(ObjectFormat.ENVELOPE_FRAMED),
            Optional.of(info), Map.of(), info.wrappingKeyIds(), read, 1);
      } catch (EnvelopeException notAHeader) {
        // not a message: an S3EC object with an instruction file, or not encrypted
      }
    }
    Map<String, String> mapkeys = new HashMap<>(metadata);
    int requests = 1;
    if (S3ecMetadata.needsInstructionFile(metadata)) {
      // An S3EC V1/V2 object whose mapkeys are all in its instruction file carries nothing on itself that says so:
      // only the instruction file's existence tells it from an unencrypted object.
      byte[] instruction;
      try {
        instruction = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + S3Requests.INSTRUCTION_SUFFIX))
            .asByteArray();
      } catch (NoSuchKeyException e) {
        if (S3ecMetadata.detect(metadata) != null) {
          throw e; // V3 metadata without its data key: the instruction file is missing
        }
        return new ObjectHeaderInfo(bucket, key, eTag, size, Optional.empty(), Optional.empty(), Map.of(),
            List.of(), read, requests + 1);
      }
      requests++;
      read += instruction.length;
      mapkeys = S3ecMetadata.merge(metadata, JsonMaps.read(new String(instruction, StandardCharsets.UTF_8),
          "instruction file"));
    }
    S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys);
    Map<String, String> described = new HashMap<>();
    described.put("contentAlgorithm", parsed.algorithm().name());
    described.put("wrappingAlgorithm", parsed.wrappingAlgorithm());
    described.put("instructionFile", Boolean.toString(requests > 1));
    parsed.description().forEach((k, v) -> described.put("description." + k, v));
    String keyId = parsed.description().get("kms_cmk_id");
    String wrap = parsed.wrappingAlgorithm();
    String dependsOn = keyId != null ? keyId : wrap.startsWith("kms") ? UNNAMED_KMS_KEY
        : "s3ec-" + wrap + ":" + new TreeMap<>(parsed.description());
    return new ObjectHeaderInfo(bucket, key, eTag, size, Optional.of(parsed.format()), Optional.empty(), described,
        List.of(dependsOn), read, requests);
  }

  private static long totalSize(GetObjectResponse r) {
    String range = r.contentRange();
    if (range != null && range.contains("/")) {
      return Long.parseLong(range.substring(range.indexOf('/') + 1).trim());
    }
    return r.contentLength();
  }
}
