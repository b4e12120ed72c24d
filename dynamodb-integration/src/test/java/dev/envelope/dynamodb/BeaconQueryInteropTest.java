package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconKeySource;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconVersion;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTableEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTablesEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.EncryptedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SearchConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SignedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SingleKeyStore;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Items written through our interceptor with a search configuration carry the beacons the AWS Database Encryption
 * SDK 3.9.0 queries: its interceptor, on a GSI keyed by {@code aws_dbe_b_email} and by a compound beacon, finds
 * and decrypts them, next to items it wrote itself.
 */
class BeaconQueryInteropTest {
  private static final String TABLE = "Customers";
  private static KmsEmulator kmsEmulator;
  private static DynamoDbEmulator ddbEmulator;
  private static DynamoDbClient ours;
  private static DynamoDbClient theirs;
  private static DynamoDbClient raw;
  private static BeaconConfig beacons;

  @BeforeAll
  static void start() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    KmsClient kms = kmsEmulator.client();
    raw = ddbEmulator.client();
    String keyArn = kms.createKey(b -> b.description("customers")).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(raw).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("customers").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("acme", Map.of("tenant", "acme"));
    raw.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
        .attributeDefinitions(
            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
            AttributeDefinition.builder().attributeName("aws_dbe_b_email").attributeType(ScalarAttributeType.S)
                .build(),
            AttributeDefinition.builder().attributeName("aws_dbe_b_cmp").attributeType(ScalarAttributeType.S)
                .build())
        .globalSecondaryIndexes(
            GlobalSecondaryIndex.builder().indexName("email-index").keySchema(KeySchemaElement.builder()
                .attributeName("aws_dbe_b_email").keyType(KeyType.HASH).build())
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build(),
            GlobalSecondaryIndex.builder().indexName("cmp-index").keySchema(KeySchemaElement.builder()
                .attributeName("aws_dbe_b_cmp").keyType(KeyType.HASH).build())
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));

    beacons = BeaconConfig.of(() -> store.beaconKey(branchKeyId).key(),
        List.of(StandardBeacon.of("email", 16), StandardBeacon.of("nick", 1)),
        List.of(CompoundBeacon.of("cmp", '|', List.of(CompoundBeacon.Part.signed("region", "R-"),
            CompoundBeacon.Part.encrypted("email", "E-")))));
    ours = ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(
        DynamoDbEncryptionInterceptor.builder().table(TableConfig.builder().tableName(TABLE).partitionKeyName("pk")
            .attributeAction("email", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
            .attributeAction("nick", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
            .attributeAction("region", dev.envelope.dynamodb.CryptoAction.SIGN_ONLY)
            .keyring(HierarchicalKeyring.builder().keyStore(store).branchKeyId(branchKeyId)
                .ttl(Duration.ofMinutes(5)).build())
            .beacons(beacons).build()).build())).build();

    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("customers").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(raw).kmsClient(kms).build()).build();
    var keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(600L).build());
    Map<String, CryptoAction> actions = new HashMap<>(Map.of("pk", CryptoAction.SIGN_ONLY,
        "email", CryptoAction.ENCRYPT_AND_SIGN, "region", CryptoAction.SIGN_ONLY));
    DynamoDbTableEncryptionConfig config = DynamoDbTableEncryptionConfig.builder().logicalTableName(TABLE)
        .partitionKeyName("pk").attributeActionsOnEncrypt(actions).keyring(keyring)
        .search(SearchConfig.builder().writeVersion(1).versions(List.of(BeaconVersion.builder().version(1)
            .keyStore(keyStore).keySource(BeaconKeySource.builder().single(SingleKeyStore.builder()
                .keyId(branchKeyId).cacheTTL(600).build()).build())
            .standardBeacons(List.of(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon
                .builder().name("email").length(16).build()))
            .compoundBeacons(List.of(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.CompoundBeacon
                .builder().name("cmp").split("|")
                .signed(List.of(SignedPart.builder().name("region").prefix("R-").build()))
                .encrypted(List.of(EncryptedPart.builder().name("email").prefix("E-").build())).build()))
            .build())).build()).build();
    theirs = ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(
        software.amazon.cryptography.dbencryptionsdk.dynamodb.DynamoDbEncryptionInterceptor.builder()
            .config(DynamoDbTablesEncryptionConfig.builder().tableEncryptionConfigs(Map.of(TABLE, config)).build())
            .build())).build();
  }

  @AfterAll
  static void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private static Map<String, AttributeValue> customer(String pk, String email, String region) {
    return Map.of("pk", AttributeValue.fromS(pk), "email", AttributeValue.fromS(email),
        "region", AttributeValue.fromS(region));
  }

  @Test
  void theirQueriesFindOurItemsByBeaconNextToTheirOwn() {
    ours.putItem(b -> b.tableName(TABLE).item(customer("c-1", "alice@example.com", "eu")));
    ours.putItem(b -> b.tableName(TABLE).item(customer("c-2", "bob@example.com", "us")));
    theirs.putItem(b -> b.tableName(TABLE).item(customer("c-3", "alice@example.com", "us")));

    List<Map<String, AttributeValue>> byEmail = theirs.query(b -> b.tableName(TABLE).indexName("email-index")
        .keyConditionExpression("email = :e")
        .expressionAttributeValues(Map.of(":e", AttributeValue.fromS("alice@example.com")))).items();
    assertEquals(2, byEmail.size(), byEmail::toString);
    assertTrue(byEmail.contains(customer("c-1", "alice@example.com", "eu")), "ours, found and decrypted");
    assertTrue(byEmail.contains(customer("c-3", "alice@example.com", "us")), "theirs");

    List<Map<String, AttributeValue>> byCompound = theirs.query(b -> b.tableName(TABLE).indexName("cmp-index")
        .keyConditionExpression("cmp = :c")
        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("R-eu|E-alice@example.com")))).items();
    assertEquals(List.of(customer("c-1", "alice@example.com", "eu")), byCompound);

    // And our reads of their item, beacons stripped.
    assertEquals(customer("c-3", "alice@example.com", "us"), ours.getItem(b -> b.tableName(TABLE)
        .key(Map.of("pk", AttributeValue.fromS("c-3")))).item());
  }

  @Test
  void ourQueriesFindTheirItemsAndOursByStandardAndCompoundBeacons() {
    ours.putItem(b -> b.tableName(TABLE).item(customer("q-1", "carol@example.com", "eu")));
    theirs.putItem(b -> b.tableName(TABLE).item(customer("q-2", "carol@example.com", "us")));
    ours.putItem(b -> b.tableName(TABLE).item(customer("q-3", "dave@example.com", "eu")));

    var byEmail = ours.query(b -> b.tableName(TABLE).indexName("email-index").keyConditionExpression("#e = :e")
        .expressionAttributeNames(Map.of("#e", "email"))
        .expressionAttributeValues(Map.of(":e", AttributeValue.fromS("carol@example.com"))));
    assertEquals(2, byEmail.count());
    assertTrue(byEmail.items().containsAll(List.of(customer("q-1", "carol@example.com", "eu"),
        customer("q-2", "carol@example.com", "us"))), byEmail.items()::toString);

    assertEquals(List.of(customer("q-2", "carol@example.com", "us")), ours.query(b -> b.tableName(TABLE)
        .indexName("cmp-index").keyConditionExpression("cmp = :c")
        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("R-us|E-carol@example.com")))).items());

    var euCustomers = ours.scan(b -> b.tableName(TABLE).filterExpression("begins_with(cmp, :c) AND pk > :p")
        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("R-eu|E-"), ":p", AttributeValue.fromS("q"))));
    assertEquals(List.of("q-1", "q-3"), euCustomers.items().stream().map(i -> i.get("pk").s()).sorted().toList());
  }

  @Test
  void falsePositivesOfAShortBeaconAreDroppedAfterDecryption() {
    for (int i = 0; i < 24; i++) {
      Map<String, AttributeValue> item = new HashMap<>(customer("n-" + i, "n" + i + "@example.com", "eu"));
      item.put("nick", AttributeValue.fromS("nick" + i));
      ours.putItem(b -> b.tableName(TABLE).item(item));
    }
    String oneBit = beacons.beacons().standardBeacon("nick", AttributeValue.fromS("nick3"));
    int sameBeacon = raw.scan(b -> b.tableName(TABLE).filterExpression("aws_dbe_b_nick = :n")
        .expressionAttributeValues(Map.of(":n", AttributeValue.fromS(oneBit)))).count();
    assertTrue(sameBeacon > 1, "a 1-bit beacon collides: " + sameBeacon + " items share it");
    var found = ours.scan(b -> b.tableName(TABLE).filterExpression("nick = :n")
        .expressionAttributeValues(Map.of(":n", AttributeValue.fromS("nick3"))));
    assertEquals(1, found.count());
    assertEquals("n-3", found.items().get(0).get("pk").s());
  }

  @Test
  void searchesInAnyShapeFindWhatThePlaintextWouldAndDropFalsePositives() {
    for (int i = 0; i < 16; i++) {
      Map<String, AttributeValue> item = new HashMap<>(customer("f-" + i, "f" + i + "@example.com",
          i % 2 == 0 ? "eu" : "us"));
      item.put("nick", AttributeValue.fromS("shape" + i));
      ours.putItem(b -> b.tableName(TABLE).item(item));
    }
    AttributeValue nick1 = AttributeValue.fromS("shape1");
    AttributeValue nick6 = AttributeValue.fromS("shape6");
    AttributeValue prefix = AttributeValue.fromS("f-");
    // nick is a 1-bit beacon: about half of all items share each value's beacon, and must be dropped.
    assertEquals(List.of("f-1", "f-6"), pks(scan("(nick = :a OR nick = :b) AND begins_with(pk, :s)",
        Map.of(":a", nick1, ":b", nick6, ":s", prefix))));
    assertEquals(List.of("f-1", "f-6"), pks(scan("nick IN (:a, :b) AND begins_with(pk, :s)",
        Map.of(":a", nick1, ":b", nick6, ":s", prefix))));
    // NOT over a 1-bit beacon would drop half the true results in DynamoDB, beyond repair after decryption.
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> scan(
        "#r = :r AND NOT nick = :a", Map.of(":a", nick1, ":r", AttributeValue.fromS("us"))));
    assertEquals("Table Customers: beacon nick is searched under NOT, which would lose items: a beacon is a "
        + "truncated hash, so the negation also drops every item whose value merely shares the beacon of :a. Search "
        + "without NOT and filter the rest after reading", e.getMessage());
    assertEquals(List.of("f-1", "f-3", "f-5"), pks(scan("NOT (#r <> :r) AND (nick = :a OR nick IN (:b, :c))",
        Map.of(":a", nick1, ":b", AttributeValue.fromS("shape3"), ":c", AttributeValue.fromS("shape5"),
            ":r", AttributeValue.fromS("us")))));
    var counted = scan("nick = :a AND begins_with(pk, :s)", Map.of(":a", nick1, ":s", prefix));
    assertEquals(1, counted.count(), "Count counts the items left after false positives are dropped");
  }

  private static software.amazon.awssdk.services.dynamodb.model.ScanResponse scan(String filter,
      Map<String, AttributeValue> values) {
    return ours.scan(b -> b.tableName(TABLE).filterExpression(filter).expressionAttributeValues(values)
        .expressionAttributeNames(filter.contains("#r") ? Map.of("#r", "region") : null));
  }

  private static List<String> pks(software.amazon.awssdk.services.dynamodb.model.ScanResponse response) {
    return response.items().stream().map(i -> i.get("pk").s()).sorted().toList();
  }

  @Test
  void aBeaconForgedInTheTableDoesNotMakeAnItemMatch() {
    ours.putItem(b -> b.tableName(TABLE).item(customer("a-forged", "mallory@example.com", "eu")));
    // Beacons are outside the signature: someone with write access sets mallory's beacon to erin's.
    AttributeValue erins = AttributeValue.fromS(beacons.beacons().standardBeacon("email",
        AttributeValue.fromS("erin@example.com")));
    raw.updateItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("a-forged")))
        .updateExpression("SET aws_dbe_b_email = :b").expressionAttributeValues(Map.of(":b", erins)));
    var found = ours.query(b -> b.tableName(TABLE).indexName("email-index").keyConditionExpression("email = :e")
        .expressionAttributeValues(Map.of(":e", AttributeValue.fromS("erin@example.com"))));
    assertEquals(0, found.count(), "DynamoDB returned the forged item; the check after decryption drops it");
  }

  @Test
  void searchesTheBeaconsCannotAnswerAreRefusedWithTheReason() {
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> ours.scan(b -> b
        .tableName(TABLE).filterExpression("begins_with(email, :e)")
        .expressionAttributeValues(Map.of(":e", AttributeValue.fromS("carol")))));
    assertEquals("Table Customers: The operation 'begins_with' cannot be used with a standard beacon. A standard "
        + "beacon is a hash and compares only with =, IN or contains; search prefixes and ranges with a compound "
        + "beacon", e.getMessage());
    e = assertThrows(UnsupportedRequestException.class, () -> ours.scan(b -> b.tableName(TABLE)
        .filterExpression("email = :v AND pk = :v").expressionAttributeValues(Map.of(
            ":v", AttributeValue.fromS("x")))));
    assertEquals("Table Customers: :v used in two different contexts, which is not allowed.", e.getMessage());
    e = assertThrows(UnsupportedRequestException.class, () -> ours.scan(b -> b.tableName(TABLE)
        .select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT).filterExpression("email = :e")
        .expressionAttributeValues(Map.of(":e", AttributeValue.fromS("x")))));
    assertEquals("Scan on encrypted table Customers with Select COUNT searches a beacon: DynamoDB would count the "
        + "false positives of its truncated hashes too. Read the items and count them", e.getMessage());
  }

  @Test
  void aBeaconOverAnUnencryptedAttributeIsRefusedAtBuild() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableConfig.builder()
        .tableName(TABLE).partitionKeyName("pk").attributeAction("region", dev.envelope.dynamodb.CryptoAction
            .SIGN_ONLY).keyring(dev.envelope.core.keyring.RawAesKeyring.builder().keyNamespace("n").keyName("k")
            .wrappingKey(new byte[32]).build())
        .beacons(BeaconConfig.of(() -> new byte[32], List.of(StandardBeacon.of("region", 8)), List.of())).build());
    assertEquals("Table Customers: standard beacon region hashes region, which must be ENCRYPT_AND_SIGN (a beacon "
        + "of a plaintext value would only leak)", e.getMessage());
  }
}
