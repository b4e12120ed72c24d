package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.TableConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@code envelope inventory dynamodb://TABLE} on the DynamoDB emulator behind local AWS: items in the Database
 * Encryption SDK's format and in Envelope's own, and plaintext ones, counted per key from a scan that projects only
 * keys and headers; one scan cut into segments adds up to the whole.
 */
class TableCommandsTest {
  private static final String TABLE = "Orders-" + Long.toHexString(System.nanoTime());
  private static final int DBE_ITEMS = 9;
  private static final int V1_ITEMS = 5;
  private static final int PLAIN_ITEMS = 4;
  private static String keyA;
  private static String keyB;

  @TempDir
  Path dir;

  @BeforeAll
  static void fill() {
    keyA = Cli.newKmsKey("table A");
    keyB = Cli.newKmsKey("table B");
    DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(Cli.aws().endpoint())
        .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    dynamoDb.createTable(b -> b.tableName(TABLE).billingMode("PAY_PER_REQUEST")
        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    write(dynamoDb, ItemStorageFormat.DB_ESDK, keyA, "dbe-", DBE_ITEMS);
    write(dynamoDb, ItemStorageFormat.ENVELOPE_V1, keyB, "v1-\u00fcber-", V1_ITEMS);
    for (int i = 0; i < PLAIN_ITEMS; i++) {
      String pk = "plain-" + i;
      dynamoDb.putItem(b -> b.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(pk),
          "note", AttributeValue.fromS("clear"))));
    }
  }

  private static void write(DynamoDbClient dynamoDb, ItemStorageFormat format, String arn, String prefix, int n) {
    write(dynamoDb, TABLE, format, arn, prefix, n);
  }

  private static void write(DynamoDbClient dynamoDb, String table, ItemStorageFormat format, String arn,
      String prefix, int n) {
    ItemEncryptor encryptor = ItemEncryptor.create(TableConfig.builder().tableName(table).partitionKeyName("pk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).format(format)
        .keyring(KmsKeyring.create(Cli.kms(), arn)).build());
    for (int i = 0; i < n; i++) {
      Map<String, AttributeValue> item = encryptor.encrypt(Map.of("pk", AttributeValue.fromS(prefix + i),
          "card", AttributeValue.fromS("4111-" + i)));
      dynamoDb.putItem(b -> b.tableName(table).item(item));
    }
  }

  @Test
  void countsItemsPerKeyFromTheirHeaders() throws IOException {
    Path manifest = dir.resolve("items.jsonl");
    Cli.Result result = Cli.run("--output", "json", "inventory", "dynamodb://" + TABLE, "--endpoint-url",
        Cli.endpoint(), "--key", keyA, "--manifest", manifest.toString());
    assertEquals(ExitCode.OK, result.code(), result.toString());
    JsonNode doc = Json.MAPPER.readTree(result.out());
    assertEquals(DBE_ITEMS + V1_ITEMS + PLAIN_ITEMS, doc.get("items").asInt(), result.out());
    assertEquals(DBE_ITEMS, doc.at("/keys/" + pointer(keyA) + "/items").asInt());
    assertEquals(V1_ITEMS, doc.at("/keys/" + pointer(keyB) + "/items").asInt());
    assertEquals(PLAIN_ITEMS, doc.at("/keys/(unencrypted)/items").asInt());
    assertEquals(DBE_ITEMS, doc.get("selected").asInt());
    List<String> lines = Files.readAllLines(manifest);
    assertEquals(DBE_ITEMS, lines.size());
    JsonNode first = Json.MAPPER.readTree(lines.get(0));
    assertEquals("DB_ESDK", first.get("format").asText());
    assertTrue(first.at("/key/pk").asText().startsWith("dbe-"), lines.get(0));
  }

  @Test
  void segmentsAcrossRunsAddUpToTheWholeTable() throws IOException {
    int total = 0;
    for (int segment = 0; segment < 3; segment++) {
      Cli.Result part = Cli.run("--output", "json", "inventory", "dynamodb://" + TABLE, "--endpoint-url",
          Cli.endpoint(), "--segment", Integer.toString(segment), "--total-segments", "3");
      assertEquals(ExitCode.OK, part.code(), part.toString());
      total += Json.MAPPER.readTree(part.out()).get("items").asInt();
    }
    assertEquals(DBE_ITEMS + V1_ITEMS + PLAIN_ITEMS, total);
    Cli.Result half = Cli.run("inventory", "dynamodb://" + TABLE, "--segment", "3", "--total-segments", "3");
    assertEquals(ExitCode.USAGE, half.code(), half.toString());
    Cli.Result missing = Cli.run("inventory", "dynamodb://NoSuchTable", "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.FAILED, missing.code(), missing.toString());
    assertTrue(missing.err().contains("NoSuchTable"), missing.err());
  }

  @Test
  void inspectAnItemsHeader() throws IOException {
    Cli.Result result = Cli.run("inspect", "dynamodb://" + TABLE + "/pk=dbe-2", "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.OK, result.code(), result.toString());
    JsonNode doc = Json.MAPPER.readTree(result.out());
    assertEquals("DB_ESDK", doc.get("format").asText());
    assertEquals(keyA, doc.at("/wrappingKeys/0").asText());
    assertEquals("dbe-2", doc.at("/item/pk").asText());
    Cli.Result v1 = Cli.run("inspect", "dynamodb://" + TABLE + "/pk=v1-\u00fcber-1", "--endpoint-url",
        Cli.endpoint());
    assertEquals("ENVELOPE_V1", Json.MAPPER.readTree(v1.out()).get("format").asText(), v1.toString());
    Cli.Result missing = Cli.run("inspect", "dynamodb://" + TABLE + "/pk=nothing", "--endpoint-url",
        Cli.endpoint());
    assertEquals(ExitCode.FAILED, missing.code());
    assertTrue(missing.err().contains("no item {pk=nothing}"), missing.err());
    Cli.Result badKey = Cli.run("inspect", "dynamodb://" + TABLE + "/colour=blue", "--endpoint-url",
        Cli.endpoint());
    assertEquals(ExitCode.USAGE, badKey.code(), badKey.toString());
  }

  @Test
  void rekeyAndMigrateRewriteItemsUnderTheNewKeyConditionally() throws IOException {
    DynamoDbClient dynamoDb = client();
    String table = newTable(dynamoDb, "Rekey");
    String oldKey = Cli.newKmsKey("items old");
    String otherKey = Cli.newKmsKey("items other");
    String newKey = Cli.newKmsKey("items new");
    write(dynamoDb, table, ItemStorageFormat.DB_ESDK, oldKey, "old-", 6);
    write(dynamoDb, table, ItemStorageFormat.DB_ESDK, otherKey, "other-", 3);
    write(dynamoDb, table, ItemStorageFormat.ENVELOPE_V1, otherKey, "v1-", 2);
    dynamoDb.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("plain"),
        "card", AttributeValue.fromS("4111-plain"))));
    Path config = Files.writeString(dir.resolve("orders.json"),
        "{\"partitionKey\": \"pk\", \"attributeActions\": {\"card\": \"ENCRYPT_AND_SIGN\"}}");

    Cli.Result dry = Cli.run("rekey", "dynamodb://" + table, "--endpoint-url", Cli.endpoint(), "--table-config",
        config.toString(), "--from", oldKey, "--to", "key=" + newKey, "--dry-run");
    assertEquals(ExitCode.OK, dry.code(), dry.toString());
    assertTrue(dry.out().contains("6 of 12 items depend on " + oldKey), dry.out());

    // two runs, one segment each, as two machines would share the table
    int[] sums = new int[4];
    Cli.Result rekey = null;
    for (int segment = 0; segment < 2; segment++) {
      rekey = Cli.run("--output", "json", "rekey", "dynamodb://" + table, "--endpoint-url", Cli.endpoint(),
          "--table-config", config.toString(), "--from", oldKey, "--to", "key=" + newKey, "--segment",
          Integer.toString(segment), "--total-segments", "2", "--checkpoint",
          dir.resolve("table-" + segment + ".ckpt").toString());
      JsonNode part = Json.MAPPER.readTree(rekey.out());
      sums[0] += part.get("rekeyed").asInt();
      sums[1] += part.get("fromPlaintext").asInt();
      sums[2] += part.get("alreadyCurrent").asInt();
      sums[3] += part.get("failed").asInt();
    }
    JsonNode result = Json.MAPPER.valueToTree(Map.of("rekeyed", sums[0], "fromPlaintext", sums[1],
        "alreadyCurrent", sums[2], "failed", sums[3]));
    // the V1 items are under a key this run cannot use: they fail (named in the audit log), the rest is done
    assertTrue(rekey.code() == ExitCode.PARTIAL || rekey.code() == ExitCode.OK, rekey.toString());
    assertEquals(6, result.get("rekeyed").asInt(), result.toString());
    assertEquals(1, result.get("fromPlaintext").asInt());
    assertEquals(3, result.get("alreadyCurrent").asInt());
    assertEquals(2, result.get("failed").asInt());

    Cli.Result migrate = Cli.run("--output", "json", "migrate", "dynamodb://" + table, "--endpoint-url",
        Cli.endpoint(), "--table-config", config.toString(), "--from", otherKey, "--to", "key=" + newKey);
    assertEquals(ExitCode.OK, migrate.code(), migrate.toString());
    assertEquals(5, Json.MAPPER.readTree(migrate.out()).get("rekeyed").asInt(), migrate.out());

    Cli.Result after = Cli.run("--output", "json", "inventory", "dynamodb://" + table, "--endpoint-url",
        Cli.endpoint());
    JsonNode doc = Json.MAPPER.readTree(after.out());
    assertEquals(12, doc.at("/keys/" + pointer(newKey) + "/items").asInt(), after.out());
    Cli.kms().disableKey(b -> b.keyId(oldKey));
    Cli.kms().disableKey(b -> b.keyId(otherKey));
    ItemEncryptor reader = ItemEncryptor.create(TableConfig.builder().tableName(table).partitionKeyName("pk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).keyring(KmsKeyring.create(Cli.kms(), newKey))
        .build());
    Map<String, AttributeValue> old3 = dynamoDb.getItem(b -> b.tableName(table)
        .key(Map.of("pk", AttributeValue.fromS("old-3")))).item();
    assertEquals("4111-3", reader.decrypt(old3).get("card").s());
    Map<String, AttributeValue> plain = dynamoDb.getItem(b -> b.tableName(table)
        .key(Map.of("pk", AttributeValue.fromS("plain")))).item();
    assertEquals("4111-plain", reader.decrypt(plain).get("card").s());
  }

  @Test
  void rekeyByHeaderMovesItemsWithoutTouchingTheirValues() throws IOException {
    DynamoDbClient dynamoDb = client();
    String table = newTable(dynamoDb, "RekeyHeader");
    String oldKey = Cli.newKmsKey("header old");
    String newKey = Cli.newKmsKey("header new");
    write(dynamoDb, table, ItemStorageFormat.DB_ESDK, oldKey, "item-", 5);
    Map<String, AttributeValue> itemKey = Map.of("pk", AttributeValue.fromS("item-2"));
    Map<String, AttributeValue> before = dynamoDb.getItem(b -> b.tableName(table).key(itemKey)).item();
    Path config = Files.writeString(dir.resolve("header.json"),
        "{\"partitionKey\": \"pk\", \"attributeActions\": {\"card\": \"ENCRYPT_AND_SIGN\"}}");
    Path audit = dir.resolve("audit.jsonl");

    Cli.Result rekey = Cli.run("--output", "json", "rekey", "dynamodb://" + table, "--endpoint-url", Cli.endpoint(),
        "--table-config", config.toString(), "--from", oldKey, "--to", "key=" + newKey, "--method", "header",
        "--audit-log", audit.toString());
    assertEquals(ExitCode.OK, rekey.code(), rekey.toString());
    assertEquals(5, Json.MAPPER.readTree(rekey.out()).get("rekeyed").asInt(), rekey.out());
    List<String> events = Files.readAllLines(audit);
    assertEquals(5, events.stream().filter(line -> line.contains("\"REWRAP\"")).count(), events.toString());
    assertTrue(events.stream().noneMatch(line -> line.contains("4111-")), "no plaintext in the audit log");

    Cli.kms().disableKey(b -> b.keyId(oldKey));
    Map<String, AttributeValue> after = dynamoDb.getItem(b -> b.tableName(table).key(itemKey)).item();
    assertEquals(before.get("card"), after.get("card"), "the encrypted value is the one written before");
    ItemEncryptor reader = ItemEncryptor.create(TableConfig.builder().tableName(table).partitionKeyName("pk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).keyring(KmsKeyring.create(Cli.kms(), newKey))
        .build());
    assertEquals("4111-2", reader.decrypt(after).get("card").s());
  }

  /**
   * A table checkpoint holds a position per segment of one cut of the scan. Resumed under another cut (another
   * --parallel), whole ranges would be taken as done and a re-key would say it finished with items still on the
   * old key: it is refused, and resumed under its own cut it finishes the table.
   */
  @Test
  void aTableCheckpointResumesOnlyTheScanItWasCutFor() throws IOException {
    DynamoDbClient dynamoDb = client();
    String table = newTable(dynamoDb, "Cut");
    String oldKey = Cli.newKmsKey("cut old");
    String newKey = Cli.newKmsKey("cut new");
    int items = 40;
    write(dynamoDb, table, ItemStorageFormat.DB_ESDK, oldKey, "cut-", items);
    Path config = Files.writeString(dir.resolve("cut.json"),
        "{\"partitionKey\": \"pk\", \"attributeActions\": {\"card\": \"ENCRYPT_AND_SIGN\"}}");
    Path checkpoint = dir.resolve("cut.checkpoint");
    String[] base = {"--output", "json", "rekey", "dynamodb://" + table, "--endpoint-url", Cli.endpoint(),
        "--table-config", config.toString(), "--from", oldKey, "--to", "key=" + newKey, "--checkpoint",
        checkpoint.toString()};

    Cli.Result quarter = Cli.run(Cli.concat(base, "--segment", "0", "--total-segments", "4"));
    assertEquals(ExitCode.OK, quarter.code(), quarter.toString());
    int first = Json.MAPPER.readTree(quarter.out()).get("rekeyed").asInt();
    assertTrue(first > 0 && first < items, quarter.out());

    Cli.Result otherCut = Cli.run(Cli.concat(base, "--parallel", "2"));
    assertEquals(ExitCode.USAGE, otherCut.code(), otherCut.toString());
    assertTrue(otherCut.err().contains("cut into 4 segments, and this migration scans in 2"), otherCut.err());
    assertTrue(otherCut.err().contains("--parallel 4"), otherCut.err());
    assertEquals(items - first, onKey(table, oldKey), "a refused run changes nothing");

    Cli.Result rest = Cli.run(Cli.concat(base, "--parallel", "4"));
    assertEquals(ExitCode.OK, rest.code(), rest.toString());
    assertEquals(items - first, Json.MAPPER.readTree(rest.out()).get("rekeyed").asInt(), rest.out());
    assertEquals(0, onKey(table, oldKey));
    assertEquals(items, onKey(table, newKey));
  }

  private static int onKey(String table, String arn) throws IOException {
    Cli.Result inventory = Cli.run("--output", "json", "inventory", "dynamodb://" + table, "--endpoint-url",
        Cli.endpoint());
    return Json.MAPPER.readTree(inventory.out()).at("/keys/" + pointer(arn) + "/items").asInt();
  }

  /** A new table keyed by the string {@code pk}, for a test that changes its items. */
  private static String newTable(DynamoDbClient dynamoDb, String prefix) {
    String table = prefix + "-" + Long.toHexString(System.nanoTime());
    dynamoDb.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    return table;
  }

  private static DynamoDbClient client() {
    return DynamoDbClient.builder().endpointOverride(Cli.aws().endpoint())
        .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
