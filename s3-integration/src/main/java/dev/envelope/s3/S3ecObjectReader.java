package dev.envelope.s3;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.Utf8;
import dev.envelope.s3.internal.AuditedInputStream;
import dev.envelope.s3.internal.ByteRange;
import dev.envelope.s3.internal.JsonMaps;
import dev.envelope.s3.internal.S3ecCrypto;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads every S3 Encryption Client format: V3 and V2 (AES-GCM, verified before release unless delayed
 * authentication is chosen) and, with legacy modes, V1 (AES-CBC) and the legacy key wrappings. The read policy
 * (commitment, legacy, instruction files) is checked before any key is unwrapped.
 */
final class S3ecObjectReader {
  private final ClientSettings settings;

  S3ecObjectReader(ClientSettings settings) {
    this.settings = settings;
  }

  /** An object's S3EC mapkeys, and whether its data key came from an instruction file. */
  record Mapkeys(Map<String, String> values, boolean keyInInstructionFile) {}

  /** The S3EC mapkeys from the object's metadata, completed from its instruction file; null if neither has any. */
  Mapkeys find(String bucket, String key, Map<String, String> metadata) {
    if (!S3ecMetadata.needsInstructionFile(metadata)) {
      return new Mapkeys(metadata, false);
    }
    String file = key + S3Requests.INSTRUCTION_SUFFIX;
    String json;
    try {
      // Strict: the SDK's asUtf8String throws an UncheckedIOException on bytes that are not UTF-8.
      json = Utf8.decode(settings.s3().getObjectAsBytes(b -> b.bucket(bucket).key(file)).asByteArray(),
          "Instruction file " + file);
    } catch (NoSuchKeyException e) {
      if (S3ecMetadata.detect(metadata) != null) {
        throw new AuthenticationFailedException("Object " + S3Requests.resource(bucket, key) + " has V3 metadata "
            + "without its data key, and its instruction file " + file + " is missing");
      }
      return null;
    }
    Map<String, String> merged = S3ecMetadata.merge(metadata, JsonMaps.read(json, "Instruction file " + file));
    if (S3ecMetadata.detect(merged) == null) {
      throw new MalformedMessageException("Instruction file " + file + " holds no S3 Encryption Client metadata");
    }
    return new Mapkeys(merged, true);
  }

  /** The reader of one object whose mapkeys were found. */
  ObjectReader forObject(Mapkeys mapkeys) {
    return new ObjectReader() {
      @Override
      public Decrypted read(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in,
          Map<String, String> context) {
        return readWhole(request, in, context, mapkeys);
      }

      @Override
      public Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context) {
        return S3ecObjectReader.this.readRange(request, head, context, mapkeys);
      }
    };
  }

  private Decrypted readWhole(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in,
      Map<String, String> context, Mapkeys mapkeys) {
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.DECRYPT, context);
    try {
      S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys.values());
      checkReadPolicy(parsed, mapkeys, S3Requests.resource(request.bucket(), request.key()));
      InputStream plain = decrypt(parsed, context, in, audit);
      GetObjectResponse response = in.response();
      Long length = parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC ? null
          : response.contentLength() - S3ecCrypto.GCM_TAG_LENGTH;
      return new Decrypted(response.toBuilder().contentLength(length).build(), new AuditedInputStream(plain, audit));
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /**
   * The S3EC's commitment policy on read, and the lesson of CVE-2025-14763: a data key in an instruction file is
   * protected only by the key commitment that stays on the object (V3). A V1/V2 object's instruction file can be
   * replaced by anyone who can write it, so such objects are read only with legacy modes.
   */
  private void checkReadPolicy(S3ecMetadata.Parsed parsed, Mapkeys mapkeys, String resource) {
    if (parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC && !settings.legacyModes()) {
      throw new PolicyViolationException("Object " + resource + " uses ALG_AES_256_CBC_IV16_NO_KDF (S3EC V1, "
          + "unauthenticated); enable legacy modes to read it (for migration only)");
    }
    boolean committing = parsed.format() == ObjectFormat.S3EC_V3;
    if (!committing && !settings.s3ecCommitmentPolicy().allowsDecrypt(AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF)) {
      throw new PolicyViolationException("Object " + resource + " is in " + parsed.format() + " format, without "
          + "key commitment; S3EC commitment policy " + settings.s3ecCommitmentPolicy() + " (the S3 Encryption "
          + "Client 4.x default) refuses it. To read objects written by the S3 Encryption Client v3 or earlier, set "
          + "s3ecCommitmentPolicy(REQUIRE_ENCRYPT_ALLOW_DECRYPT) while you migrate them");
    }
    if (!committing && mapkeys.keyInInstructionFile() && !settings.legacyModes()) {
      throw new PolicyViolationException("Object " + resource + " is in " + parsed.format() + " format with its "
          + "data key in an instruction file: without key commitment, whoever can write the instruction file can "
          + "substitute the data key (CVE-2025-14763). Enable legacy modes to read it, then rewrite it as V3 or "
          + "in the framed format");
    }
  }

  private byte[] unwrap(S3ecMetadata.Parsed parsed, Map<String, String> context, AuditRecorder.Recording audit) {
    if (settings.s3ecKeyrings().isEmpty()) {
      throw new IllegalStateException("Object is in " + parsed.format() + " format; reading it needs an "
          + "S3ecKeyring (builder.s3ecKeyring)");
    }
    if (!parsed.wrappingAlgorithm().startsWith("kms")) {
      S3ecObjectWriter.refuseContextForRawWrapping(S3Requests.withoutLocation(context),
          parsed.wrappingAlgorithm() + " wrapping");
    }
    // Objects written without the bucket/key binding (the default, as the S3 Encryption Client writes them) are
    // compared without it; objects that carry it must carry this object's bucket and key.
    Map<String, String> expected = parsed.description().containsKey(EncryptingS3Client.BUCKET_CONTEXT_KEY)
        || parsed.description().containsKey(EncryptingS3Client.KEY_CONTEXT_KEY) ? context
        : S3Requests.withoutLocation(context);
    String suiteId = switch (parsed.format()) {
      case S3EC_V3 -> "0x0073";
      case S3EC_V2 -> "0x0072";
      default -> "0x0070";
    };
    List<NoKeyringCouldDecryptException.Attempt> attempts = new ArrayList<>();
    for (S3ecKeyring keyring : settings.s3ecKeyrings()) {
      try {
        byte[] key = keyring.unwrap(parsed.algorithm(), parsed.wrappingAlgorithm(), parsed.encryptedKey(),
            parsed.description(), keyring.bindsContext() ? expected : Map.of(), settings.legacyModes());
        audit.wrappingKey(keyring.keyId(), keyring.kmsCallsPerUnwrap(), suiteId);
        return key;
      } catch (NoKeyringCouldDecryptException e) {
        attempts.addAll(e.attempts());
      }
    }
    throw new NoKeyringCouldDecryptException(attempts);
  }

  private InputStream decrypt(S3ecMetadata.Parsed parsed, Map<String, String> context, InputStream ciphertext,
      AuditRecorder.Recording audit) {
    byte[] key = unwrap(parsed, context, audit);
    try {
      return switch (parsed.algorithm()) {
        case AES_256_CBC -> S3ecCrypto.decryptCbc(key, parsed.iv(), ciphertext);
        case AES_256_GCM -> gcmPlaintext(S3ecCrypto.v2(key, parsed.iv()), ciphertext);
        case AES_256_GCM_HKDF_SHA512_COMMIT_KEY -> gcmPlaintext(committedKey(key, parsed), ciphertext);
      };
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Verified before release by default; streamed before the tag only in the opted-in delayed mode. */
  private InputStream gcmPlaintext(S3ecCrypto.ContentKey key, InputStream ciphertext) {
    return settings.delayedAuthentication() ? S3ecCrypto.decryptDelayedAuthentication(key, ciphertext)
        : S3ecCrypto.decryptVerifiedFirst(key, ciphertext, settings.authenticationBufferSize(),
            settings.spillDirectory());
  }

  private static S3ecCrypto.ContentKey committedKey(byte[] key, S3ecMetadata.Parsed parsed) {
    if (parsed.iv().length != S3ecCrypto.V3_MESSAGE_ID_LENGTH
        || !MessageDigest.isEqual(S3ecCrypto.v3Commitment(key, parsed.iv()), parsed.commitment())) {
      throw new AuthenticationFailedException("Key commitment validation failed: the data key or the object's "
          + "x-amz-d / x-amz-i metadata was modified");
    }
    return S3ecCrypto.v3(key, parsed.iv());
  }

  private Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context,
      Mapkeys mapkeys) {
    String resource = S3Requests.resource(request.bucket(), request.key());
    S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys.values());
    checkReadPolicy(parsed, mapkeys, resource);
    boolean cbc = parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC;
    if (!settings.unauthenticatedRangedReads() || cbc) {
      throw new PolicyViolationException("Ranged reads of " + parsed.format() + " objects cannot be authenticated "
          + (cbc ? "and are not supported for CBC objects" : "(one GCM tag covers the whole object); enable "
          + "unauthenticated ranged reads to use them, or write the framed format"));
    }
    long plaintextLength = head.contentLength() - S3ecCrypto.GCM_TAG_LENGTH;
    ByteRange range = ByteRange.parse(request.range(), plaintextLength);
    S3Requests.checkRange(range, plaintextLength, request);
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.DECRYPT, context);
    try {
      byte[] key = unwrap(parsed, context, audit);
      S3ecCrypto.ContentKey contentKey;
      try {
        contentKey = parsed.format() == ObjectFormat.S3EC_V3 ? committedKey(key, parsed)
            : S3ecCrypto.v2(key, parsed.iv());
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      long firstBlock = range.first() / 16;
      long from = firstBlock * 16;
      ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(request.toBuilder()
          .range("bytes=" + from + "-" + range.last()).build());
      InputStream plain = S3ecCrypto.decryptCtr(contentKey, firstBlock, in);
      S3Requests.skipFully(plain, range.first() - from);
      GetObjectResponse response = in.response().toBuilder().contentLength(range.last() - range.first() + 1)
          .contentRange("bytes " + range.first() + "-" + range.last() + "/" + plaintextLength).build();
      return new Decrypted(response, new AuditedInputStream(plain, audit));
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }
}
