package dev.envelope.s3;

import dev.envelope.core.DecryptingInputStream;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.Envelope;
import dev.envelope.core.PartedEncryption;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.RangeDecryptor;
import dev.envelope.s3.internal.ByteRange;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The framed format ({@link ObjectFormat#ENVELOPE_FRAMED}): the object body is one ESDK message. Its audit events
 * come from the {@link Envelope} facade, which records each message once it is complete.
 */
final class FramedObjects implements ObjectWriter, ObjectReader {
  private final ClientSettings settings;
  private final ParallelUpload parallelUpload;

  FramedObjects(ClientSettings settings, ParallelUpload parallelUpload) {
    this.settings = settings;
    this.parallelUpload = parallelUpload;
  }

  /**
   * Object metadata for a new framed object: the caller's plus the format marker, within S3's budget. None where
   * metadata is not kept (an FSx volume): the header carries everything a reader needs, and reads recognize the
   * format from the body.
   */
  static Map<String, String> metadata(ClientSettings settings, String bucket, Map<String, String> userMetadata,
      String key, Long plaintextLength) {
    settings.checkUserMetadataKept(bucket, key, userMetadata);
    if (settings.bucketNames().metadataKept(bucket) == BucketNames.MetadataKept.NO) {
      return Map.of();
    }
    Map<String, String> metadata = new HashMap<>(userMetadata);
    metadata.put(EncryptingS3Client.FORMAT_METADATA, EncryptingS3Client.FRAMED_FORMAT_VALUE);
    if (plaintextLength != null) {
      metadata.put(EncryptingS3Client.PLAINTEXT_LENGTH_METADATA, Long.toString(plaintextLength));
    }
    S3Requests.checkBudget(metadata, key);
    return metadata;
  }

  /** The plaintext length from object metadata: a hint (unauthenticated), ignored if garbled. */
  static Optional<Long> plaintextLengthHint(Map<String, String> metadata) {
    try {
      String value = metadata.get(EncryptingS3Client.PLAINTEXT_LENGTH_METADATA);
      return value == null ? Optional.empty() : Optional.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public PutObjectResponse put(PutObjectRequest request, PutObjectRequest.Builder out, ContentSource source,
      long length, Map<String, String> context) {
    Envelope env = settings.envelopeFor(request.bucket(), request.key());
    long partLength = roundUpToFrames(Math.max(length, 1));
    try (PartedEncryption parts = env.partedEncryption(context, partLength)) {
      long encrypted = parts.encryptedLength(1, length, true);
      Map<String, String> metadata = metadata(settings, request.bucket(), request.metadata(), request.key(), length);
      RequestBody encryptedBody = RequestBody.fromContentProvider(
          () -> parts.encryptPart(1, S3Requests.open(source), length, true), encrypted, S3Requests.OCTETS);
      PutObjectResponse response;
      try {
        response = settings.s3().putObject(out.metadata(metadata).contentLength(encrypted).build(), encryptedBody);
      } catch (RuntimeException e) {
        parts.abort(e);
        throw e;
      }
      parts.complete(); // records the event: after the object is stored, as in every format
      return response;
    }
  }

  private long roundUpToFrames(long length) {
    long frame = settings.frameLength();
    return (length + frame - 1) / frame * frame;
  }

  @Override
  public CompleteMultipartUploadResponse putInParts(PutObjectRequest request, long length, PartSource seekable,
      InputStream sequential) throws IOException {
    return parallelUpload.upload(request, length, seekable, sequential);
  }

  @Override
  public Decrypted read(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in,
      Map<String, String> context) {
    GetObjectResponse response = in.response();
    DecryptingInputStream plain = settings.envelopeFor(request.bucket(), request.key()).decryptingStream(in, context);
    OptionalLong length;
    try {
      length = plain.plaintextLength(response.contentLength()); // reads the header: may fail like any read
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (EncryptionContextMismatchException e) {
      throw withBucketHint(e, request.bucket());
    }
    return new Decrypted(response.toBuilder().contentLength(length.isPresent() ? length.getAsLong() : null).build(),
        plain);
  }

  /** A bucket mismatch is most often an access point named two ways: say how to declare it. */
  private static EncryptionContextMismatchException withBucketHint(EncryptionContextMismatchException e,
      String bucket) {
    if (!e.getMessage().contains("'" + EncryptingS3Client.BUCKET_CONTEXT_KEY + "'")) {
      return e;
    }
    EncryptionContextMismatchException hinted = new EncryptionContextMismatchException(e.getMessage() + ": the "
        + "object was written through another name than " + bucket + ". If both name one access point (its ARN and "
        + "its alias), declare them with EncryptingS3ClientBuilder.accessPoint(arn, alias): objects are then bound "
        + "to the ARN whichever name is used");
    hinted.initCause(e);
    return hinted;
  }

  /**
   * Reads and authenticates the header of the {@code objectLength}-byte object {@code request} names (pinned to
   * one version by the caller) with a small ranged GET: the decryptor of its ranges. The caller closes it.
   */
  RangeDecryptor openRanges(GetObjectRequest request, long objectLength, Map<String, String> context) {
    Envelope env = settings.envelopeFor(request.bucket(), request.key());
    try (InputStream headerBytes = new BufferedInputStream(
        new RangedObjectInputStream(settings.s3(), request, objectLength), 8192)) {
      return env.rangeDecryptor(headerBytes, context);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (EncryptionContextMismatchException e) {
      throw withBucketHint(e, request.bucket());
    }
  }

  @Override
  public Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context) {
    long objectLength = head.contentLength();
    RangeDecryptor ranged = openRanges(request, objectLength, context);
    try {
      if (!ranged.supportsRanges()) {
        throw new PolicyViolationException("Object " + S3Requests.resource(request.bucket(), request.key())
            + " uses signed suite " + ranged.suite() + "; its ranges cannot be authenticated alone: read it whole");
      }
      long plaintextLength = ranged.plaintextLength(objectLength);
      ByteRange range = ByteRange.parse(request.range(), plaintextLength);
      S3Requests.checkRange(range, plaintextLength, request);
      RangeDecryptor.Span span = ranged.span(range.first(), range.last(), objectLength);
      ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(request.toBuilder()
          .range(span.httpRange()).build());
      InputStream plain = new RangeClosingInputStream(ranged.decrypt(in, span), ranged);
      GetObjectResponse response = in.response().toBuilder().contentLength(span.length())
          .contentRange("bytes " + range.first() + "-" + (range.first() + span.length() - 1) + "/" + plaintextLength)
          .build();
      return new Decrypted(response, plain);
    } catch (RuntimeException e) {
      ranged.close();
      throw e;
    }
  }
}
