package dev.envelope.s3;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.s3.internal.JsonMaps;
import dev.envelope.s3.internal.S3ecCrypto;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Re-wraps an S3 Encryption Client object's data key under another {@link S3ecKeyring}, in place: the new encrypted
 * key goes where the old one was (the object's metadata, by a server-side copy onto itself, or its instruction
 * file), the content is not touched. Before anything is written the unwrapped key is proven to be the object's: V3
 * by its key commitment, V2 (which commits to nothing) by decrypting the whole object, so that a substituted key
 * (CVE-2025-14763) is refused rather than re-wrapped. V1 (AES-CBC, unauthenticated) is refused: migrate it. Every
 * write is conditional on the ETags read.
 */
final class S3ecRewrap {
  /** CopyObject's limit: larger objects cannot have their metadata replaced in place. */
  private static final long LARGEST_COPY = 5L << 30;

  private final ClientSettings settings;
  private final EncryptingS3Client client;
  private final S3ecKeyring newKeys;

  S3ecRewrap(ClientSettings settings, EncryptingS3Client client, S3ecKeyring newKeys) {
    this.settings = settings;
    this.client = client;
    this.newKeys = newKeys;
  }

  RekeyResult rewrap(String bucket, String key, HeadObjectResponse head) throws IOException {
    String resource = S3Requests.resource(bucket, key);
    String eTag = head.eTag();
    Map<String, String> metadata = head.metadata();
    Map<String, String> mapkeys = metadata;
    String instructionETag = null;
    long downloaded = 0;
    if (S3ecMetadata.needsInstructionFile(metadata)) {
      ResponseBytes<GetObjectResponse> file = settings.s3().getObjectAsBytes(b -> b.bucket(bucket)
          .key(key + S3Requests.INSTRUCTION_SUFFIX));
      instructionETag = file.response().eTag();
      downloaded += file.asByteArray().length;
      mapkeys = S3ecMetadata.merge(metadata, JsonMaps.read(new String(file.asByteArray(), StandardCharsets.UTF_8),
          "Instruction file " + key + S3Requests.INSTRUCTION_SUFFIX));
    }
    S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys);
    if (parsed.format() == ObjectFormat.S3EC_V1) {
      throw new PolicyViolationException(resource + " is S3 Encryption Client V1 (AES-CBC, unauthenticated): its "
          + "data key is not re-wrapped; migrate the object instead");
    }
    if (instructionETag == null && head.contentLength() > LARGEST_COPY) {
      throw new PolicyViolationException(resource + " is over 5 GiB, too large for the in-place copy that replaces "
          + "its metadata; migrate it instead");
    }
    Map<String, String> context = new HashMap<>(parsed.description());
    context.remove(KmsS3ecKeyring.CEK_ALGORITHM_KEY);
    AuditRecorder.Recording audit = settings.auditFor(bucket, key).start(AuditEvent.Operation.REWRAP, context);
    byte[] dataKey = null;
    try {
      List<NoKeyringCouldDecryptException.Attempt> attempts = new ArrayList<>();
      String oldKeyId = null;
      int calls = 0;
      for (S3ecKeyring keyring : settings.s3ecKeyrings()) {
        try {
          calls += keyring.kmsCallsPerUnwrap();
          dataKey = keyring.unwrap(parsed.algorithm(), parsed.wrappingAlgorithm(), parsed.encryptedKey(),
              parsed.description(), context, settings.legacyModes());
          oldKeyId = keyring.keyId();
          break;
        } catch (NoKeyringCouldDecryptException e) {
          attempts.addAll(e.attempts());
        }
      }
      if (dataKey == null) {
        throw attempts.isEmpty() ? new PolicyViolationException("No S3 Encryption Client keyring configured to "
            + "unwrap " + resource) : new NoKeyringCouldDecryptException(attempts);
      }
      if (parsed.format() == ObjectFormat.S3EC_V3) {
        if (!MessageDigest.isEqual(S3ecCrypto.v3Commitment(dataKey, parsed.iv()), parsed.commitment())) {
          throw new AuthenticationFailedException(resource + ": the unwrapped data key does not match the object's "
              + "key commitment, so its metadata or instruction file was changed; nothing was re-wrapped");
        }
      } else {
        // V2 commits to nothing: only the content's GCM tag proves that this key is the object's.
        try (InputStream in = pinned(resource, () -> client.getObject(b -> b.bucket(bucket).key(key)
            .ifMatch(eTag).overrideConfiguration(EncryptingS3Client.withEncryptionContext(context))))) {
          downloaded += in.transferTo(OutputStream.nullOutputStream());
        }
      }
      S3ecDataKey wrapped = newKeys.wrap(parsed.algorithm(), dataKey, context);
      Map<String, String> fresh = parsed.format() == ObjectFormat.S3EC_V3
          ? S3ecMetadata.v3(wrapped.encryptedKey(), wrapped.wrappingAlgorithm(), wrapped.description(), parsed.iv(),
              parsed.commitment())
          : S3ecMetadata.v2(wrapped.encryptedKey(), wrapped.wrappingAlgorithm(), wrapped.description(), parsed.iv(),
              plaintextLength(mapkeys));
      audit.item(parsed.algorithm().name(), null, List.of(oldKeyId, wrapped.keyId()), calls + wrapped.kmsCalls(),
          0);
      RekeyResult result = instructionETag != null
          ? writeInstructionFile(bucket, key, eTag, instructionETag, fresh, oldKeyId, wrapped, downloaded)
          : replaceMetadata(bucket, key, head, fresh, oldKeyId, wrapped, downloaded);
      audit.success(0);
      return result;
    } catch (RuntimeException | IOException e) {
      audit.failure(e, 0);
      throw e;
    } finally {
      if (dataKey != null) {
        Arrays.fill(dataKey, (byte) 0);
      }
    }
  }

  private RekeyResult writeInstructionFile(String bucket, String key, String eTag, String instructionETag,
      Map<String, String> fresh, String oldKeyId, S3ecDataKey wrapped, long downloaded) {
    String resource = S3Requests.resource(bucket, key);
    byte[] json = JsonMaps.write(S3ecMetadata.instructionPart(fresh)).getBytes(StandardCharsets.UTF_8);
    // The object must still be the one whose key this is; then the instruction file is replaced only if it is
    // still the one read.
    pinned(resource, () -> settings.s3().headObject(b -> b.bucket(bucket).key(key).ifMatch(eTag)));
    String newETag = pinned(resource, () -> settings.s3().putObject(b -> b.bucket(bucket)
        .key(key + S3Requests.INSTRUCTION_SUFFIX).ifMatch(instructionETag)
        .metadata(Map.of(S3ecMetadata.INSTRUCTION_FILE_MARKER, "")), RequestBody.fromBytes(json)).eTag());
    return new RekeyResult(bucket, key, RekeyResult.Outcome.REKEYED, "data key re-wrapped in the instruction file",
        RekeyMethod.HEADER, List.of(oldKeyId), List.of(wrapped.keyId()), eTag, newETag, downloaded, json.length, 0);
  }

  private RekeyResult replaceMetadata(String bucket, String key, HeadObjectResponse head, Map<String, String> fresh,
      String oldKeyId, S3ecDataKey wrapped, long downloaded) {
    Map<String, String> metadata = new HashMap<>(head.metadata());
    metadata.keySet().removeIf(k -> k.startsWith("x-amz-")); // every S3EC mapkey
    metadata.putAll(fresh);
    String newETag = pinned(S3Requests.resource(bucket, key), () -> settings.s3().copyObject(b -> b
        .sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(key)
        .copySourceIfMatch(head.eTag()).metadataDirective(MetadataDirective.REPLACE).metadata(metadata)
        .contentType(head.contentType()).cacheControl(head.cacheControl())
        .contentDisposition(head.contentDisposition()).contentEncoding(head.contentEncoding())
        .contentLanguage(head.contentLanguage()).storageClass(head.storageClassAsString())
        .serverSideEncryption(head.serverSideEncryptionAsString()).ssekmsKeyId(head.ssekmsKeyId()))
        .copyObjectResult().eTag());
    return new RekeyResult(bucket, key, RekeyResult.Outcome.REKEYED, "data key re-wrapped in the object metadata "
        + "(copied onto itself)", RekeyMethod.HEADER, List.of(oldKeyId), List.of(wrapped.keyId()), head.eTag(),
        newETag, downloaded, 0, head.contentLength());
  }

  private static long plaintextLength(Map<String, String> mapkeys) {
    String length = mapkeys.get(S3ecMetadata.UNENCRYPTED_LENGTH);
    return length == null ? -1 : Long.parseLong(length);
  }

  private static <T> T pinned(String resource, Supplier<T> call) {
    try {
      return call.get();
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 404) {
        throw new ObjectChangedException(resource + " or its instruction file was replaced or deleted while its "
            + "data key was re-wrapped (S3 answered " + e.statusCode() + "); nothing was re-wrapped: run again", e);
      }
      throw e;
    }
  }
}
