package dev.envelope.s3;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.spi.AuditRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/** Deletes that take an object's instruction file with it, so that no S3EC key material is left behind. */
final class ObjectDeletes {
  /** Objects per DeleteObjects request: each goes with its instruction file, within S3's 1,000 keys. */
  static final int BATCH = 500;

  private final ClientSettings settings;

  ObjectDeletes(ClientSettings settings) {
    this.settings = settings;
  }

  /** Deletes the object and its instruction file, if any. */
  DeleteObjectResponse delete(DeleteObjectRequest request) {
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.DELETE, Map.of());
    DeleteObjectResponse response;
    try {
      response = settings.s3().deleteObject(request);
      settings.s3().deleteObject(b -> b.bucket(request.bucket()).key(request.key() + S3Requests.INSTRUCTION_SUFFIX));
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
    audit.success(0);
    return response;
  }

  /**
   * Deletes the objects and their instruction files, as the S3 Encryption Client does: each object is sent with
   * its instruction file (in batches within S3's 1,000 keys), the response lists the objects only, and each object
   * gets one DELETE audit event. An instruction file that does not exist deletes as a no-op, as in S3.
   */
  DeleteObjectsResponse delete(DeleteObjectsRequest request) {
    List<ObjectIdentifier> objects = request.delete().objects();
    List<DeletedObject> deleted = new ArrayList<>();
    List<S3Error> errors = new ArrayList<>();
    DeleteObjectsResponse last = null;
    for (int from = 0; from < objects.size(); from += BATCH) {
      List<ObjectIdentifier> batch = new ArrayList<>();
      for (ObjectIdentifier o : objects.subList(from, Math.min(objects.size(), from + BATCH))) {
        batch.add(o);
        batch.add(ObjectIdentifier.builder().key(o.key() + S3Requests.INSTRUCTION_SUFFIX).build());
      }
      last = settings.s3().deleteObjects(request.toBuilder().delete(d -> d.objects(batch).quiet(false)).build());
      last.deleted().stream().filter(d -> !d.key().endsWith(S3Requests.INSTRUCTION_SUFFIX)).forEach(deleted::add);
      last.errors().stream().filter(e -> !e.key().endsWith(S3Requests.INSTRUCTION_SUFFIX)).forEach(errors::add);
    }
    for (DeletedObject d : deleted) {
      settings.auditFor(request.bucket(), d.key()).start(AuditEvent.Operation.DELETE, Map.of()).success(0);
    }
    for (S3Error e : errors) {
      settings.auditFor(request.bucket(), e.key()).start(AuditEvent.Operation.DELETE, Map.of())
          .failure(new IllegalStateException("S3 refused the delete: " + e.code()), 0);
    }
    boolean quiet = Boolean.TRUE.equals(request.delete().quiet());
    DeleteObjectsResponse.Builder response = last == null ? DeleteObjectsResponse.builder() : last.toBuilder();
    return response.deleted(quiet ? List.of() : deleted).errors(errors).build();
  }
}
