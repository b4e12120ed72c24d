package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.s3.internal.ByteRange;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** What every object operation of the client does the same way: names, context binding, checks. */
final class S3Requests {
  static final String INSTRUCTION_SUFFIX = ".instruction";
  static final String OCTETS = "application/octet-stream";

  private S3Requests() {}

  static String resource(String bucket, String key) {
    return "s3://" + bucket + "/" + key;
  }

  /** The caller's context from {@link EncryptingS3Client#withEncryptionContext}, or none. */
  static Map<String, String> userContext(Optional<AwsRequestOverrideConfiguration> o) {
    return o.map(c -> c.executionAttributes().getAttribute(EncryptingS3Client.CONTEXT_ATTRIBUTE)).orElse(Map.of());
  }

  /** The caller's context plus the binding to the object's bucket and key, which callers may not set. */
  static Map<String, String> boundContext(String bucket, String key, Optional<AwsRequestOverrideConfiguration> o) {
    Map<String, String> user = userContext(o);
    if (user.containsKey(EncryptingS3Client.BUCKET_CONTEXT_KEY)
        || user.containsKey(EncryptingS3Client.KEY_CONTEXT_KEY)) {
      throw new PolicyViolationException("Encryption context keys " + EncryptingS3Client.BUCKET_CONTEXT_KEY + " and "
          + EncryptingS3Client.KEY_CONTEXT_KEY + " are set by the client from the request's bucket and key");
    }
    Map<String, String> context = new HashMap<>(user);
    context.put(EncryptingS3Client.BUCKET_CONTEXT_KEY, bucket);
    context.put(EncryptingS3Client.KEY_CONTEXT_KEY, key);
    return context;
  }

  static Map<String, String> withoutLocation(Map<String, String> context) {
    Map<String, String> user = new HashMap<>(context);
    user.remove(EncryptingS3Client.BUCKET_CONTEXT_KEY);
    user.remove(EncryptingS3Client.KEY_CONTEXT_KEY);
    return user;
  }

  static void checkBudget(Map<String, String> metadata, String key) {
    int size = S3ecMetadata.metadataSize(metadata);
    if (size > EncryptingS3Client.METADATA_BUDGET) {
      throw new PolicyViolationException("User metadata of " + key + " takes " + size + " bytes, over S3's "
          + EncryptingS3Client.METADATA_BUDGET + "-byte limit; store less metadata");
    }
  }

  static PutObjectRequest.Builder withoutChecksums(PutObjectRequest.Builder b) {
    // Checksums the caller computed describe the plaintext; the SDK computes the ciphertext's.
    return b.contentMD5(null).checksumCRC32(null).checksumCRC32C(null).checksumSHA1(null).checksumSHA256(null)
        .checksumCRC64NVME(null);
  }

  static UploadPartRequest.Builder withoutChecksums(UploadPartRequest.Builder b) {
    // As for a PUT: the caller's checksums describe the plaintext part.
    return b.contentMD5(null).checksumCRC32(null).checksumCRC32C(null).checksumSHA1(null).checksumSHA256(null)
        .checksumCRC64NVME(null);
  }

  static InputStream open(ContentSource source) {
    try {
      return source.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException ignored) {
      // already failing
    }
  }

  static void skipFully(InputStream in, long n) {
    try {
      in.skipNBytes(n);
    } catch (EOFException e) {
      throw new MalformedMessageException("Ranged response ended early");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** S3's own answer to a range past the end: 416 InvalidRange, as the wrapped client would give it. */
  static void checkRange(ByteRange range, long plaintextLength, GetObjectRequest request) {
    if (range == null || range.first() >= plaintextLength) {
      throw (S3Exception) S3Exception.builder().statusCode(416)
          .message("The requested range " + request.range() + " is not satisfiable for " + plaintextLength
              + " plaintext bytes")
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidRange").serviceName("S3")
              .errorMessage("The requested range is not satisfiable").build())
          .build();
    }
  }

  /**
   * The multipart upload a put becomes, with {@code metadata} (the put's, plus the format's) and every other
   * setting of the object the put carries: headers, tags, server-side encryption, object lock, ACL.
   */
  static CreateMultipartUploadRequest multipartUploadFor(PutObjectRequest r, Map<String, String> metadata) {
    return CreateMultipartUploadRequest.builder().bucket(r.bucket()).key(r.key()).metadata(metadata)
        .storageClass(r.storageClass()).contentType(r.contentType()).cacheControl(r.cacheControl())
        .contentDisposition(r.contentDisposition()).contentEncoding(r.contentEncoding())
        .contentLanguage(r.contentLanguage()).expires(r.expires()).websiteRedirectLocation(r.websiteRedirectLocation())
        .tagging(r.tagging()).acl(r.acl()).grantFullControl(r.grantFullControl()).grantRead(r.grantRead())
        .grantReadACP(r.grantReadACP()).grantWriteACP(r.grantWriteACP())
        .serverSideEncryption(r.serverSideEncryption()).ssekmsKeyId(r.ssekmsKeyId())
        .ssekmsEncryptionContext(r.ssekmsEncryptionContext()).bucketKeyEnabled(r.bucketKeyEnabled())
        .sseCustomerAlgorithm(r.sseCustomerAlgorithm()).sseCustomerKey(r.sseCustomerKey())
        .sseCustomerKeyMD5(r.sseCustomerKeyMD5()).objectLockMode(r.objectLockMode())
        .objectLockRetainUntilDate(r.objectLockRetainUntilDate()).objectLockLegalHoldStatus(
            r.objectLockLegalHoldStatus())
        .expectedBucketOwner(r.expectedBucketOwner()).requestPayer(r.requestPayer())
        .checksumAlgorithm(r.checksumAlgorithm())
        .overrideConfiguration(r.overrideConfiguration().orElse(null)).build();
  }

  /**
   * The completion of the multipart upload a put became, with the put's conditions: If-Match and If-None-Match
   * hold for the object as a whole, so a conditional write stays conditional however large it is.
   */
  static CompleteMultipartUploadRequest completionFor(PutObjectRequest r, String uploadId, List<CompletedPart> parts) {
    return CompleteMultipartUploadRequest.builder().bucket(r.bucket()).key(r.key()).uploadId(uploadId)
        .multipartUpload(m -> m.parts(parts)).ifMatch(r.ifMatch()).ifNoneMatch(r.ifNoneMatch())
        .sseCustomerAlgorithm(r.sseCustomerAlgorithm()).sseCustomerKey(r.sseCustomerKey())
        .sseCustomerKeyMD5(r.sseCustomerKeyMD5()).expectedBucketOwner(r.expectedBucketOwner())
        .requestPayer(r.requestPayer()).overrideConfiguration(r.overrideConfiguration().orElse(null)).build();
  }

  /** A multipart upload's answer as the PUT's it stands for. */
  static PutObjectResponse asPutResponse(CompleteMultipartUploadResponse r) {
    return PutObjectResponse.builder().eTag(r.eTag()).versionId(r.versionId()).expiration(r.expiration())
        .serverSideEncryption(r.serverSideEncryption()).ssekmsKeyId(r.ssekmsKeyId())
        .bucketKeyEnabled(r.bucketKeyEnabled()).requestCharged(r.requestCharged()).checksumType(r.checksumType())
        .checksumCRC32(r.checksumCRC32()).checksumCRC32C(r.checksumCRC32C()).checksumCRC64NVME(r.checksumCRC64NVME())
        .checksumSHA1(r.checksumSHA1()).checksumSHA256(r.checksumSHA256()).build();
  }

  /**
   * A part as CompleteMultipartUpload lists it, with the checksum S3 answered for it: S3 requires the part
   * checksums when the upload was created with a checksum algorithm.
   */
  static CompletedPart completedPart(int number, UploadPartResponse r) {
    return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32(r.checksumCRC32())
        .checksumCRC32C(r.checksumCRC32C()).checksumCRC64NVME(r.checksumCRC64NVME()).checksumSHA1(r.checksumSHA1())
        .checksumSHA256(r.checksumSHA256()).build();
  }

  /** A part S3 lists for an upload in progress, as CompleteMultipartUpload lists it. */
  static CompletedPart completedPart(Part p) {
    return CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).checksumCRC32(p.checksumCRC32())
        .checksumCRC32C(p.checksumCRC32C()).checksumCRC64NVME(p.checksumCRC64NVME()).checksumSHA1(p.checksumSHA1())
        .checksumSHA256(p.checksumSHA256()).build();
  }

  /**
   * A GET's answer as the caller of a decrypting client sees it: the stored object's checksums describe its
   * ciphertext (the SDK checked them against what it received), not the plaintext returned, so they are left out.
   */
  static GetObjectResponse plaintextResponse(GetObjectResponse r) {
    return r.toBuilder().checksumCRC32(null).checksumCRC32C(null).checksumCRC64NVME(null).checksumSHA1(null)
        .checksumSHA256(null).checksumType((String) null).build();
  }

  /**
   * What a task of a parallel operation failed with, to throw from the caller's thread: its IOException (unwrapped
   * from an UncheckedIOException) is thrown, a RuntimeException returned, an Error thrown, anything else wrapped.
   */
  static RuntimeException failureOf(Throwable cause) throws IOException {
    if (cause instanceof UncheckedIOException u) {
      throw u.getCause();
    }
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new EnvelopeException("A part of the operation failed: " + cause, cause);
  }

  /** A pool of {@code threads} daemon threads named {@code name}, for the parts or ranges of one operation. */
  static ExecutorService daemonPool(int threads, String name) {
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }
}
