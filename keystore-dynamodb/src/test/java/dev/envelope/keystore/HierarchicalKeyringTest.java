package dev.envelope.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.cache.MutableClock;
import dev.envelope.core.keyring.BranchKeyCache;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keystore.BranchKeyStoreException;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The hierarchical keyring and the DynamoDB store on the emulators, in process: what the cache saves, counted in
 * the KMS emulator's trail and the DynamoDB emulator's requests, and every failure with its exact error.
 */
class HierarchicalKeyringTest {
  private KmsEmulator kmsEmulator;
  private DynamoDbEmulator ddbEmulator;
  private KmsClient kms;
  private DynamoDbClient ddb;
  private String keyArn;
  private DynamoDbBranchKeyStore store;
  private final MutableClock clock = new MutableClock();

  @BeforeEach
  void start() {
    kmsEmulator = KmsEmulator.builder().trailCapacity(100_000).build();
    ddbEmulator = DynamoDbEmulator.create();
    kms = kmsEmulator.client();
    ddb = ddbEmulator.client();
    keyArn = kms.createKey(b -> b.description("branch keys")).keyMetadata().arn();
    store = store(ddb, "KeyStore");
    store.createTable();
  }

  private DynamoDbBranchKeyStore store(DynamoDbClient client, String table) {
    return DynamoDbBranchKeyStore.builder().dynamoDb(client).kms(kms).tableName(table)
        .logicalKeyStoreName("keys").kmsKeyArn(keyArn).clock(clock).build();
  }

  @AfterEach
  void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private long kmsDecrypts() {
    return kmsEmulator.trail().stream().filter(e -> e.get("eventName").asText().equals("Decrypt")).count();
  }

  private long getItems() {
    return ddbEmulator.requests().stream().filter(r -> r.operation().equals("GetItem")).count();
  }

  private HierarchicalKeyring tenantKeyring(BranchKeyCache cache, Duration ttl) {
    return HierarchicalKeyring.builder().keyStore(store).ttl(ttl).cache(cache).partitionId("orders").clock(clock)
        .branchKeyIdSupplier(context -> {
          String tenant = context.get("tenant");
          if (tenant == null) {
            throw new IllegalArgumentException("no 'tenant' in the encryption context");
          }
          return "tenant-" + tenant;
        }).build();
  }

  @Test
  void oneKmsAndOneDynamoDbCallPerTenantAndBranchKeyVersionPerTtl() {
    int tenants = 100;
    int messagesPerTenant = 1000;
    for (int t = 0; t < tenants; t++) {
      store.createKey("tenant-" + t, Map.of("tenant", Integer.toString(t)));
    }
    InMemoryAuditSink audit = new InMemoryAuditSink();
    // The unsigned committing suite: an ECDSA signature per message would make this a benchmark of P-384.
    Envelope envelope = Envelope.builder().keyring(tenantKeyring(BranchKeyCache.create(1000),
        Duration.ofMinutes(10))).suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).auditSink(audit).build();
    byte[] plaintext = "order".getBytes(StandardCharsets.UTF_8);
    long decryptsBefore = kmsDecrypts();
    long getsBefore = getItems();
    List<byte[]> samples = new ArrayList<>();
    for (int m = 0; m < messagesPerTenant; m++) {
      for (int t = 0; t < tenants; t++) {
        byte[] message = envelope.encrypt(plaintext, Map.of("tenant", Integer.toString(t)));
        if (m == 0) {
          samples.add(message);
        }
      }
    }
    assertEquals(tenants, kmsDecrypts() - decryptsBefore, "one KMS Decrypt per tenant's branch key");
    assertEquals(tenants, getItems() - getsBefore, "one DynamoDB GetItem per tenant's branch key");
    List<AuditEvent> events = audit.events();
    assertEquals(tenants * messagesPerTenant, events.size());
    assertEquals(tenants, events.stream().mapToInt(AuditEvent::kmsCalls).sum());
    assertEquals(tenants, events.stream().mapToInt(AuditEvent::keyStoreCalls).sum());
    assertTrue(events.get(0).wrappingKeyIds().get(0).startsWith("tenant-0@"), events.get(0).toString());

    // Past the TTL: exactly one more read per tenant, on encrypt; decrypting costs one read per version.
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    for (int t = 0; t < tenants; t++) {
      envelope.encrypt(plaintext, Map.of("tenant", Integer.toString(t)));
      envelope.encrypt(plaintext, Map.of("tenant", Integer.toString(t)));
    }
    assertEquals(2L * tenants, kmsDecrypts() - decryptsBefore);
    assertEquals(2L * tenants, getItems() - getsBefore);
    for (int t = 0; t < tenants; t++) {
      assertArrayEquals(plaintext, envelope.decrypt(samples.get(t), Map.of("tenant", Integer.toString(t)))
          .plaintext());
    }
    assertEquals(3L * tenants, kmsDecrypts() - decryptsBefore, "the version read is cached apart from the active");
  }

  @Test
  void aMissingOrUnknownTenantIsRefusedWithItsName() {
    store.createKey("tenant-1", Map.of("tenant", "1"));
    Envelope envelope = Envelope.builder().keyring(tenantKeyring(BranchKeyCache.create(10), Duration.ofMinutes(1)))
        .build();
    EnvelopeException missing = assertThrows(EnvelopeException.class,
        () -> envelope.encrypt(new byte[1], Map.of("customer", "secret-value")));
    assertEquals("The branch key id supplier chose no branch key for an encryption context with keys "
        + "[aws-crypto-public-key, customer]: no 'tenant' in the encryption context", missing.getMessage());
    BranchKeyStoreException unknown = assertThrows(BranchKeyStoreException.class,
        () -> envelope.encrypt(new byte[1], Map.of("tenant", "2")));
    assertEquals("Branch key tenant-2 (branch:ACTIVE) is not in key store table KeyStore (logical name keys): "
        + "create the key with createKey, or check the branch key id", unknown.getMessage());

    // A message of tenant 1 presented as tenant 2's: tenant 2's keyring finds no data key of its own.
    byte[] message = envelope.encrypt(new byte[1], Map.of("tenant", "1"));
    HierarchicalKeyring tenant2 = HierarchicalKeyring.builder().keyStore(store).branchKeyId("tenant-2")
        .ttl(Duration.ofMinutes(1)).build();
    NoKeyringCouldDecryptException wrongTenant = assertThrows(NoKeyringCouldDecryptException.class,
        () -> Envelope.builder().keyring(tenant2).build().decrypt(message, Map.of("tenant", "1")));
    assertTrue(wrongTenant.getMessage().contains("tenant-2: the message has no data key wrapped under branch key "
        + "tenant-2 (it has [aws-kms-hierarchy (branch key tenant-1)])"), wrongTenant.getMessage());
  }

  @Test
  void anExpiredEntryWithTheKmsKeyDisabledFailsWithTheFix() {
    store.createKey("tenant-1", Map.of("tenant", "1"));
    Envelope envelope = Envelope.builder().keyring(tenantKeyring(BranchKeyCache.create(10), Duration.ofMinutes(5)))
        .build();
    envelope.encrypt(new byte[1], Map.of("tenant", "1"));
    kms.disableKey(b -> b.keyId(keyArn));
    envelope.encrypt(new byte[1], Map.of("tenant", "1")); // within the TTL: no KMS call, still works
    clock.advance(Duration.ofMinutes(6));
    BranchKeyStoreException e = assertThrows(BranchKeyStoreException.class,
        () -> envelope.encrypt(new byte[1], Map.of("tenant", "1")));
    assertTrue(e.getMessage().startsWith("KMS Decrypt for branch key tenant-1 (branch:ACTIVE) in key store keys "
        + "failed: "), e.getMessage());
    assertTrue(e.getMessage().contains("DisabledException") && e.getMessage().contains("EnableKey"),
        e.getMessage());
  }

  @Test
  void aTableThatDoesNotExistIsNamedWithTheFix() {
    DynamoDbBranchKeyStore missing = store(ddb, "NoSuchTable");
    BranchKeyStoreException e = assertThrows(BranchKeyStoreException.class, () -> missing.activeBranchKey("k"));
    assertEquals("Key store table NoSuchTable (logical name keys) does not exist, so branch key k (branch:ACTIVE) "
        + "cannot be read: create it with createTable(), or the AWS KeyStore's CreateKeyStore, in the Region and "
        + "account of the DynamoDB client", e.getMessage());
  }

  /** Each attribute of the ACTIVE item changed in the table: the read fails, naming the branch key. */
  @Test
  void everyTamperedAttributeOfAnItemIsRefused() {
    String id = store.createKey("tampered", Map.of("department", "sales"));
    Map<String, AttributeValue> key = Map.of("branch-key-id", AttributeValue.fromS(id), "type",
        AttributeValue.fromS("branch:ACTIVE"));
    Map<String, AttributeValue> original = ddb.getItem(b -> b.tableName("KeyStore").key(key)).item();
    Map<String, Consumer<Map<String, AttributeValue>>> tampers = new java.util.LinkedHashMap<>();
    tampers.put("create-time", i -> i.put("create-time", AttributeValue.fromS("2020-01-01T00:00:00.000000Z")));
    tampers.put("custom context", i -> i.put("aws-crypto-ec:department", AttributeValue.fromS("finance")));
    tampers.put("added attribute", i -> i.put("aws-crypto-ec:extra", AttributeValue.fromS("x")));
    tampers.put("version", i -> i.put("version", AttributeValue.fromS("branch:version:"
        + java.util.UUID.randomUUID())));
    tampers.put("enc", i -> {
      byte[] enc = i.get("enc").b().asByteArray();
      enc[enc.length - 1] ^= 1;
      i.put("enc", AttributeValue.fromB(SdkBytes.fromByteArray(enc)));
    });
    tampers.put("kms-arn", i -> i.put("kms-arn", AttributeValue.fromS(keyArn.replace("key/", "key/0"))));
    tampers.put("hierarchy-version", i -> i.put("hierarchy-version", AttributeValue.fromN("2")));
    tampers.put("enc type", i -> i.put("enc", AttributeValue.fromS("not binary")));
    tampers.put("missing create-time", i -> i.remove("create-time"));
    Map<String, String> messages = new HashMap<>();
    for (var tamper : tampers.entrySet()) {
      Map<String, AttributeValue> item = new HashMap<>(original);
      tamper.getValue().accept(item);
      ddb.putItem(b -> b.tableName("KeyStore").item(item));
      BranchKeyStoreException e = assertThrows(BranchKeyStoreException.class, () -> store.activeBranchKey(id),
          tamper.getKey());
      assertTrue(e.getMessage().contains("ranch key tampered"), tamper.getKey() + ": " + e.getMessage());
      messages.put(tamper.getKey(), e.getMessage());
    }
    ddb.putItem(b -> b.tableName("KeyStore").item(original));
    assertEquals(id, store.activeBranchKey(id).branchKeyId(), "the original item reads again");
    assertTrue(messages.get("create-time").contains("InvalidCiphertextException"), messages.get("create-time"));
    assertTrue(messages.get("kms-arn").contains("is protected by KMS key"), messages.get("kms-arn"));
    assertTrue(messages.get("hierarchy-version").contains("attribute hierarchy-version is not the number 1"),
        messages.get("hierarchy-version"));
    assertTrue(messages.get("missing create-time").contains("attribute create-time is missing"),
        messages.get("missing create-time"));
  }

  /**
   * A VersionKey whose ACTIVE item changed between its read and its write (another VersionKey got in between)
   * writes nothing; encrypts running meanwhile all stay decryptable.
   */
  @Test
  void aVersionKeyRacingWithAnotherWritesNothingAndEncryptsStayReadable() throws Exception {
    String id = store.createKey("raced", Map.of("tenant", "raced"));
    DynamoDbBranchKeyStore other = store(ddb, "KeyStore");
    boolean[] interfered = {false};
    DynamoDbClient racing = (DynamoDbClient) java.lang.reflect.Proxy.newProxyInstance(
        DynamoDbClient.class.getClassLoader(), new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("transactWriteItems") && !interfered[0]) {
            interfered[0] = true;
            other.versionKey(id); // lands between this VersionKey's read and its write
          }
          try {
            return method.invoke(ddb, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    String before = store.activeBranchKey(id).version();
    BranchKeyStoreException e = assertThrows(BranchKeyStoreException.class,
        () -> store(racing, "KeyStore").versionKey(id));
    assertEquals("Branch key raced was versioned or changed by another writer while this VersionKey ran (its "
        + "ACTIVE item is no longer the one read): nothing was written; read the key again and retry if a new "
        + "version is still wanted", e.getMessage());
    String after = store.activeBranchKey(id).version();
    assertTrue(!after.equals(before), "the other VersionKey's version is active");

    // Encrypts on four threads while versionKey runs ten times: every message decrypts.
    HierarchicalKeyring keyring = HierarchicalKeyring.builder().keyStore(store).branchKeyId(id)
        .ttl(Duration.ofMillis(1)).build();
    Envelope envelope = Envelope.builder().keyring(keyring).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<byte[]>>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        writers.add(pool.submit(() -> {
          List<byte[]> messages = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            messages.add(envelope.encrypt(("m" + i).getBytes(StandardCharsets.UTF_8), Map.of()));
          }
          return messages;
        }));
      }
      for (int v = 0; v < 10; v++) {
        store.versionKey(id);
      }
      for (Future<List<byte[]>> writer : writers) {
        for (byte[] message : writer.get()) {
          envelope.decrypt(message, Map.of());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
