package dev.envelope.s3;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.spi.AuditRecorder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything an {@link EncryptingS3Client} was built with, shared by its format handlers. Immutable. The defaults
 * and their reasons are on the {@link EncryptingS3ClientBuilder} setters.
 */
record ClientSettings(
    S3Client s3,
    Envelope envelope,
    Keyring keyring,
    CryptoMaterialsManager materialsManager,
    int frameLength,
    List<S3ecKeyring> s3ecKeyrings,
    ObjectFormat writeFormat,
    MetadataLocation metadataLocation,
    boolean legacyModes,
    boolean unauthenticatedRangedReads,
    boolean plaintextReads,
    CommitmentPolicy s3ecCommitmentPolicy,
    boolean s3ecLocationBinding,
    boolean delayedAuthentication,
    long authenticationBufferSize,
    Path spillDirectory,
    int maxEncryptedDataKeys,
    long partSize,
    long multipartThreshold,
    int parallelism,
    long downloadRangeSize,
    BucketNames bucketNames,
    AuditRecorder audit) {

  ClientSettings {
    s3ecKeyrings = List.copyOf(s3ecKeyrings);
  }

  /** The framed format's facade, its audit events naming the object. */
  Envelope envelopeFor(String bucket, String key) {
    if (envelope == null) {
      throw new IllegalStateException("No keyring or materials manager configured: the framed format needs one");
    }
    return envelope.withResource(S3Requests.resource(bucket, key));
  }

  /**
   * The context an object at {@code bucket}/{@code key} is bound to: the caller's, plus the bucket's bound name
   * ({@link BucketNames#boundName}) and the key.
   */
  Map<String, String> boundContext(String bucket, String key, Optional<AwsRequestOverrideConfiguration> o) {
    return S3Requests.boundContext(bucketNames.boundName(bucket), key, o);
  }

  /**
   * Refuses user metadata the bucket would not keep (an access point on a file volume), so that none is lost
   * without a word.
   */
  void checkUserMetadataKept(String bucket, String key, Map<String, String> userMetadata) {
    if (!userMetadata.isEmpty() && bucketNames.metadataKept(bucket) == BucketNames.MetadataKept.NO) {
      throw new IllegalArgumentException("User metadata " + new TreeSet<>(userMetadata.keySet()) + " on "
          + S3Requests.resource(bucket, key) + " would be lost: " + bucket + " is an access point attached to an "
          + "FSx volume, which stores files without user-defined metadata. Keep it in the document, or in object "
          + "tags (which such access points support)");
    }
  }

  AuditRecorder auditFor(String bucket, String key) {
    return audit.withResource(S3Requests.resource(bucket, key));
  }

  /** S3 allows 10,000 parts: refuses, before anything is sent, an object that needs more of the part size. */
  void checkPartCount(long length) {
    if ((length + partSize - 1) / partSize > 10_000) {
      throw new IllegalArgumentException("Object of " + length + " bytes needs more than 10,000 parts of " + partSize
          + " bytes; raise the part size");
    }
  }
}
