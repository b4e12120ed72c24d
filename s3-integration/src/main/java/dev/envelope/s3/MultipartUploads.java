package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.PartedEncryption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.SdkPartType;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The low-level multipart API in the framed format: every part is encrypted on its own (frames numbered from its
 * offset), so parts go up in any order, in parallel, and again. The keys of an upload in progress live here until
 * it is completed or aborted. Thread-safe.
 */
final class MultipartUploads implements AutoCloseable {
  private final ClientSettings settings;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

  MultipartUploads(ClientSettings settings) {
    this.settings = settings;
  }

  /** One multipart upload in progress: its parts' encryption and the part that ends the message. */
  private static final class Upload {
    final PartedEncryption parts;
    final String resource;
    volatile int lastPart = -1;

    Upload(PartedEncryption parts, String resource) {
      this.parts = parts;
      this.resource = resource;
    }
  }

  CreateMultipartUploadResponse create(CreateMultipartUploadRequest request) {
    if (settings.writeFormat() != ObjectFormat.ENVELOPE_FRAMED) {
      throw new UnsupportedOperationException("Low-level multipart uploads are offered in the framed format only "
          + "(an S3EC object is one GCM stream whose parts must be encrypted in order); use upload(), which "
          + "uploads " + settings.writeFormat() + " objects in serial parts");
    }
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    PartedEncryption parts = settings.envelopeFor(request.bucket(), request.key())
        .partedEncryption(context, settings.partSize());
    try {
      Map<String, String> metadata = FramedObjects.metadata(settings, request.bucket(), request.metadata(),
          request.key(), null);
      CreateMultipartUploadResponse response = settings.s3().createMultipartUpload(request.toBuilder()
          .metadata(metadata).build());
      uploads.put(response.uploadId(), new Upload(parts, S3Requests.resource(request.bucket(), request.key())));
      return response;
    } catch (RuntimeException e) {
      parts.abort(e);
      parts.close();
      throw e;
    }
  }

  UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    Upload upload = uploads.get(request.uploadId());
    if (upload == null) {
      throw new IllegalStateException("Upload " + request.uploadId() + " was not started by this client (or was "
          + "completed or aborted); its keys are unknown here");
    }
    long length = body.optionalContentLength().orElseThrow(() -> new IllegalArgumentException(
        "uploadPart needs a body of known length"));
    int partNumber = request.partNumber();
    boolean last = request.sdkPartType() == SdkPartType.LAST || length < settings.partSize();
    long encrypted = upload.parts.encryptedLength(partNumber, length, last);
    if (last) {
      upload.lastPart = partNumber;
    }
    RequestBody encryptedBody = RequestBody.fromContentProvider(
        () -> upload.parts.encryptPart(partNumber, body.contentStreamProvider().newStream(), length, last),
        encrypted, S3Requests.OCTETS);
    return settings.s3().uploadPart(S3Requests.withoutChecksums(request.toBuilder()).contentLength(encrypted)
        .build(), encryptedBody);
  }

  CompleteMultipartUploadResponse complete(CompleteMultipartUploadRequest request) {
    Upload upload = uploads.get(request.uploadId());
    if (upload == null) {
      return settings.s3().completeMultipartUpload(request);
    }
    List<CompletedPart> parts = request.multipartUpload() == null ? List.of() : request.multipartUpload().parts();
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).partNumber() != i + 1) {
        throw new IllegalArgumentException("Parts of an encrypted upload must be numbered 1.." + parts.size()
            + " without gaps: part " + (i + 1) + " is " + parts.get(i).partNumber());
      }
    }
    if (upload.lastPart != parts.size()) {
      throw new IllegalStateException("The last part of " + upload.resource + " must be part " + parts.size()
          + " and be uploaded as the last (shorter than the part size, or SdkPartType.LAST); "
          + (upload.lastPart < 0 ? "no part was" : "part " + upload.lastPart + " was"));
    }
    CompleteMultipartUploadResponse response = settings.s3().completeMultipartUpload(request);
    uploads.remove(request.uploadId());
    try {
      upload.parts.complete(); // records the event: after the object is stored, as in every format
    } finally {
      upload.parts.close();
    }
    return response;
  }

  AbortMultipartUploadResponse abort(AbortMultipartUploadRequest request) {
    Upload upload = uploads.remove(request.uploadId());
    AbortMultipartUploadResponse response = settings.s3().abortMultipartUpload(request);
    if (upload != null) {
      upload.parts.abort(new EnvelopeException("multipart upload aborted"));
      upload.parts.close();
    }
    return response;
  }

  /** Forgets the keys of uploads in progress (S3 keeps their parts until aborted or a lifecycle rule runs). */
  @Override
  public void close() {
    for (Upload upload : uploads.values()) {
      upload.parts.close();
    }
    uploads.clear();
  }
}
