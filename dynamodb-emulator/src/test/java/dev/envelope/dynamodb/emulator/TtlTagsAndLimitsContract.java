package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * TTL on the emulator's clock, tags, simulated throttling of batches, and DynamoDB's size limits at their exact
 * boundaries (key sizes, expression sizes).
 */
abstract class TtlTagsAndLimitsContract extends EmulatorContract {
  /** A clock the tests move by hand. */
  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-12-02T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private MovableClock clock;

  @Override
  DynamoDbEmulator.Builder configure(DynamoDbEmulator.Builder builder) {
    clock = new MovableClock();
    return builder.clock(clock);
  }

  @BeforeEach
  void createSessions() {
    ddb.createTable(b -> b.tableName("Sessions").keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
        .billingMode("PAY_PER_REQUEST"));
  }

  private void put(String id, Long expiresAt) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("id", AttributeValue.fromS(id));
    if (expiresAt != null) {
      item.put("expiresAt", AttributeValue.fromN(Long.toString(expiresAt)));
    }
    ddb.putItem(b -> b.tableName("Sessions").item(item));
  }

  private boolean exists(String id) {
    return ddb.getItem(b -> b.tableName("Sessions").key(Map.of("id", AttributeValue.fromS(id)))).hasItem();
  }

  @Test
  void expiredItemsGoOnceTheClockPassesTheirTimeAndOnlyWhileTtlIsEnabled() {
    long now = clock.instant().getEpochSecond();
    put("soon", now + 60);
    put("later", now + 3600);
    put("never", null);
    put("ancient", now - Duration.ofDays(6 * 365).toSeconds()); // over five years old: DynamoDB leaves it alone
    assertEquals(TimeToLiveStatus.DISABLED, ddb.describeTimeToLive(b -> b.tableName("Sessions"))
        .timeToLiveDescription().timeToLiveStatus());
    clock.now = clock.now.plusSeconds(120);
    assertTrue(exists("soon"), "TTL is not enabled yet");

    ddb.updateTimeToLive(b -> b.tableName("Sessions").timeToLiveSpecification(t -> t.enabled(true)
        .attributeName("expiresAt")));
    assertEquals("expiresAt", ddb.describeTimeToLive(b -> b.tableName("Sessions")).timeToLiveDescription()
        .attributeName());
    assertFalse(exists("soon"));
    assertTrue(exists("later"));
    assertTrue(exists("never"));
    assertTrue(exists("ancient"));
    clock.now = clock.now.plusSeconds(3600);
    assertEquals(2, ddb.scan(b -> b.tableName("Sessions")).count(), "later expired too");

    assertValidation("TimeToLive is already enabled", () -> ddb.updateTimeToLive(b -> b.tableName("Sessions")
        .timeToLiveSpecification(t -> t.enabled(true).attributeName("other"))));
    ddb.updateTimeToLive(b -> b.tableName("Sessions").timeToLiveSpecification(t -> t.enabled(false)
        .attributeName("expiresAt")));
    put("stays", clock.instant().getEpochSecond() - 10);
    assertTrue(exists("stays"), "TTL disabled: nothing expires");
    assertValidation("TimeToLive is already disabled", () -> ddb.updateTimeToLive(b -> b.tableName("Sessions")
        .timeToLiveSpecification(t -> t.enabled(false).attributeName("expiresAt"))));
  }

  @Test
  void tagsAreAddedListedAndRemovedByTableArn() {
    String arn = ddb.describeTable(b -> b.tableName("Sessions")).table().tableArn();
    ddb.tagResource(b -> b.resourceArn(arn).tags(Tag.builder().key("team").value("payments").build(),
        Tag.builder().key("env").value("test").build()));
    assertEquals(List.of(Tag.builder().key("env").value("test").build(), Tag.builder().key("team")
        .value("payments").build()), ddb.listTagsOfResource(b -> b.resourceArn(arn)).tags());
    ddb.untagResource(b -> b.resourceArn(arn).tagKeys("env"));
    assertEquals(1, ddb.listTagsOfResource(b -> b.resourceArn(arn)).tags().size());
    assertValidation("One or more parameter values were invalid: the prefix aws: is reserved for AWS tags: "
        + "aws:owner", () -> ddb.tagResource(b -> b.resourceArn(arn).tags(Tag.builder().key("aws:owner")
        .value("x").build())));
    assertThrows(ResourceNotFoundException.class, () -> ddb.listTagsOfResource(b -> b.resourceArn(
        arn.replace("Sessions", "Nothing"))));
  }

  @Test
  void throttledBatchesReturnWhatTheyDidNotProcessAndARetryLoopFinishesTheJob() {
    emulator.simulateThrottling(3);
    List<WriteRequest> writes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Map<String, AttributeValue> item = Map.of("id", AttributeValue.fromS("s" + i));
      writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
    }
    Map<String, List<WriteRequest>> pending = Map.of("Sessions", writes);
    int calls = 0;
    while (!pending.isEmpty()) {
      Map<String, List<WriteRequest>> asked = pending;
      BatchWriteItemResponse response = ddb.batchWriteItem(b -> b.requestItems(asked));
      pending = response.unprocessedItems();
      calls++;
    }
    assertEquals(4, calls, "3 + 3 + 3 + 1");
    assertEquals(10, ddb.scan(b -> b.tableName("Sessions")).count());

    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keys.add(Map.of("id", AttributeValue.fromS("s" + i)));
    }
    BatchGetItemResponse first = ddb.batchGetItem(b -> b.requestItems(Map.of("Sessions", KeysAndAttributes.builder()
        .keys(keys).projectionExpression("id").build())));
    assertEquals(3, first.responses().get("Sessions").size());
    assertEquals(7, first.unprocessedKeys().get("Sessions").keys().size());
    assertEquals("id", first.unprocessedKeys().get("Sessions").projectionExpression(),
        "unprocessed keys come back with what was asked of them");
    emulator.stopSimulatingThrottling();
    assertEquals(7, ddb.batchGetItem(b -> b.requestItems(first.unprocessedKeys())).responses().get("Sessions")
        .size());
  }

  @Test
  void keyAndExpressionSizesStopExactlyAtDynamoDbsLimits() {
    put("k".repeat(2048), null);
    assertValidation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
        + "limit of2048 bytes", () -> put("k".repeat(2049), null));
    assertValidation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
        + "limit of2048 bytes", () -> put("é".repeat(1025), null)); // 2050 bytes in UTF-8

    String padding = " ".repeat(4096 - "attribute_exists(id)".length());
    ddb.putItem(b -> b.tableName("Sessions").item(Map.of("id", AttributeValue.fromS("x")))
        .conditionExpression("attribute_not_exists(id)" + padding.substring(4)));
    assertValidation("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        + "expression size: 4097", () -> ddb.putItem(b -> b.tableName("Sessions").item(Map.of("id",
        AttributeValue.fromS("y"))).conditionExpression("attribute_exists(id)" + padding + " ")));
    assertFalse(exists("y"));
  }

  @Test
  void aTransactionWritesFourMibOfItemsAndNotOneByteMore() {
    List<TransactWriteItem> items = new ArrayList<>();
    for (int i = 10; i < 20; i++) { // ten items of exactly 400 KB: "id" + "t1x" and "blob" + 409,591 bytes
      items.add(putOf("t" + i, 409_591));
    }
    items.add(putOf("t20", 98_295)); // 4,096,000 + 98,304 = 4 MiB exactly
    ddb.transactWriteItems(b -> b.transactItems(items));
    assertEquals(11, ddb.scanPaginator(b -> b.tableName("Sessions").select("COUNT")).stream()
        .mapToInt(page -> page.count()).sum(), "11 items in 4 MiB: a scan page stops at 1 MB");

    items.set(10, putOf("t20", 98_296));
    assertValidation("Transaction request cannot be larger than 4 MB", () -> ddb.transactWriteItems(b -> b
        .transactItems(items)));
    assertEquals(98_295, ddb.getItem(b -> b.tableName("Sessions").key(Map.of("id", AttributeValue.fromS("t20"))))
        .item().get("blob").s().length(), "the refused transaction changed nothing");

    List<TransactWriteItem> huge = new ArrayList<>();
    for (int i = 0; i < 42; i++) { // about 17 MB of JSON: over the 16 MiB any request may have
      huge.add(putOf("h" + i, 409_591));
    }
    DynamoDbException tooLarge = assertThrows(DynamoDbException.class, () -> ddb.transactWriteItems(b -> b
        .transactItems(huge)));
    assertEquals(413, tooLarge.statusCode());
  }

  private static TransactWriteItem putOf(String id, int blobBytes) {
    Map<String, AttributeValue> item = Map.of("id", AttributeValue.fromS(id), "blob",
        AttributeValue.fromS("b".repeat(blobBytes)));
    return TransactWriteItem.builder().put(p -> p.tableName("Sessions").item(item)).build();
  }
}
