package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * A table in the DB_ESDK item format through the interceptor, on the DynamoDB emulator: every item call writes
 * items the AWS Database Encryption SDK 3.9.0 decrypts straight from the table, items it writes are read through
 * every call, and items of the first format on the same table stay readable.
 */
class DbeFormatTableTest {
  private static String table;
  private static DynamoDbClient ddb;
  private static DynamoDbClient raw;
  private static InMemoryAuditSink audit;
  private static DynamoDbItemEncryptor theirs;

  private static TableConfig.Builder config(String name) {
    return TableConfig.builder().tableName(name).partitionKeyName("pk").sortKeyName("sk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).attributeAction("note", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("status", CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)
        .unsignedAttributePrefix("_").keyring(DdbTestParts.aesKeyring());
  }

  @BeforeAll
  static void start() {
    table = DdbTestParts.createTable("dbe", "pk", "sk");
    audit = new InMemoryAuditSink();
    ddb = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(config(table).format(ItemStorageFormat.DB_ESDK).auditSink(audit).build()).build());
    raw = DdbTestParts.rawClient();
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build();
    IKeyring keyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ddb-tests")
        .keyName("aes-1").wrappingKey(ByteBuffer.wrap(DdbTestParts.AES_KEY))
        .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
    Map<String, software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction> actions =
        new HashMap<>();
    config(table).format(ItemStorageFormat.DB_ESDK).build().attributeActions().forEach((name, action) -> actions.put(name,
        software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction.valueOf(action.name())));
    theirs = DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(table).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(actions)
        .allowedUnsignedAttributePrefix("_").keyring(keyring)
        .algorithmSuiteId(software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId
            .ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384).build()).build();
  }

  private static Map<String, AttributeValue> item(String pk, int sk) {
    return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Integer.toString(sk)),
        "card", AttributeValue.fromS("4111-" + pk + "-" + sk), "note", AttributeValue.fromL(List.of(
            AttributeValue.fromS("fragile"), AttributeValue.fromN("3"))),
        "status", AttributeValue.fromS("PAID"), "_ttl", AttributeValue.fromN("1767225600"));
  }

  private static Map<String, AttributeValue> key(String pk, int sk) {
    return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Integer.toString(sk)));
  }

  private static Map<String, AttributeValue> stored(String pk, int sk) {
    return raw.getItem(b -> b.tableName(table).key(key(pk, sk))).item();
  }

  private static Map<String, AttributeValue> theirDecrypt(Map<String, AttributeValue> stored) {
    return theirs.DecryptItem(DecryptItemInput.builder().encryptedItem(stored).build()).plaintextItem();
  }

  @Test
  void everyWriteCallStoresItemsTheAwsLibraryReads() {
    ddb.putItem(b -> b.tableName(table).item(item("put", 1)));
    ddb.batchWriteItem(b -> b.requestItems(Map.of(table, List.of(
        WriteRequest.builder().putRequest(PutRequest.builder().item(item("batch", 1)).build()).build(),
        WriteRequest.builder().putRequest(PutRequest.builder().item(item("batch", 2)).build()).build()))));
    ddb.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().put(Put.builder().tableName(table)
        .item(item("transact", 1)).build()).build()));
    for (String[] written : new String[][] {{"put", "1"}, {"batch", "1"}, {"batch", "2"}, {"transact", "1"}}) {
      Map<String, AttributeValue> stored = stored(written[0], Integer.parseInt(written[1]));
      assertTrue(stored.containsKey("aws_dbe_head") && stored.containsKey("aws_dbe_foot"), stored.keySet()::toString);
      assertEquals(AttributeValue.Type.B, stored.get("card").type(), "card is stored encrypted");
      assertEquals(item(written[0], Integer.parseInt(written[1])), theirDecrypt(stored));
    }
    AuditEvent put = audit.events().get(0);
    assertEquals("0x6700", put.suite().orElseThrow());
    assertEquals(List.of("ddb-tests/aes-1"), put.wrappingKeyIds());
  }

  @Test
  void itemsTheAwsLibraryWritesAreReadThroughEveryReadCall() {
    for (int sk = 0; sk <= 3; sk++) {
      Map<String, AttributeValue> plain = item("theirs", sk);
      raw.putItem(b -> b.tableName(table).item(theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(plain)
          .build()).encryptedItem()));
    }
    assertEquals(item("theirs", 2), ddb.getItem(b -> b.tableName(table).key(key("theirs", 2))).item());
    assertEquals(4, ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("theirs")))).items().size());
    // Other tests leave a tampered item in the table: scan only this test's partition.
    assertTrue(ddb.scan(b -> b.tableName(table).filterExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("theirs")))).items().contains(item("theirs", 3)));
    assertEquals(item("theirs", 1), ddb.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder()
        .keys(key("theirs", 1)).build()))).responses().get(table).get(0));
    assertEquals(item("theirs", 3), ddb.transactGetItems(b -> b.transactItems(TransactGetItem.builder()
        .get(g -> g.tableName(table).key(key("theirs", 3))).build())).responses().get(0).item());
  }

  @Test
  void itemsOfTheFirstFormatOnTheSameTableStayReadable() {
    DynamoDbClient firstFormat = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
        .table(config(table).attributeAction("status", CryptoAction.SIGN_ONLY).format(ItemStorageFormat.ENVELOPE_V1)
            .build()).build());
    firstFormat.putItem(b -> b.tableName(table).item(item("old", 1)));
    assertTrue(stored("old", 1).containsKey(ItemFormat.HEADER_ATTRIBUTE));
    assertEquals(item("old", 1), ddb.getItem(b -> b.tableName(table).key(key("old", 1))).item());
  }

  @Test
  void aChangedIncludedAttributeIsRefusedNamingTheItem() {
    ddb.putItem(b -> b.tableName(table).item(item("tamper", 1)));
    raw.updateItem(b -> b.tableName(table).key(key("tamper", 1)).updateExpression("SET #s = :v")
        .expressionAttributeNames(Map.of("#s", "status"))
        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("REFUNDED"))));
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> ddb.getItem(b -> b.tableName(table).key(key("tamper", 1))));
    assertEquals(dev.envelope.core.NoKeyringCouldDecryptException.class, e.getClass(), e.toString());
    assertThrows(RuntimeException.class, () -> theirDecrypt(stored("tamper", 1)));
  }

  @Test
  void aRequestNamingTheTableByArnWritesAndReadsTheSameItems() {
    String arn = raw.describeTable(b -> b.tableName(table)).table().tableArn();
    ddb.putItem(b -> b.tableName(arn).item(item("by-arn", 1)));
    Map<String, AttributeValue> stored = stored("by-arn", 1);
    assertEquals(item("by-arn", 1), theirDecrypt(stored), "the table's name is what the item binds, as theirs");
    assertEquals(item("by-arn", 1), ddb.getItem(b -> b.tableName(table).key(key("by-arn", 1))).item());
    assertEquals(item("by-arn", 1), ddb.getItem(b -> b.tableName(arn).key(key("by-arn", 1))).item());
  }

  @Test
  void writesOfTheFormatsOwnAttributesAreRefusedOnEveryWriteCall() {
    Map<String, AttributeValue> forged = new HashMap<>(item("forged", 1));
    forged.put("aws_dbe_b_card", AttributeValue.fromS("0000"));
    UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class,
        () -> ddb.putItem(b -> b.tableName(table).item(forged)));
    assertEquals("PutItem on encrypted table " + table + " writes attribute 'aws_dbe_b_card', a name the DB-ESDK "
        + "format keeps for its own attributes (header, footer, beacons): rename the attribute", e.getMessage());
    assertThrows(UnsupportedRequestException.class, () -> ddb.batchWriteItem(b -> b.requestItems(Map.of(table,
        List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(forged).build()).build())))));
    assertThrows(UnsupportedRequestException.class, () -> ddb.transactWriteItems(b -> b.transactItems(
        TransactWriteItem.builder().put(Put.builder().tableName(table).item(forged).build()).build())));
    assertThrows(UnsupportedRequestException.class, () -> ddb.updateItem(b -> b.tableName(table)
        .key(key("forged", 1)).updateExpression("SET aws_dbe_b_card = :v")
        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("0000")))));
    assertEquals(null, raw.getItem(b -> b.tableName(table).key(key("forged", 1))).item().get("pk"),
        "nothing was written");
  }

  @Test
  void settingsTheFormatCannotExpressAreRefusedWithTheReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("tbl1")
        .format(ItemStorageFormat.DB_ESDK).encryptionContext(Map.of("tenant", "a")).build());
    assertEquals("Table tbl1: the DB_ESDK item format has no extra encryption context (the AWS library binds the "
        + "table and keys only); bind attribute values with SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT instead",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("tbl1").format(ItemStorageFormat.ENVELOPE_V1)
        .build());
    assertEquals("Table tbl1: SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT exists only in the DB_ESDK item format; set "
        + "format(ItemStorageFormat.DB_ESDK)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("tbl1").format(ItemStorageFormat.DB_ESDK)
        .materialsManager(dev.envelope.core.cache.CachingMaterialsManager.builder().keyring(DdbTestParts.aesKeyring())
            .maxAge(java.time.Duration.ofMinutes(1)).maxMessagesPerKey(10).build()).build());
    assertTrue(e.getMessage().startsWith("Table tbl1: the DB_ESDK item format needs a keyring"), e.getMessage());
  }
}
