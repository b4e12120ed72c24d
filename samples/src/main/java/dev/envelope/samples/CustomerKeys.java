package dev.envelope.samples;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * SecureCart's multi-tenant step: each customer's receipts encrypted under the customer's own branch key (the
 * hierarchical keyring over a key store table in DynamoDB), so that KMS is called once per customer per cache
 * period instead of once per receipt. The key administrator creates the branch keys; the app may only decrypt
 * them (its key policy statement), and every KMS call it makes is in an audit event.
 */
final class CustomerKeys {
  static final String KEY_STORE_TABLE = "SecureCartKeys";

  /** What the step did: customers (branch keys), receipts encrypted and decrypted, and what it cost. */
  record Outcome(int customers, int receipts, int decrypted, long kmsCalls, long keyStoreCalls) {}

  private CustomerKeys() {}

  /** The resource audit events name: where such a receipt would be kept. */
  private static String receipt(Orders.Order order) {
    return "securecart://receipts/" + order.customer() + "/order-" + order.id();
  }

  static Outcome run(EmbeddedParts parts, KmsClient admin, KmsClient app, List<Orders.Order> orders,
      AuditSink audit) {
    String branchKeysKey = admin.createKey(b -> b.description("SecureCart branch keys").policy(Policies.of(
        Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
        Policies.allow(EmbeddedParts.APP.arn(), "kms:Decrypt")))).keyMetadata().arn();
    DynamoDbClient dynamoDb = parts.dynamoDb(null);
    DynamoDbBranchKeyStore.Builder store = DynamoDbBranchKeyStore.builder().dynamoDb(dynamoDb)
        .tableName(KEY_STORE_TABLE).logicalKeyStoreName(KEY_STORE_TABLE).kmsKeyArn(branchKeysKey);
    DynamoDbBranchKeyStore adminStore = store.kms(admin).build();
    adminStore.createTable();
    TreeSet<String> customers = new TreeSet<>();
    orders.forEach(o -> customers.add(o.customer()));
    for (String customer : customers) {
      adminStore.createKey(customer, Map.of("customer", customer));
    }

    InMemoryAuditSink counted = new InMemoryAuditSink();
    Envelope envelope = Envelope.builder().suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
        .auditSink(AuditSink.combine(audit, counted))
        .keyring(HierarchicalKeyring.builder().keyStore(store.kms(app).build()).ttl(Duration.ofMinutes(10))
            .branchKeyIdSupplier(context -> context.get("customer")).build())
        .build();
    List<byte[]> receipts = new ArrayList<>();
    for (Orders.Order order : orders) {
      receipts.add(envelope.withResource(receipt(order)).encrypt(order.json().getBytes(StandardCharsets.UTF_8),
          Map.of("customer", order.customer())));
    }
    int decrypted = 0;
    for (int i = 0; i < orders.size(); i++) {
      Orders.Order order = orders.get(i);
      if (new String(envelope.withResource(receipt(order)).decrypt(receipts.get(i),
          Map.of("customer", order.customer())).plaintext(), StandardCharsets.UTF_8).equals(order.json())) {
        decrypted++;
      }
    }
    return new Outcome(customers.size(), receipts.size(), decrypted,
        counted.events().stream().mapToLong(AuditEvent::kmsCalls).sum(),
        counted.events().stream().mapToLong(AuditEvent::keyStoreCalls).sum());
  }
}
