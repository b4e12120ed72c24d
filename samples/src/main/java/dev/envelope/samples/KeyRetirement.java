package dev.envelope.samples;

import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.lambda.KeyLifecycleBatchHandler;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectHeaderInfo;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyResult;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * SecureCart's "retire a key safely" step, on last year's order exports: find what still depends on the old key
 * (headers only), move the first quarter with the re-keyer ({@code envelope rekey}) and the second through the S3
 * Batch Operations handler from a generated manifest, find nothing left, schedule the old key's deletion, and read
 * every export with the new key alone.
 */
final class KeyRetirement {
  static final String EXPORTS = "securecart-exports";

  /** What the step found and did. */
  record Outcome(int dependentsBefore, int rekeyed, int rekeyedByBatch, int dependentsAfter, int decryptedAfter,
      KeyState oldKeyState) {}

  private KeyRetirement() {}

  static Outcome run(S3Client s3, KmsClient admin, KmsClient app, List<Orders.Order> orders, AuditSink audit,
      Consumer<String> line) throws IOException {
    String policy = Policies.of(Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
        Policies.allow(EmbeddedParts.APP.arn(), "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"));
    String oldKey = admin.createKey(b -> b.description("SecureCart exports 2025").policy(policy)).keyMetadata().arn();
    String newKey = admin.createKey(b -> b.description("SecureCart exports 2026").policy(policy)).keyMetadata().arn();
    admin.createAlias(b -> b.aliasName("alias/securecart-exports-2025").targetKeyId(oldKey));
    admin.createAlias(b -> b.aliasName("alias/securecart-exports-2026").targetKeyId(newKey));
    s3.createBucket(b -> b.bucket(EXPORTS));
    EncryptingS3Client exporter = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(app, oldKey)).auditSink(audit).build();
    List<String> keys = new ArrayList<>();
    for (Orders.Order order : orders.subList(0, Math.min(12, orders.size()))) {
      String key = String.format("2025/q%d/order-%04d.json", order.id() % 2 + 1, order.id());
      exporter.putObject(b -> b.bucket(EXPORTS).key(key), RequestBody.fromString(order.json()));
      keys.add(key);
    }

    List<String> before = dependents(s3, oldKey);
    line.accept(String.format("inventory (headers only): %d exports still depend on "
        + "alias/securecart-exports-2025", before.size()));

    ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(exporter)
        .newWrappingKeys(KmsKeyring.create(app, newKey)).onlyFrom(Set.of(oldKey)).build();
    int rekeyed = 0;
    for (String key : before) {
      if (key.startsWith("2025/q1/") && rekeyer.rekey(EXPORTS, key).outcome() == RekeyResult.Outcome.REKEYED) {
        rekeyed++;
      }
    }
    line.accept(String.format("rekey s3://%s/2025/q1/: %d re-encrypted under alias/securecart-exports-2026, each "
        + "write conditional on the ETag read", EXPORTS, rekeyed));

    // The rest as S3 Batch Operations would: a manifest from the inventory, one task per line.
    List<String> manifest = new ArrayList<>();
    for (String key : dependents(s3, oldKey)) {
      manifest.add(EXPORTS + "," + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    List<S3BatchEventV2.Task> tasks = new ArrayList<>();
    for (String row : manifest) {
      String[] columns = row.split(",", 2);
      tasks.add(new S3BatchEventV2.Task("task-" + tasks.size(), columns[1], null, columns[0]));
    }
    S3BatchResponse response = KeyLifecycleBatchHandler.rekey(s3, rekeyer).handleSchema2(new S3BatchEventV2("2.0",
        "securecart-retire", new S3BatchEventV2.Job("job-retire-2025", Map.of()), tasks), null);
    int byBatch = (int) response.getResults().stream()
        .filter(r -> r.getResultCode() == S3BatchResponse.ResultCode.Succeeded).count();
    line.accept(String.format("S3 Batch Operations job from a %d-line manifest: %d tasks Succeeded",
        manifest.size(), byBatch));

    List<String> after = dependents(s3, oldKey);
    admin.scheduleKeyDeletion(b -> b.keyId(oldKey).pendingWindowInDays(7));
    KeyState state = admin.describeKey(b -> b.keyId(oldKey)).keyMetadata().keyState();
    EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(app, newKey)).auditSink(audit).build();
    int decrypted = 0;
    for (String key : keys) {
      reader.getObjectAsBytes(b -> b.bucket(EXPORTS).key(key));
      decrypted++;
    }
    line.accept(String.format("inventory again: %d left; old key %s; %d of %d exports decrypt with the new key "
        + "alone", after.size(), state, decrypted, keys.size()));
    return new Outcome(before.size(), rekeyed, byBatch, after.size(), decrypted, state);
  }

  /** The exports whose header names {@code keyArn}, read from their first bytes only. */
  private static List<String> dependents(S3Client s3, String keyArn) throws IOException {
    List<String> out = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(EXPORTS)).contents()) {
      if (ObjectHeaderInfo.read(s3, EXPORTS, o.key()).wrappingKeyIds().contains(keyArn)) {
        out.add(o.key());
      }
    }
    return out;
  }
}
