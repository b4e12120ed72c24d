package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.MultiKeyStore;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SearchConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SignedPart;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Multi-tenant beacons against the AWS Database Encryption SDK 3.9.0's {@code MultiKeyStore}: one table, two
 * tenants with a branch key each, the tenant named by a SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT attribute. Items of
 * one tenant carry the same beacons whoever wrote them and different ones from the other tenant's; searches find
 * the tenant's items on both sides, take the tenant from the key field or a compound beacon's signed part, refuse
 * none or two tenants, and drop an item encrypted under another tenant's branch key even when everything else
 * matches.
 */
class MultiTenantBeaconTest {
  private static final String TABLE = "Tenants";
  private static KmsEmulator kmsEmulator;
  private static DynamoDbEmulator ddbEmulator;
  private static DynamoDbClient raw;
  private static DynamoDbClient ours;
  private static DynamoDbClient theirsA;
  private static DynamoDbClient theirsB;
  private static BeaconConfig search;

  @BeforeAll
  static void start() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    KmsClient kms = kmsEmulator.client();
    raw = ddbEmulator.client();
    String keyArn = kms.createKey(b -> b.description("tenants")).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(raw).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("tenants").kmsKeyArn(keyArn).build();
    store.createTable();
    store.createKey("tenant-a", Map.of("tenant", "a"));
    store.createKey("tenant-b", Map.of("tenant", "b"));
    raw.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
        .attributeDefinitions(
            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
            AttributeDefinition.builder().attributeName("aws_dbe_b_email").attributeType(ScalarAttributeType.S)
                .build())
        .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("email-index").keySchema(
            KeySchemaElement.builder().attributeName("aws_dbe_b_email").keyType(KeyType.HASH).build())
            .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));

    search = BeaconConfig.multiTenant("tenant", id -> store.beaconKey(id).key(),
        List.of(StandardBeacon.of("email", 32), StandardBeacon.of("nick", 1)),
        List.of(CompoundBeacon.of("tcmp", '|', List.of(CompoundBeacon.Part.signed("tenant", "T-"),
            CompoundBeacon.Part.encrypted("email", "E-")))));
    ours = ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(
        DynamoDbEncryptionInterceptor.builder().table(TableConfig.builder().tableName(TABLE).partitionKeyName("pk")
            .attributeAction("pk", dev.envelope.dynamodb.CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)
            .attributeAction("tenant", dev.envelope.dynamodb.CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)
            .attributeAction("email", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
            .attributeAction("nick", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
            // The tenant's branch key, from the attribute the encryption context carries.
            .keyring(HierarchicalKeyring.builder().keyStore(store).branchKeyIdSupplier(
                context -> context.get("aws-crypto-attr.tenant")).ttl(Duration.ofMinutes(5)).build())
            .beacons(search).build()).build())).build();

    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("tenants").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(raw).kmsClient(kms).build()).build();
    theirsA = theirClient(keyStore, "tenant-a");
    theirsB = theirClient(keyStore, "tenant-b");
  }

  /** A DB-ESDK client whose keyring encrypts with one tenant's branch key; its search is multi-tenant. */
  private static DynamoDbClient theirClient(KeyStore keyStore, String branchKeyId) {
    var keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(600L).build());
    DynamoDbTableEncryptionConfig config = DynamoDbTableEncryptionConfig.builder().logicalTableName(TABLE)
        .partitionKeyName("pk").attributeActionsOnEncrypt(Map.of(
            "pk", CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT,
            "tenant", CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT,
            "email", CryptoAction.ENCRYPT_AND_SIGN, "nick", CryptoAction.ENCRYPT_AND_SIGN)).keyring(keyring)
        .search(SearchConfig.builder().writeVersion(1).versions(List.of(BeaconVersion.builder().version(1)
            .keyStore(keyStore).keySource(BeaconKeySource.builder().multi(MultiKeyStore.builder()
                .keyFieldName("tenant").cacheTTL(600).build()).build())
            .standardBeacons(List.of(
                software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon.builder().name("email")
                    .length(32).build(),
                software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon.builder().name("nick")
                    .length(1).build()))
            .compoundBeacons(List.of(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.CompoundBeacon
                .builder().name("tcmp").split("|")
                .signed(List.of(SignedPart.builder().name("tenant").prefix("T-").build()))
                .encrypted(List.of(EncryptedPart.builder().name("email").prefix("E-").build())).build()))
            .build())).build()).build();
    return ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(
        software.amazon.cryptography.dbencryptionsdk.dynamodb.DynamoDbEncryptionInterceptor.builder()
            .config(DynamoDbTablesEncryptionConfig.builder().tableEncryptionConfigs(Map.of(TABLE, config)).build())
            .build())).build();
  }

  @AfterAll
  static void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private static Map<String, AttributeValue> person(String pk, String tenant, String email, String nick) {
    return Map.of("pk", AttributeValue.fromS(pk), "tenant", AttributeValue.fromS(tenant),
        "email", AttributeValue.fromS(email), "nick", AttributeValue.fromS(nick));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private static AttributeValue stored(String pk, String attribute) {
    return raw.getItem(b -> b.tableName(TABLE).key(Map.of("pk", s(pk)))).item().get(attribute);
  }

  private static List<String> pks(List<Map<String, AttributeValue>> items) {
    return items.stream().map(i -> i.get("pk").s()).sorted().toList();
  }

  @Test
  void eachTenantsItemsCarryItsBeaconsAndAreFoundOnBothSides() {
    ours.putItem(b -> b.tableName(TABLE).item(person("a-1", "tenant-a", "alice@example.com", "x")));
    theirsA.putItem(b -> b.tableName(TABLE).item(person("a-2", "tenant-a", "alice@example.com", "y")));
    ours.putItem(b -> b.tableName(TABLE).item(person("b-1", "tenant-b", "alice@example.com", "x")));
    theirsB.putItem(b -> b.tableName(TABLE).item(person("b-2", "tenant-b", "alice@example.com", "y")));

    assertEquals(stored("a-2", "aws_dbe_b_email"), stored("a-1", "aws_dbe_b_email"), "one tenant, one beacon key");
    assertEquals(stored("b-2", "aws_dbe_b_email"), stored("b-1", "aws_dbe_b_email"));
    assertNotEquals(stored("a-1", "aws_dbe_b_email"), stored("b-1", "aws_dbe_b_email"), "two tenants, two keys");
    assertEquals(stored("b-2", "aws_dbe_b_tcmp"), stored("b-1", "aws_dbe_b_tcmp"));

    Map<String, AttributeValue> values = Map.of(":t", s("tenant-a"), ":e", s("alice@example.com"));
    for (DynamoDbClient client : List.of(ours, theirsA)) {
      assertEquals(List.of("a-1", "a-2"), pks(client.query(b -> b.tableName(TABLE).indexName("email-index")
          .keyConditionExpression("email = :e").filterExpression("tenant = :t").expressionAttributeValues(values))
          .items()));
    }
    // The tenant inside a compound beacon's signed part names the key too.
    for (DynamoDbClient client : List.of(ours, theirsB)) {
      assertEquals(List.of("b-1", "b-2"), pks(client.scan(b -> b.tableName(TABLE).filterExpression("tcmp = :c")
          .expressionAttributeValues(Map.of(":c", s("T-tenant-b|E-alice@example.com")))).items()));
    }
  }

  @Test
  void anItemUnderAnotherTenantsBranchKeyIsDroppedEvenWhenItsBeaconMatches() {
    // Their tenant-b client writes an item that claims tenant-a; its data key is tenant-b's.
    String nick = null;
    for (int i = 0; nick == null; i++) {
      String candidate = "n" + i;
      if (search.beacons("tenant-a").standardBeacon("nick", s(candidate))
          .equals(search.beacons("tenant-b").standardBeacon("nick", s(candidate)))) {
        nick = candidate; // the 1-bit beacon is the same under both keys: only the header tells them apart
      }
    }
    String chosen = nick;
    ours.putItem(b -> b.tableName(TABLE).item(person("m-1", "tenant-a", "m@example.com", chosen)));
    theirsB.putItem(b -> b.tableName(TABLE).item(person("m-2", "tenant-a", "m@example.com", chosen)));
    assertEquals(List.of("m-1"), pks(ours.scan(b -> b.tableName(TABLE).filterExpression("tenant = :t AND nick = :n")
        .expressionAttributeValues(Map.of(":t", s("tenant-a"), ":n", s(chosen)))).items()));
  }

  @Test
  void aSearchNamingNoTenantOrTwoIsRefusedOnBothSides() {
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> ours.scan(b -> b
        .tableName(TABLE).filterExpression("email = :e").expressionAttributeValues(Map.of(":e", s("x")))));
    assertEquals("Table Tenants: Need KeyId because of beacon email but no KeyId found in query: compare tenant "
        + "with the tenant's branch key id", e.getMessage());
    RuntimeException theirs = assertThrows(RuntimeException.class, () -> theirsA.scan(b -> b.tableName(TABLE)
        .filterExpression("email = :e").expressionAttributeValues(Map.of(":e", s("x")))));
    assertTrue(theirs.getMessage().contains("Need KeyId because of beacon email but no KeyId found in query"),
        theirs.getMessage());

    Map<String, AttributeValue> two = Map.of(":a", s("tenant-a"), ":b", s("tenant-b"), ":e", s("x"));
    e = assertThrows(UnsupportedRequestException.class, () -> ours.scan(b -> b.tableName(TABLE)
        .filterExpression("(tenant = :a OR tenant = :b) AND email = :e").expressionAttributeValues(two)));
    assertEquals("Table Tenants: Multiple values found for tenant in query : tenant-a, tenant-b", e.getMessage());
    theirs = assertThrows(RuntimeException.class, () -> theirsA.scan(b -> b.tableName(TABLE)
        .filterExpression("(tenant = :a OR tenant = :b) AND email = :e").expressionAttributeValues(two)));
    assertTrue(theirs.getMessage().contains("Multiple values found for tenant in query : tenant-a, tenant-b"),
        theirs.getMessage());
  }

  @Test
  void aMultiTenantConfigurationIsCheckedAtBuild() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableConfig.builder()
        .tableName(TABLE).partitionKeyName("pk")
        .attributeAction("tenant", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("email", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
        .keyring(dev.envelope.core.keyring.RawAesKeyring.builder().keyNamespace("n").keyName("k")
            .wrappingKey(new byte[32]).build())
        .beacons(BeaconConfig.multiTenant("tenant", id -> new byte[32], List.of(StandardBeacon.of("email", 8)),
            List.of())).build());
    assertEquals("Table Tenants: beacon key field name tenant is configured as ENCRYPT_AND_SIGN which is not "
        + "allowed: a search names the tenant in the clear", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BeaconConfig.multiTenant("email", id -> new byte[32],
        List.of(StandardBeacon.of("email", 8)), List.of()));
    assertEquals("A beacon key field name of email was configured, but there's also a beacon or virtual field of "
        + "that name.", e.getMessage());
  }
}
