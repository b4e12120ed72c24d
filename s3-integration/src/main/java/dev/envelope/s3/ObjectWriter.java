package dev.envelope.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Writes objects in one format ({@link EncryptingS3ClientBuilder#writeFormat}). Each write records one audit event;
 * a sink that fails after the object was stored fails the call with
 * {@link dev.envelope.core.audit.AuditSinkException}, in every format.
 */
interface ObjectWriter {
  /**
   * One PUT of {@code length} plaintext bytes. {@code context} already binds the bucket and key; {@code out} is the
   * caller's request without the checksums that described the plaintext.
   */
  PutObjectResponse put(PutObjectRequest request, PutObjectRequest.Builder out, ContentSource source, long length,
      Map<String, String> context);

  /** A multipart upload of an object above the threshold: from {@code seekable} if given, else {@code sequential}. */
  CompleteMultipartUploadResponse putInParts(PutObjectRequest request, long length, PartSource seekable,
      InputStream sequential)
      throws IOException;

  /** The writer of the format the client was built to write. */
  static ObjectWriter forFormat(ClientSettings settings, FramedObjects framed) {
    return settings.writeFormat() == ObjectFormat.ENVELOPE_FRAMED ? framed : new S3ecObjectWriter(settings);
  }
}
