package dev.envelope.benchmarks;

import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.dynamodb.DynamoDbEncryptionInterceptor;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
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
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.DynamoDbEncryptionTransforms;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.model.PutItemInputTransformInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.model.QueryInputTransformInput;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Searchable encryption, ours against the AWS Database Encryption SDK 3.9.0's, side by side in one run, with the
 * same key store (branch and beacon key) on the emulators in process and the same beacons (a 16-bit standard beacon
 * on {@code email}, a compound beacon of a signed region and the email): what beacons add to writing an item
 * (encrypt with and without the search configuration), what rewriting a query costs (our interceptor's
 * {@code sentQuery} against their {@code QueryInputTransform}), and a whole Query by beacon on a secondary index
 * returning one item, against the same Query on a plaintext table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BeaconBenchmark {
  private static final String TABLE = "Customers";
  private static final String PLAIN_TABLE = "PlainCustomers";

  private KmsEmulator kmsEmulator;
  private DynamoDbEmulator ddbEmulator;
  private Map<String, AttributeValue> item;
  private ItemEncryptor oursWithBeacons;
  private ItemEncryptor oursWithoutBeacons;
  private DynamoDbEncryptionTransforms theirsWithBeacons;
  private DynamoDbEncryptionTransforms theirsWithoutBeacons;
  private DynamoDbEncryptionInterceptor interceptor;
  private Map<String, AttributeValue> queryValues;
  private DynamoDbClient raw;
  private DynamoDbClient ours;
  private DynamoDbClient theirs;

  @Setup(Level.Trial)
  public void setUp() {
    kmsEmulator = KmsEmulator.builder().keepTrail(false).build();
    ddbEmulator = DynamoDbEmulator.builder().keepRequests(false).build();
    KmsClient kms = kmsEmulator.client();
    raw = ddbEmulator.client();
    String keyArn = kms.createKey(b -> { }).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(raw).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("bench").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("bench-tenant", Map.of("tenant", "bench"));
    for (String table : List.of(TABLE, PLAIN_TABLE)) {
      String indexKey = table.equals(TABLE) ? "aws_dbe_b_email" : "email";
      raw.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
          .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
          .attributeDefinitions(
              AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
              AttributeDefinition.builder().attributeName(indexKey).attributeType(ScalarAttributeType.S).build())
          .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("email-index").keySchema(
              KeySchemaElement.builder().attributeName(indexKey).keyType(KeyType.HASH).build())
              .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
    }
    item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS("customer-000042"));
    item.put("email", AttributeValue.fromS("alice.example@example.com"));
    item.put("region", AttributeValue.fromS("eu-west"));
    item.put("name", AttributeValue.fromS("Alice Example-Longname of Springfield"));
    item.put("card", AttributeValue.fromS("4111-1111-1111-1111"));

    BeaconConfig beacons = BeaconConfig.of(() -> store.beaconKey(branchKeyId).key(),
        List.of(StandardBeacon.of("email", 16)),
        List.of(CompoundBeacon.of("cmp", '|', List.of(CompoundBeacon.Part.signed("region", "R-"),
            CompoundBeacon.Part.encrypted("email", "E-")))));
    TableConfig.Builder config = TableConfig.builder().tableName(TABLE).partitionKeyName("pk")
        .attributeAction("email", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("region", dev.envelope.dynamodb.CryptoAction.SIGN_ONLY)
        .attributeAction("name", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("card", dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN)
        .keyring(HierarchicalKeyring.builder().keyStore(store).branchKeyId(branchKeyId)
            .ttl(Duration.ofMinutes(10)).build());
    oursWithoutBeacons = ItemEncryptor.create(config.build());
    TableConfig searchable = config.beacons(beacons).build();
    oursWithBeacons = ItemEncryptor.create(searchable);
    interceptor = DynamoDbEncryptionInterceptor.builder().table(searchable).build();
    ours = ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();

    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("bench").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(raw).kmsClient(kms).build()).build();
    var keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(600L).build());
    Map<String, CryptoAction> actions = Map.of("pk", CryptoAction.SIGN_ONLY, "email", CryptoAction.ENCRYPT_AND_SIGN,
        "region", CryptoAction.SIGN_ONLY, "name", CryptoAction.ENCRYPT_AND_SIGN,
        "card", CryptoAction.ENCRYPT_AND_SIGN);
    DynamoDbTableEncryptionConfig.Builder theirConfig = DynamoDbTableEncryptionConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").attributeActionsOnEncrypt(actions).keyring(keyring)
        // Our default suite: committing, symmetric signature only (their default adds ECDSA).
        .algorithmSuiteId(DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384);
    theirsWithoutBeacons = transforms(theirConfig.build());
    DynamoDbTableEncryptionConfig theirSearchable = theirConfig.search(SearchConfig.builder().writeVersion(1)
        .versions(List.of(BeaconVersion.builder().version(1).keyStore(keyStore)
            .keySource(BeaconKeySource.builder().single(SingleKeyStore.builder().keyId(branchKeyId).cacheTTL(600)
                .build()).build())
            .standardBeacons(List.of(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon
                .builder().name("email").length(16).build()))
            .compoundBeacons(List.of(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.CompoundBeacon
                .builder().name("cmp").split("|")
                .signed(List.of(SignedPart.builder().name("region").prefix("R-").build()))
                .encrypted(List.of(EncryptedPart.builder().name("email").prefix("E-").build())).build()))
            .build())).build()).build();
    theirsWithBeacons = transforms(theirSearchable);
    theirs = ddbEmulator.clientBuilder().overrideConfiguration(c -> c.addExecutionInterceptor(
        software.amazon.cryptography.dbencryptionsdk.dynamodb.DynamoDbEncryptionInterceptor.builder()
            .config(DynamoDbTablesEncryptionConfig.builder().tableEncryptionConfigs(Map.of(TABLE, theirSearchable))
                .build()).build())).build();

    queryValues = Map.of(":e", AttributeValue.fromS("alice.example@example.com"));
    ours.putItem(b -> b.tableName(TABLE).item(item));
    raw.putItem(b -> b.tableName(PLAIN_TABLE).item(item));
    // Warm both sides' key caches.
    oursQuery();
    theirsQuery();
  }

  private static DynamoDbEncryptionTransforms transforms(DynamoDbTableEncryptionConfig config) {
    return DynamoDbEncryptionTransforms.builder().DynamoDbTablesEncryptionConfig(DynamoDbTablesEncryptionConfig
        .builder().tableEncryptionConfigs(Map.of(TABLE, config)).build()).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  @Benchmark
  public Map<String, AttributeValue> oursEncryptWithBeacons() {
    return oursWithBeacons.encrypt(item);
  }

  @Benchmark
  public Map<String, AttributeValue> oursEncryptWithoutBeacons() {
    return oursWithoutBeacons.encrypt(item);
  }

  @Benchmark
  public Map<String, AttributeValue> theirsEncryptWithBeacons() {
    return theirsWithBeacons.PutItemInputTransform(PutItemInputTransformInput.builder().sdkInput(PutItemRequest
        .builder().tableName(TABLE).item(item).build()).build()).transformedInput().item();
  }

  @Benchmark
  public Map<String, AttributeValue> theirsEncryptWithoutBeacons() {
    return theirsWithoutBeacons.PutItemInputTransform(PutItemInputTransformInput.builder().sdkInput(PutItemRequest
        .builder().tableName(TABLE).item(item).build()).build()).transformedInput().item();
  }

  @Benchmark
  public QueryRequest oursRewriteQuery() {
    return interceptor.sentQuery(QueryRequest.builder().tableName(TABLE).indexName("email-index")
        .keyConditionExpression("email = :e").expressionAttributeValues(queryValues).build());
  }

  @Benchmark
  public QueryRequest theirsRewriteQuery() {
    return theirsWithBeacons.QueryInputTransform(QueryInputTransformInput.builder().sdkInput(QueryRequest.builder()
        .tableName(TABLE).indexName("email-index").keyConditionExpression("email = :e")
        .expressionAttributeValues(queryValues).build()).build()).transformedInput();
  }

  @Benchmark
  public List<Map<String, AttributeValue>> plaintextQuery() {
    return raw.query(b -> b.tableName(PLAIN_TABLE).indexName("email-index").keyConditionExpression("email = :e")
        .expressionAttributeValues(queryValues)).items();
  }

  @Benchmark
  public List<Map<String, AttributeValue>> oursQuery() {
    return ours.query(b -> b.tableName(TABLE).indexName("email-index").keyConditionExpression("email = :e")
        .expressionAttributeValues(queryValues)).items();
  }

  @Benchmark
  public List<Map<String, AttributeValue>> theirsQuery() {
    return theirs.query(b -> b.tableName(TABLE).indexName("email-index").keyConditionExpression("email = :e")
        .expressionAttributeValues(queryValues)).items();
  }
}
