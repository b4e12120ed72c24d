package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.spi.AuditRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Copies an object so that it stays decryptable: to the same bucket and key (a metadata or storage-class change)
 * S3 copies it server-side; anywhere else the object is re-encrypted for its new bucket and key (the binding in
 * its context), streamed through the client with bounded memory. One COPY audit event; the read and the write
 * inside it are not recorded separately.
 */
final class ObjectCopy {
  private final ClientSettings settings;
  private final EncryptingS3Client client;

  ObjectCopy(ClientSettings settings, EncryptingS3Client client) {
    this.settings = settings;
    this.client = client;
  }

  CopyObjectResponse copy(CopyObjectRequest request) {
    AuditRecorder.Recording audit = settings.auditFor(request.destinationBucket(), request.destinationKey())
        .start(AuditEvent.Operation.COPY, Map.of());
    CopyObjectResponse response;
    long copied;
    try {
      if (request.sourceBucket().equals(request.destinationBucket())
          && request.sourceKey().equals(request.destinationKey())) {
        response = settings.s3().copyObject(request);
        copied = 0;
      } else {
        copied = reencrypt(request);
        response = CopyObjectResponse.builder().build();
      }
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
    audit.success(copied);
    return response;
  }

  private long reencrypt(CopyObjectRequest request) {
    EncryptingS3Client quiet = client.toBuilder().auditSink(AuditSink.none()).build();
    GetObjectRequest get = GetObjectRequest.builder().bucket(request.sourceBucket()).key(request.sourceKey())
        .versionId(request.sourceVersionId()).overrideConfiguration(request.overrideConfiguration().orElse(null))
        .build();
    try (ResponseInputStream<GetObjectResponse> source = quiet.getObject(get)) {
      GetObjectResponse sourceResponse = source.response();
      boolean replace = request.metadataDirective() == MetadataDirective.REPLACE;
      Map<String, String> metadata = new HashMap<>(replace ? request.metadata() : sourceResponse.metadata());
      metadata.keySet().removeIf(k -> k.startsWith("x-amz-") || k.equals(EncryptingS3Client.FORMAT_METADATA)
          || k.equals(EncryptingS3Client.PLAINTEXT_LENGTH_METADATA));
      PutObjectRequest put = PutObjectRequest.builder().bucket(request.destinationBucket())
          .key(request.destinationKey()).metadata(metadata).storageClass(request.storageClass())
          .contentType(replace ? request.contentType() : sourceResponse.contentType())
          .overrideConfiguration(request.overrideConfiguration().orElse(null)).build();
      Long length = sourceResponse.contentLength();
      if (length == null) {
        throw new EnvelopeException("Cannot copy " + S3Requests.resource(request.sourceBucket(),
            request.sourceKey()) + ": its plaintext length is unknown (a CBC object); download and upload it "
            + "instead");
      }
      quiet.upload(put, source, length);
      return length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
