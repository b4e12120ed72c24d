package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** deleteObjects takes instruction files with their objects, as the S3 Encryption Client does. */
class DeleteObjectsTest {
  @Test
  void instructionFilesGoWithTheirObjectsAndTheResponseNamesObjectsOnly() {
    S3Client plain = S3TestParts.s3();
    String bucket = S3TestParts.newBucket(plain, "delete-many");
    InMemoryAuditSink audit = new InMemoryAuditSink();
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(S3TestParts.kmsKeyring()).s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .writeFormat(ObjectFormat.S3EC_V3).metadataLocation(MetadataLocation.INSTRUCTION_FILE).auditSink(audit)
        .build();
    List<ObjectIdentifier> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String key = "doc-" + i;
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("content " + key));
      ids.add(ObjectIdentifier.builder().key(key).build());
    }
    plain.putObject(b -> b.bucket(bucket).key("keep"), RequestBody.fromString("other"));
    assertEquals(7, keys(plain, bucket).size(), "three objects, three instruction files, one other");

    DeleteObjectsResponse response = client.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids)));

    assertEquals(Set.of("keep"), keys(plain, bucket), "objects and instruction files are gone, the rest stays");
    assertEquals(Set.of("doc-0", "doc-1", "doc-2"), response.deleted().stream().map(d -> d.key())
        .collect(Collectors.toSet()));
    assertTrue(response.errors().isEmpty());
    List<AuditEvent> deletes = audit.events().stream().filter(e -> e.operation() == AuditEvent.Operation.DELETE)
        .toList();
    assertEquals(Set.of("s3://" + bucket + "/doc-0", "s3://" + bucket + "/doc-1", "s3://" + bucket + "/doc-2"),
        deletes.stream().map(e -> e.resource().orElseThrow()).collect(Collectors.toSet()));
  }

  @Test
  void moreObjectsThanOneRequestHoldsAreDeletedInBatches() {
    S3Client plain = S3TestParts.s3();
    String bucket = S3TestParts.newBucket(plain, "delete-batch");
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(S3TestParts.aesKeyring()).build();
    List<ObjectIdentifier> ids = new ArrayList<>();
    for (int i = 0; i < ObjectDeletes.BATCH + 3; i++) {
      String key = "k" + i;
      plain.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x"));
      ids.add(ObjectIdentifier.builder().key(key).build());
    }
    DeleteObjectsResponse response = client.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids)));
    assertEquals(ObjectDeletes.BATCH + 3, response.deleted().size());
    assertEquals(Set.of(), keys(plain, bucket));
  }

  private static Set<String> keys(S3Client s3, String bucket) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
