package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.envelope.dynamodb.enhanced.DynamoDbEncryptionExtension;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactGetItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.enhancedclient.CreateDynamoDbEncryptionInterceptorInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.enhancedclient.DynamoDbEnhancedClientEncryption;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.enhancedclient.DynamoDbEnhancedTableEncryptionConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The Enhanced Client on both sides: one bean table written and read through our extension and through the AWS
 * Database Encryption SDK 3.9.0's own Enhanced Client integration (its interceptor built from the bean schema),
 * the same bean with both libraries' annotations. Every Enhanced Client call each side has (put, get, query, scan,
 * batch write and get, transact write and get) reads what the other wrote.
 */
class EnhancedClientInteropTest {
  private static final TableSchema<Account> SCHEMA = TableSchema.fromBean(Account.class);
  private static String tableName;
  private static DynamoDbTable<Account> ours;
  private static DynamoDbTable<Account> theirs;
  private static DynamoDbEnhancedClient ourClient;
  private static DynamoDbEnhancedClient theirClient;
  private static DynamoDbClient raw;

  @BeforeAll
  static void start() {
    tableName = DdbTestParts.createTable("accounts", "owner", "number");
    raw = DdbTestParts.rawClient();
    ourClient = DynamoDbEnhancedClient.builder().dynamoDbClient(raw).extensions(DynamoDbEncryptionExtension.builder()
        .keyring(DdbTestParts.aesKeyring()).build()).build();
    ours = ourClient.table(tableName, SCHEMA);
    var keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ddb-tests").keyName("aes-1")
            .wrappingKey(ByteBuffer.wrap(DdbTestParts.AES_KEY)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
            .build());
    DynamoDbClient theirLowLevel = DdbTestParts.client(DynamoDbEnhancedClientEncryption
        .CreateDynamoDbEncryptionInterceptor(CreateDynamoDbEncryptionInterceptorInput.builder()
            .tableEncryptionConfigs(Map.of(tableName, DynamoDbEnhancedTableEncryptionConfig.builder()
                .logicalTableName(tableName).keyring(keyring).schemaOnEncrypt(SCHEMA)
                .allowedUnsignedAttributes(List.of("note")).build())).build()));
    theirClient = DynamoDbEnhancedClient.builder().dynamoDbClient(theirLowLevel).build();
    theirs = theirClient.table(tableName, SCHEMA);
  }

  private static Account account(String owner, int number) {
    return Account.of(owner, number, "DE89 3704 0044 " + owner + number, number + ".50", "Berlin", "left as is");
  }

  @Test
  void putAndGetCrossBothWays() {
    ours.putItem(account("ann", 1));
    theirs.putItem(account("bob", 1));
    assertEquals(account("ann", 1), theirs.getItem(Key.builder().partitionValue("ann").sortValue(1).build()));
    assertEquals(account("bob", 1), ours.getItem(Key.builder().partitionValue("bob").sortValue(1).build()));
    Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(tableName).key(Map.of(
        "owner", AttributeValue.fromS("ann"), "number", AttributeValue.fromN("1")))).item();
    assertEquals(AttributeValue.Type.B, stored.get("iban").type(), "encrypted by default");
    assertEquals("Berlin", stored.get("branch").s(), "SIGN_ONLY in the clear");
    assertNull(stored.get("balance").n(), "encrypted");
  }

  @Test
  void queryAndScanReadTheOtherSidesItems() {
    for (int i = 1; i <= 3; i++) {
      (i % 2 == 0 ? ours : theirs).putItem(account("carol", i));
    }
    for (DynamoDbTable<Account> side : List.of(ours, theirs)) {
      List<Account> found = side.query(QueryConditional.keyEqualTo(k -> k.partitionValue("carol"))).items().stream()
          .toList();
      assertEquals(List.of(account("carol", 1), account("carol", 2), account("carol", 3)), found);
      List<Account> scanned = side.scan().items().stream().filter(a -> a.getOwner().equals("carol"))
          .sorted(Comparator.comparingInt(Account::getNumber)).toList();
      assertEquals(found, scanned);
    }
  }

  @Test
  void batchAndTransactCallsReadTheOtherSidesItems() {
    ourClient.batchWriteItem(b -> b.writeBatches(WriteBatch.builder(Account.class).mappedTableResource(ours)
        .addPutItem(account("dave", 1)).addPutItem(account("dave", 2)).build()));
    theirClient.transactWriteItems(TransactWriteItemsEnhancedRequest.builder()
        .addPutItem(theirs, account("dave", 3)).build());
    var batch = theirClient.batchGetItem(b -> b.readBatches(ReadBatch.builder(Account.class)
        .mappedTableResource(theirs).addGetItem(Key.builder().partitionValue("dave").sortValue(1).build())
        .addGetItem(Key.builder().partitionValue("dave").sortValue(2).build()).build()));
    assertEquals(List.of(account("dave", 1), account("dave", 2)), batch.resultsForTable(theirs).stream()
        .sorted(Comparator.comparingInt(Account::getNumber)).toList());
    var transacted = ourClient.transactGetItems(TransactGetItemsEnhancedRequest.builder()
        .addGetItem(ours, Key.builder().partitionValue("dave").sortValue(3).build()).build());
    assertEquals(account("dave", 3), transacted.get(0).getItem(ours));
  }
}
