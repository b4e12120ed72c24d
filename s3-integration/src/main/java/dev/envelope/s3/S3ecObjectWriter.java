package dev.envelope.s3;

import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.SecureRandoms;
import dev.envelope.s3.internal.JsonMaps;
import dev.envelope.s3.internal.ReplayGuardInputStream;
import dev.envelope.s3.internal.S3ecCrypto;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Writes what the S3 Encryption Client for Java writes: V3 (its v4 default, key commitment) or V2 (its v3 default),
 * byte for byte, with the metadata on the object or in an instruction file. One GCM stream per object, so a
 * multipart upload sends its parts in order.
 */
final class S3ecObjectWriter implements ObjectWriter {
  private final ClientSettings settings;
  private final boolean v3;

  S3ecObjectWriter(ClientSettings settings) {
    this.settings = settings;
    this.v3 = settings.writeFormat() == ObjectFormat.S3EC_V3;
  }

  /** The key material of one new object and its mapkeys. */
  private record NewObject(S3ecCrypto.ContentKey contentKey, Map<String, String> mapkeys) {}

  private NewObject newObject(Map<String, String> context, long length, AuditRecorder.Recording audit) {
    S3ecKeyring keyring = settings.s3ecKeyrings().get(0);
    S3ecContentAlgorithm algorithm = v3 ? S3ecContentAlgorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
        : S3ecContentAlgorithm.AES_256_GCM;
    if (length > S3ecCrypto.GCM_MAX_PLAINTEXT) {
      throw new PolicyViolationException("Object of " + length + " bytes exceeds the maximum length allowed for "
          + "GCM encryption (2^36 - 32 bytes); use the framed format");
    }
    S3ecDataKey dataKey = keyring.generate(algorithm, wrapContext(keyring, context));
    audit.wrappingKey(dataKey.keyId(), dataKey.kmsCalls(), v3 ? "0x0073" : "0x0072");
    byte[] key = dataKey.plaintextKey();
    try {
      if (v3) {
        byte[] messageId = SecureRandoms.bytes(S3ecCrypto.V3_MESSAGE_ID_LENGTH);
        return new NewObject(S3ecCrypto.v3(key, messageId), S3ecMetadata.v3(dataKey.encryptedKey(),
            dataKey.wrappingAlgorithm(), dataKey.description(), messageId, S3ecCrypto.v3Commitment(key, messageId)));
      }
      byte[] iv = SecureRandoms.bytes(S3ecCrypto.V2_IV_LENGTH);
      return new NewObject(S3ecCrypto.v2(key, iv), S3ecMetadata.v2(dataKey.encryptedKey(),
          dataKey.wrappingAlgorithm(), dataKey.description(), iv, length));
    } finally {
      Arrays.fill(key, (byte) 0);
      dataKey.destroy();
    }
  }

  /**
   * The KMS context of a new object: what the S3 Encryption Client writes (the caller's pairs; the keyring adds
   * {@code aws:x-amz-cek-alg}), so its readers need nothing extra; plus the bucket/key binding only when
   * {@link EncryptingS3ClientBuilder#s3ecLocationBinding} asks for it. Raw-key wrapping has no context at all: a
   * caller's pairs are refused rather than silently dropped.
   */
  private Map<String, String> wrapContext(S3ecKeyring keyring, Map<String, String> bound) {
    Map<String, String> user = S3Requests.withoutLocation(bound);
    if (!keyring.bindsContext()) {
      refuseContextForRawWrapping(user, keyring.keyId());
      return Map.of();
    }
    return settings.s3ecLocationBinding() ? bound : user;
  }

  static void refuseContextForRawWrapping(Map<String, String> user, String keyId) {
    if (!user.isEmpty()) {
      throw new PolicyViolationException("S3EC key wrapping with raw key " + keyId + " has no encryption context: "
          + "the context keys " + new TreeSet<>(user.keySet()) + " would be neither bound nor checked "
          + "(the S3 Encryption Client ignores them with a warning). Use a KMS keyring, or the framed format, "
          + "whose context is authenticated");
    }
  }

  /**
   * Refuses, before any key is made, a bucket that would not keep what this format needs: V3 keeps x-amz-c, -d
   * and -i on the object even with an instruction file (the S3EC specification; its reader treats them in an
   * instruction file as tampering), so an FSx volume cannot hold it; and an undeclared access point ARN may be
   * one.
   */
  private void checkBucketKeepsFormat(String bucket, String key, Map<String, String> userMetadata) {
    settings.checkUserMetadataKept(bucket, key, userMetadata);
    BucketNames.MetadataKept kept = settings.bucketNames().metadataKept(bucket);
    if (kept == BucketNames.MetadataKept.NO && v3) {
      throw new PolicyViolationException("Cannot write " + S3Requests.resource(bucket, key) + " as S3EC V3: "
          + bucket + " is an access point attached to an FSx volume, which keeps no object metadata, and V3 keeps "
          + "x-amz-c, x-amz-d and x-amz-i in object metadata even with an instruction file. Write the framed format "
          + "(the default: its header carries everything), or S3EC V2, which keeps all of its metadata in an "
          + "instruction file");
    }
    if (kept == BucketNames.MetadataKept.UNKNOWN) {
      throw new PolicyViolationException("Cannot write " + S3Requests.resource(bucket, key) + " in an S3 "
          + "Encryption Client format: whether access point " + bucket + " keeps object metadata depends on what "
          + "it is attached to (a bucket does, an FSx volume does not). Declare it with "
          + "EncryptingS3ClientBuilder.accessPoint(arn, alias), or write the framed format, which needs no metadata");
    }
  }

  /** Object metadata for a new object; writes the instruction file first when the metadata goes there. */
  private Map<String, String> placeMetadata(String bucket, String key, Map<String, String> userMetadata,
      Map<String, String> mapkeys) {
    Map<String, String> inline = new HashMap<>(userMetadata);
    inline.putAll(mapkeys);
    boolean kept = settings.bucketNames().metadataKept(bucket) == BucketNames.MetadataKept.YES;
    if (kept && settings.metadataLocation() == MetadataLocation.OBJECT_METADATA
        && S3ecMetadata.metadataSize(inline) <= EncryptingS3Client.METADATA_BUDGET) {
      return inline;
    }
    Map<String, String> onObject = new HashMap<>(userMetadata);
    onObject.putAll(S3ecMetadata.objectPart(mapkeys));
    S3Requests.checkBudget(onObject, key);
    Map<String, String> instruction = S3ecMetadata.instructionPart(mapkeys);
    settings.s3().putObject(b -> b.bucket(bucket).key(key + S3Requests.INSTRUCTION_SUFFIX)
        .metadata(Map.of(S3ecMetadata.INSTRUCTION_FILE_MARKER, "")),
        RequestBody.fromString(JsonMaps.write(instruction), StandardCharsets.UTF_8));
    return onObject;
  }

  @Override
  public PutObjectResponse put(PutObjectRequest request, PutObjectRequest.Builder out, ContentSource source,
      long length, Map<String, String> context) {
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.ENCRYPT, context);
    PutObjectResponse response;
    try {
      checkBucketKeepsFormat(request.bucket(), request.key(), request.metadata());
      NewObject object = newObject(context, length, audit);
      Map<String, String> metadata = placeMetadata(request.bucket(), request.key(), request.metadata(),
          object.mapkeys());
      ReplayGuardInputStream.Record record = new ReplayGuardInputStream.Record();
      long encrypted = length + S3ecCrypto.GCM_TAG_LENGTH;
      RequestBody body = RequestBody.fromContentProvider(() -> S3ecCrypto.encrypt(object.contentKey(),
          new ReplayGuardInputStream(S3Requests.open(source), record)), encrypted, S3Requests.OCTETS);
      response = settings.s3().putObject(out.metadata(metadata).contentLength(encrypted).build(), body);
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
    audit.success(length); // after the object is stored, as in every format
    return response;
  }

  @Override
  public CompleteMultipartUploadResponse putInParts(PutObjectRequest request, long length, PartSource seekable,
      InputStream sequential) throws IOException {
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.ENCRYPT, context);
    String uploadId = null;
    CompleteMultipartUploadResponse response;
    try {
      checkBucketKeepsFormat(request.bucket(), request.key(), request.metadata());
      NewObject object = newObject(context, length, audit);
      Map<String, String> metadata = placeMetadata(request.bucket(), request.key(), request.metadata(),
          object.mapkeys());
      uploadId = settings.s3().createMultipartUpload(S3Requests.multipartUploadFor(request, metadata)).uploadId();
      InputStream plaintext = seekable != null ? S3Requests.open(seekable.part(0, length)) : sequential;
      // Each part's ciphertext is kept until its upload succeeds, so a retry re-sends the same bytes and the
      // cipher never runs twice over the same counter.
      InputStream ciphertext = S3ecCrypto.encrypt(object.contentKey(), new BufferedInputStream(plaintext, 64 * 1024) {
        @Override
        public void close() {
          // the caller owns a sequential source
        }
      });
      List<CompletedPart> completed = uploadInOrder(request, uploadId, ciphertext, length + S3ecCrypto.GCM_TAG_LENGTH);
      String id = uploadId;
      response = settings.s3().completeMultipartUpload(S3Requests.completionFor(request, id, completed));
    } catch (IOException | RuntimeException e) {
      audit.failure(e, 0);
      if (uploadId != null) {
        String id = uploadId;
        try {
          settings.s3().abortMultipartUpload(b -> b.bucket(request.bucket()).key(request.key()).uploadId(id));
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    audit.success(length);
    return response;
  }

  private List<CompletedPart> uploadInOrder(PutObjectRequest request, String uploadId, InputStream ciphertext,
      long total) throws IOException {
    List<CompletedPart> completed = new ArrayList<>();
    int partNumber = 0;
    for (long sent = 0; sent < total; ) {
      partNumber++;
      int n = (int) Math.min(settings.partSize(), total - sent);
      byte[] part = ciphertext.readNBytes(n);
      if (part.length != n) {
        throw new IOException("Source ended after " + (sent + part.length) + " of " + total + " bytes");
      }
      int number = partNumber;
      completed.add(S3Requests.completedPart(number, settings.s3().uploadPart(b -> b.bucket(request.bucket())
          .key(request.key()).uploadId(uploadId).partNumber(number).checksumAlgorithm(request.checksumAlgorithm()),
          RequestBody.fromBytes(part))));
      sent += n;
    }
    return completed;
  }
}
