package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.ItemCollectionSizeLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Secondary indexes (global and local: sparse, projected, ordered by their own keys, paged by table and index
 * key), UpdateTable, parallel Scan, reserved words and the item collection limit of tables with a local index.
 */
abstract class IndexesContract extends EmulatorContract {
  /** Small enough for a test to reach; DynamoDB's is 10 GB. */
  private static final long COLLECTION_LIMIT = 4096;

  @Override
  DynamoDbEmulator.Builder configure(DynamoDbEmulator.Builder builder) {
    return builder.itemCollectionSizeLimit(COLLECTION_LIMIT);
  }

  private static KeySchemaElement hash(String name) {
    return KeySchemaElement.builder().attributeName(name).keyType(KeyType.HASH).build();
  }

  private static KeySchemaElement range(String name) {
    return KeySchemaElement.builder().attributeName(name).keyType(KeyType.RANGE).build();
  }

  private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  private static Projection projection(ProjectionType type, String... included) {
    Projection.Builder b = Projection.builder().projectionType(type);
    if (included.length > 0) {
      b.nonKeyAttributes(included);
    }
    return b.build();
  }

  /** Orders: customer + order id; by state and price (GSI, KEYS_ONLY), by price (GSI, INCLUDE note), by day (LSI). */
  private static CreateTableRequest orders() {
    return CreateTableRequest.builder().tableName("Orders").billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(hash("customer"), range("orderId"))
        .attributeDefinitions(attribute("customer", ScalarAttributeType.S), attribute("orderId", ScalarAttributeType.S),
            attribute("state", ScalarAttributeType.S), attribute("price", ScalarAttributeType.N),
            attribute("day", ScalarAttributeType.S))
        .globalSecondaryIndexes(
            GlobalSecondaryIndex.builder().indexName("byState").keySchema(hash("state"), range("price"))
                .projection(projection(ProjectionType.KEYS_ONLY)).build(),
            GlobalSecondaryIndex.builder().indexName("byPrice").keySchema(hash("price"))
                .projection(projection(ProjectionType.INCLUDE, "note")).build())
        .localSecondaryIndexes(LocalSecondaryIndex.builder().indexName("byDay").keySchema(hash("customer"),
            range("day")).projection(projection(ProjectionType.KEYS_ONLY)).build())
        .build();
  }

  private void put(String customer, String orderId, String state, int total, String day) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("customer", AttributeValue.fromS(customer));
    item.put("orderId", AttributeValue.fromS(orderId));
    if (state != null) {
      item.put("state", AttributeValue.fromS(state));
    }
    item.put("price", AttributeValue.fromN(Integer.toString(total)));
    item.put("day", AttributeValue.fromS(day));
    item.put("note", AttributeValue.fromS("note of " + orderId));
    item.put("secret", AttributeValue.fromS("not projected"));
    ddb.putItem(b -> b.tableName("Orders").item(item));
  }

  @BeforeEach
  void createOrders() {
    ddb.createTable(orders());
    put("alice", "o1", "OPEN", 30, "2026-12-01");
    put("alice", "o2", "SHIPPED", 5, "2026-11-20");
    put("bob", "o3", "OPEN", 100, "2026-10-02");
    put("bob", "o4", "OPEN", 7, "2026-12-02");
    put("carol", "o5", null, 12, "2026-09-09"); // no state: absent from byState (a sparse index)
  }

  private static List<String> orderIds(QueryResponse response) {
    List<String> out = new ArrayList<>();
    response.items().forEach(i -> out.add(i.get("orderId").s()));
    return out;
  }

  @Test
  void describeTableShowsEachIndexWithItsArnProjectionAndCount() {
    TableDescription table = ddb.describeTable(b -> b.tableName("Orders")).table();
    assertEquals(2, table.globalSecondaryIndexes().size());
    assertEquals("byState", table.globalSecondaryIndexes().get(0).indexName());
    assertEquals(table.tableArn() + "/index/byState", table.globalSecondaryIndexes().get(0).indexArn());
    assertEquals("ACTIVE", table.globalSecondaryIndexes().get(0).indexStatusAsString());
    assertEquals(4L, table.globalSecondaryIndexes().get(0).itemCount(), "carol's order has no state");
    assertEquals(List.of("note"), table.globalSecondaryIndexes().get(1).projection().nonKeyAttributes());
    assertEquals(5L, table.localSecondaryIndexes().get(0).itemCount());
    assertEquals(ProjectionType.KEYS_ONLY, table.localSecondaryIndexes().get(0).projection().projectionType());
  }

  @Test
  void aGlobalIndexIsSparseOrderedByItsOwnKeysAndProjectsOnlyWhatItDeclares() {
    QueryResponse open = ddb.query(b -> b.tableName("Orders").indexName("byState")
        .keyConditionExpression("#s = :open AND price > :min").expressionAttributeNames(Map.of("#s", "state"))
        .expressionAttributeValues(values(":open", "OPEN", ":min", 6)));
    assertEquals(List.of("o4", "o1", "o3"), orderIds(open), "ordered by price as a number: 7, 30, 100");
    assertEquals(Set.of("customer", "orderId", "state", "price"), open.items().get(0).keySet(),
        "KEYS_ONLY: the table key and the index key, nothing else");
    QueryResponse byPrice = ddb.query(b -> b.tableName("Orders").indexName("byPrice")
        .keyConditionExpression("price = :t").expressionAttributeValues(values(":t", 12)));
    assertEquals(Set.of("customer", "orderId", "price", "note"), byPrice.items().get(0).keySet(),
        "INCLUDE adds the named attributes; the item without state is in this index");
    assertEquals(4, ddb.scan(b -> b.tableName("Orders").indexName("byState")).count());

    put("carol", "o5", "OPEN", 12, "2026-09-09");
    assertEquals(List.of("o4", "o5", "o1", "o3"), orderIds(ddb.query(b -> b.tableName("Orders")
        .indexName("byState").keyConditionExpression("#s = :open").expressionAttributeNames(Map.of("#s", "state"))
        .expressionAttributeValues(values(":open", "OPEN")))), "an update moves the item into the index");
    ddb.deleteItem(b -> b.tableName("Orders").key(values("customer", "bob", "orderId", "o4")));
    assertEquals(List.of("o3", "o1", "o5"), orderIds(ddb.query(b -> b.tableName("Orders").indexName("byState")
        .keyConditionExpression("#s = :open").expressionAttributeNames(Map.of("#s", "state"))
        .expressionAttributeValues(values(":open", "OPEN")).scanIndexForward(false))));
  }

  @Test
  void indexPagesNameTheTableKeyAndTheIndexKeyAndResumeWhereTheyEnded() {
    List<String> seen = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page = ddb.query(b -> b.tableName("Orders").indexName("byState").limit(2)
          .keyConditionExpression("#s = :open").expressionAttributeNames(Map.of("#s", "state"))
          .expressionAttributeValues(values(":open", "OPEN")).exclusiveStartKey(from));
      seen.addAll(orderIds(page));
      if (page.hasLastEvaluatedKey()) {
        assertEquals(Set.of("customer", "orderId", "state", "price"), page.lastEvaluatedKey().keySet());
      }
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    assertEquals(List.of("o4", "o1", "o3"), seen);
  }

  @Test
  void aLocalIndexSortsByItsKeyAndFetchesWhatItDoesNotProjectWhenAsked() {
    QueryResponse recent = ddb.query(b -> b.tableName("Orders").indexName("byDay")
        .keyConditionExpression("customer = :c AND #d >= :from").expressionAttributeNames(Map.of("#d", "day"))
        .expressionAttributeValues(values(":c", "alice", ":from", "2026-11-01")));
    assertEquals(List.of("o2", "o1"), orderIds(recent));
    assertFalse(recent.items().get(0).containsKey("secret"), "KEYS_ONLY by default");
    QueryResponse all = ddb.query(b -> b.tableName("Orders").indexName("byDay").select("ALL_ATTRIBUTES")
        .consistentRead(true).keyConditionExpression("customer = :c").expressionAttributeValues(values(":c", "bob")));
    assertEquals("not projected", all.items().get(0).get("secret").s(), "a local index reads the table for it");
  }

  @Test
  void readsAnIndexCannotServeAreRefusedWithDynamoDbsMessages() {
    assertValidation("Consistent reads are not supported on global secondary indexes", () -> ddb.query(b -> b
        .tableName("Orders").indexName("byState").consistentRead(true).keyConditionExpression("#s = :open")
        .expressionAttributeNames(Map.of("#s", "state")).expressionAttributeValues(values(":open", "OPEN"))));
    assertValidation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
        + "global secondary index byState because its projection type is not ALL", () -> ddb.scan(b -> b
        .tableName("Orders").indexName("byState").select("ALL_ATTRIBUTES")));
    assertValidation("The table does not have the specified index: byNothing", () -> ddb.scan(b -> b
        .tableName("Orders").indexName("byNothing")));
    assertValidation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName", () -> ddb.scan(b -> b
        .tableName("Orders").select("ALL_PROJECTED_ATTRIBUTES")));
    assertValidation("Query condition missed key schema element: state", () -> ddb.query(b -> b.tableName("Orders")
        .indexName("byState").keyConditionExpression("customer = :c").expressionAttributeValues(values(":c", "x"))));
  }

  @Test
  void itemsWithIndexKeysOfTheWrongTypeOrEmptyAreRefusedAndChangeNothing() {
    Map<String, AttributeValue> wrongType = values("customer", "dave", "orderId", "o9", "price", "lots");
    assertValidation("One or more parameter values were invalid: Type mismatch for Index Key price Expected: N "
        + "Actual: S IndexName: byState", () -> ddb.putItem(b -> b.tableName("Orders").item(wrongType)));
    assertValidation("One or more parameter values are not valid. A value specified for a secondary index key is "
        + "not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: "
        + "byState, IndexKey: state", () -> ddb.updateItem(b -> b.tableName("Orders")
        .key(values("customer", "alice", "orderId", "o1")).updateExpression("SET #s = :e")
        .expressionAttributeNames(Map.of("#s", "state")).expressionAttributeValues(values(":e", ""))));
    assertEquals("OPEN", ddb.getItem(b -> b.tableName("Orders").key(values("customer", "alice", "orderId", "o1")))
        .item().get("state").s());
    assertFalse(ddb.getItem(b -> b.tableName("Orders").key(values("customer", "dave", "orderId", "o9"))).hasItem());
  }

  @Test
  void indexDeclarationsAreCheckedAsDynamoDbChecksThem() {
    assertValidation("One or more parameter values were invalid: Table KeySchema does not have a range key, which "
        + "is required when specifying a LocalSecondaryIndex", () -> ddb.createTable(b -> b.tableName("NoSort")
        .keySchema(hash("id")).attributeDefinitions(attribute("id", ScalarAttributeType.S),
            attribute("day", ScalarAttributeType.S))
        .localSecondaryIndexes(l -> l.indexName("byDay").keySchema(hash("id"), range("day"))
            .projection(projection(ProjectionType.ALL)))));
    assertValidation("One or more parameter values were invalid: Index KeySchema does not have the same leading "
        + "hash key as table KeySchema for index: byDay. index hash key: day, table hash key: id", () -> ddb
        .createTable(b -> b.tableName("Other").keySchema(hash("id"), range("sk"))
            .attributeDefinitions(attribute("id", ScalarAttributeType.S), attribute("sk", ScalarAttributeType.S),
                attribute("day", ScalarAttributeType.S))
            .localSecondaryIndexes(l -> l.indexName("byDay").keySchema(hash("day"), range("sk"))
                .projection(projection(ProjectionType.ALL)))));
    assertValidation("One or more parameter values were invalid: Some AttributeDefinitions are not used. "
        + "AttributeDefinitions: [id, unused], keys used: [id]", () -> ddb.createTable(b -> b.tableName("Unused")
        .keySchema(hash("id")).attributeDefinitions(attribute("id", ScalarAttributeType.S),
            attribute("unused", ScalarAttributeType.S))));
    assertValidation("One or more parameter values were invalid: Duplicate index name: twice", () -> ddb
        .createTable(b -> b.tableName("Twice").keySchema(hash("id")).attributeDefinitions(
            attribute("id", ScalarAttributeType.S), attribute("g", ScalarAttributeType.S))
            .globalSecondaryIndexes(g -> g.indexName("twice").keySchema(hash("g"))
                .projection(projection(ProjectionType.ALL)), g -> g.indexName("twice").keySchema(hash("g"))
                .projection(projection(ProjectionType.ALL)))));
    assertValidation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is "
        + "not specified", () -> ddb.createTable(b -> b.tableName("Include").keySchema(hash("id"))
        .attributeDefinitions(attribute("id", ScalarAttributeType.S), attribute("g", ScalarAttributeType.S))
        .globalSecondaryIndexes(g -> g.indexName("byG").keySchema(hash("g"))
            .projection(projection(ProjectionType.INCLUDE)))));
    assertEquals(List.of("Orders"), ddb.listTables().tableNames(), "no refused table was created");
  }

  @Test
  void updateTableCreatesAFilledGlobalIndexDeletesOneAndChangesBillingOneIndexAtATime() {
    ddb.updateTable(b -> b.tableName("Orders").attributeDefinitions(attribute("day", ScalarAttributeType.S))
        .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byDayGlobal").keySchema(hash("day"))
            .projection(projection(ProjectionType.ALL)))));
    QueryResponse day = ddb.query(b -> b.tableName("Orders").indexName("byDayGlobal")
        .keyConditionExpression("#d = :d").expressionAttributeNames(Map.of("#d", "day"))
        .expressionAttributeValues(values(":d", "2026-10-02")));
    assertEquals(List.of("o3"), orderIds(day), "the new index holds the items written before it");
    assertEquals("not projected", day.items().get(0).get("secret").s());

    assertThrows(LimitExceededException.class, () -> ddb.updateTable(b -> b.tableName("Orders")
        .globalSecondaryIndexUpdates(u -> u.delete(d -> d.indexName("byPrice")),
            u -> u.delete(d -> d.indexName("byState")))));
    assertEquals(3, ddb.describeTable(b -> b.tableName("Orders")).table().globalSecondaryIndexes().size());

    ddb.updateTable(b -> b.tableName("Orders").globalSecondaryIndexUpdates(u -> u.delete(d -> d
        .indexName("byPrice"))));
    assertValidation("The table does not have the specified index: byPrice", () -> ddb.scan(b -> b
        .tableName("Orders").indexName("byPrice")));
    TableDescription table = ddb.updateTable(b -> b.tableName("Orders").billingMode(BillingMode.PROVISIONED)
        .provisionedThroughput(t -> t.readCapacityUnits(7L).writeCapacityUnits(3L))).tableDescription();
    assertEquals(BillingMode.PROVISIONED, table.billingModeSummary().billingMode());
    assertEquals(7L, table.provisionedThroughput().readCapacityUnits());
    assertEquals(5L, table.itemCount());
  }

  @Test
  void parallelScanSegmentsSplitTheTableWithoutOverlapOrGap() {
    for (int i = 0; i < 40; i++) {
      put("customer-" + i, "p" + i, "OPEN", i, "2026-01-01");
    }
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (int segment = 0; segment < 4; segment++) {
      int s = segment;
      Map<String, AttributeValue> start = null;
      do {
        Map<String, AttributeValue> from = start;
        var page = ddb.scan(b -> b.tableName("Orders").segment(s).totalSegments(4).limit(7).exclusiveStartKey(from));
        page.items().forEach(i -> seen.add(i.get("orderId").s()));
        total += page.count();
        start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
      } while (start != null);
    }
    assertEquals(45, total, "every item exactly once");
    assertEquals(45, seen.size());
    assertValidation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 "
        + "is out of bounds for TotalSegments: 4", () -> ddb.scan(b -> b.tableName("Orders").segment(4)
        .totalSegments(4)));
    assertValidation("The TotalSegments parameter is required but was not present in the request when Segment "
        + "parameter is present", () -> ddb.scan(b -> b.tableName("Orders").segment(0)));
  }

  @Test
  void reservedWordsAreRefusedInEveryExpressionUnlessAliased() {
    Map<String, AttributeValue> key = values("customer", "alice", "orderId", "o1");
    assertValidation("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: state",
        () -> ddb.deleteItem(b -> b.tableName("Orders").key(key).conditionExpression("state = :s")
            .expressionAttributeValues(values(":s", "OPEN"))));
    assertValidation("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Comment",
        () -> ddb.updateItem(b -> b.tableName("Orders").key(key).updateExpression("SET Comment = :s")
            .expressionAttributeValues(values(":s", "x"))));
    assertValidation("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: day",
        () -> ddb.getItem(b -> b.tableName("Orders").key(key).projectionExpression("note, day")));
    assertValidation("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: day",
        () -> ddb.query(b -> b.tableName("Orders").indexName("byDay").keyConditionExpression("customer = :c AND "
            + "day > :d").expressionAttributeValues(values(":c", "alice", ":d", "2026"))));
    assertEquals("OPEN", ddb.getItem(b -> b.tableName("Orders").key(key).projectionExpression("#s")
        .expressionAttributeNames(Map.of("#s", "state"))).item().get("state").s());
  }

  @Test
  void anItemCollectionOfATableWithALocalIndexStopsAtItsLimit() {
    Map<String, AttributeValue> item = values("customer", "erin", "orderId", "big-1", "day", "2026-01-01");
    item.put("blob", AttributeValue.fromS("x".repeat(1500)));
    ddb.putItem(b -> b.tableName("Orders").item(item));
    item.put("orderId", AttributeValue.fromS("big-2"));
    ddb.putItem(b -> b.tableName("Orders").item(item));
    Map<String, AttributeValue> third = new HashMap<>(item);
    third.put("orderId", AttributeValue.fromS("big-3"));
    assertThrows(ItemCollectionSizeLimitExceededException.class, () -> ddb.putItem(b -> b.tableName("Orders")
        .item(third)));
    TransactionCanceledException e = assertThrows(TransactionCanceledException.class, () -> ddb.transactWriteItems(
        b -> b.transactItems(t -> t.put(p -> p.tableName("Orders").item(third)))));
    assertEquals("ItemCollectionSizeLimitExceeded", e.cancellationReasons().get(0).code());
    assertFalse(ddb.getItem(b -> b.tableName("Orders").key(values("customer", "erin", "orderId", "big-3")))
        .hasItem());
    ddb.putItem(b -> b.tableName("Orders").item(values("customer", "erin", "orderId", "big-1", "day", "2026")));
    ddb.putItem(b -> b.tableName("Orders").item(third));
    assertTrue(ddb.getItem(b -> b.tableName("Orders").key(values("customer", "erin", "orderId", "big-3"))).hasItem(),
        "shrinking the collection makes room again");
  }
}
