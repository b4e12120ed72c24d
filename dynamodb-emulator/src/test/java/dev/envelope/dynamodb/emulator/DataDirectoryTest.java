package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/** Tables kept in a data directory: restored whole after a restart, a torn record dropped, damage refused. */
class DataDirectoryTest {
  @TempDir
  Path directory;

  private DynamoDbEmulator open() {
    return DynamoDbEmulator.builder().dataDirectory(directory).build();
  }

  private static Map<String, AttributeValue> item(String id, String group, int count) {
    return Map.of("id", AttributeValue.fromS(id), "grp", AttributeValue.fromS(group), "n",
        AttributeValue.fromN(Integer.toString(count)));
  }

  private static void createAndFill(DynamoDbClient ddb) {
    ddb.createTable(b -> b.tableName("Kept").billingMode("PAY_PER_REQUEST")
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S),
            a -> a.attributeName("grp").attributeType(ScalarAttributeType.S))
        .globalSecondaryIndexes(g -> g.indexName("byGroup").keySchema(k -> k.attributeName("grp")
            .keyType(KeyType.HASH)).projection(p -> p.projectionType("ALL")))
        .tags(Tag.builder().key("team").value("payments").build()));
    ddb.updateTimeToLive(b -> b.tableName("Kept").timeToLiveSpecification(t -> t.enabled(true)
        .attributeName("expiresAt")));
    for (int i = 0; i < 20; i++) {
      Map<String, AttributeValue> item = item("item-" + i, i % 2 == 0 ? "even" : "odd", i);
      ddb.putItem(b -> b.tableName("Kept").item(item));
    }
    ddb.deleteItem(b -> b.tableName("Kept").key(Map.of("id", AttributeValue.fromS("item-0"))));
    ddb.transactWriteItems(b -> b.transactItems(
        t -> t.update(u -> u.tableName("Kept").key(Map.of("id", AttributeValue.fromS("item-1")))
            .updateExpression("SET n = n + :one").expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))),
        t -> t.put(p -> p.tableName("Kept").item(item("item-99", "odd", 99)))));
  }

  @Test
  void tablesIndexesTtlTagsAndItemsSurviveARestart() {
    TableDescription before;
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      createAndFill(ddb);
      before = ddb.describeTable(b -> b.tableName("Kept")).table();
    }
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      TableDescription after = ddb.describeTable(b -> b.tableName("Kept")).table();
      assertEquals(before.tableId(), after.tableId());
      assertEquals(before.creationDateTime(), after.creationDateTime());
      assertEquals(20L, after.itemCount());
      assertEquals(before.tableSizeBytes(), after.tableSizeBytes());
      assertEquals("2", ddb.getItem(b -> b.tableName("Kept").key(Map.of("id", AttributeValue.fromS("item-1"))))
          .item().get("n").n(), "the transaction's update came back");
      assertFalse(ddb.getItem(b -> b.tableName("Kept").key(Map.of("id", AttributeValue.fromS("item-0")))).hasItem());
      assertEquals(11, ddb.query(b -> b.tableName("Kept").indexName("byGroup").keyConditionExpression("grp = :g")
          .expressionAttributeValues(Map.of(":g", AttributeValue.fromS("odd")))).count());
      assertEquals("expiresAt", ddb.describeTimeToLive(b -> b.tableName("Kept")).timeToLiveDescription()
          .attributeName());
      assertEquals("payments", ddb.listTagsOfResource(b -> b.resourceArn(after.tableArn())).tags().get(0).value());
      ddb.deleteTable(b -> b.tableName("Kept"));
    }
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      assertEquals(List.of(), ddb.listTables().tableNames(), "a deleted table stays deleted");
    }
  }

  private Path journal() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.getFileName().toString().startsWith("journal-")).findFirst().orElseThrow();
    }
  }

  @Test
  void aTornLastRecordIsDroppedAndTheDirectoryWorksOn() throws IOException {
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      createAndFill(ddb);
    }
    // A process killed in the middle of writing a record: it was never acknowledged.
    Files.writeString(journal(), "[{\"put\":\"Kept\",\"item\":{\"id\":{\"S\":\"torn", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      assertEquals(20, ddb.scan(b -> b.tableName("Kept")).count());
      ddb.putItem(b -> b.tableName("Kept").item(item("after-restart", "even", 1)));
    }
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      assertTrue(ddb.getItem(b -> b.tableName("Kept").key(Map.of("id", AttributeValue.fromS("after-restart"))))
          .hasItem());
    }
  }

  @Test
  void aDamagedRecordBeforeTheEndIsRefusedNotSkipped() throws IOException {
    try (DynamoDbEmulator emulator = open(); DynamoDbClient ddb = emulator.client()) {
      createAndFill(ddb);
      ddb.putItem(b -> b.tableName("Kept").item(item("one-more", "odd", 1)));
      ddb.putItem(b -> b.tableName("Kept").item(item("and-another", "odd", 2)));
    }
    Path journal = journal();
    List<String> lines = Files.readAllLines(journal);
    lines.set(0, lines.get(0).substring(0, lines.get(0).length() / 2));
    Files.write(journal, lines);
    IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
    assertEquals("The data directory " + directory + " is damaged: " + journal.getFileName() + " line 1 is not a "
        + "complete record. Restore a backup or remove the directory.", e.getMessage());
  }

  @Test
  void oneEmulatorAtATimeMayUseADirectory() {
    try (DynamoDbEmulator first = open()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
      assertTrue(e.getMessage().startsWith("The data directory " + directory + " is in use by another emulator"),
          e.getMessage());
    }
    open().close(); // released with the first
  }

  @Test
  void aConfigFileSeedsTablesOnceAndARestartKeepsWhatChanged() throws IOException {
    Path config = directory.resolveSibling(directory.getFileName() + "-seed.json");
    Files.writeString(config, """
        {"tables": [{"TableName": "Seeded", "BillingMode": "PAY_PER_REQUEST",
          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
          "Items": [{"id": {"S": "a"}, "n": {"N": "1"}}, {"id": {"S": "b"}}]}]}""");
    try (DynamoDbEmulator emulator = DynamoDbEmulator.builder().dataDirectory(directory).config(config).build();
        DynamoDbClient ddb = emulator.client()) {
      assertEquals(2, ddb.scan(b -> b.tableName("Seeded")).count());
      assertEquals(List.of(), emulator.requests().subList(0, 0));
      ddb.deleteItem(b -> b.tableName("Seeded").key(Map.of("id", AttributeValue.fromS("b"))));
    }
    try (DynamoDbEmulator emulator = DynamoDbEmulator.builder().dataDirectory(directory).config(config).build();
        DynamoDbClient ddb = emulator.client()) {
      assertEquals(1, ddb.scan(b -> b.tableName("Seeded")).count(), "the seed does not undo a change");
    }
    Files.writeString(config, """
        {"tables": [{"TableName": "Bad", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
          "Items": [{"nope": {"S": "x"}}]}]}""");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DynamoDbEmulator.builder().config(config).build());
    assertEquals("The emulator configuration " + config + " has an item (number 0 of table Bad) that DynamoDB would "
        + "refuse: ValidationException: One or more parameter values were invalid: Missing the key id in the item",
        e.getMessage());
  }
}
