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
    ItemEncryptor encryptor = ItemEncryptor.create(TableConfig.builder().tableName(TABLE).partitionKeyName("pk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).format(format)
        .keyring(KmsKeyring.create(Cli.kms(), arn)).build());
    for (int i = 0; i < n; i++) {
      Map<String, AttributeValue> item = encryptor.encrypt(Map.of("pk", AttributeValue.fromS(prefix + i),
          "card", AttributeValue.fromS("4111-" + i)));
      dynamoDb.putItem(b -> b.tableName(TABLE).item(item));
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

  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
