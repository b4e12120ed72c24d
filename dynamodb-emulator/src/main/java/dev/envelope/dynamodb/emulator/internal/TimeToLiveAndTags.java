package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TTL (UpdateTimeToLive, DescribeTimeToLive, and the deletion of expired items on the emulator's clock) and tags
 * (TagResource, UntagResource, ListTagsOfResource). Called by the {@link Engine} under its lock.
 */
final class TimeToLiveAndTags {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** DynamoDB's TTL leaves alone expiry times more than five years in the past (they are taken for mistakes). */
  private static final long FIVE_YEARS_SECONDS = 5L * 365 * 24 * 3600;
  private static final int MAX_TAGS = 50;

  private final Engine engine;

  TimeToLiveAndTags(Engine engine) {
    this.engine = engine;
  }

  ObjectNode updateTimeToLive(ObjectNode request) {
    Table table = engine.table(request);
    JsonNode spec = request.get("TimeToLiveSpecification");
    if (spec == null || !spec.has("Enabled") || !spec.path("AttributeName").isTextual()
        || spec.get("AttributeName").asText().isEmpty()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed "
          + "to satisfy constraint: Member must not be null");
    }
    boolean enable = spec.get("Enabled").asBoolean();
    String attribute = spec.get("AttributeName").asText();
    if (enable && table.timeToLiveAttribute != null) {
      throw DynamoDbError.validation("TimeToLive is already enabled");
    }
    if (!enable && table.timeToLiveAttribute == null) {
      throw DynamoDbError.validation("TimeToLive is already disabled");
    }
    if (!enable && !attribute.equals(table.timeToLiveAttribute)) {
      throw DynamoDbError.validation("TimeToLive is active on a different AttributeName: current AttributeName is "
          + table.timeToLiveAttribute);
    }
    table.timeToLiveAttribute = enable ? attribute : null;
    engine.tableChanged(table);
    ObjectNode response = JSON.objectNode();
    response.putObject("TimeToLiveSpecification").put("Enabled", enable).put("AttributeName", attribute);
    return response;
  }

  ObjectNode describeTimeToLive(ObjectNode request) {
    Table table = engine.table(request);
    ObjectNode response = JSON.objectNode();
    ObjectNode description = response.putObject("TimeToLiveDescription");
    description.put("TimeToLiveStatus", table.timeToLiveAttribute == null ? "DISABLED" : "ENABLED");
    if (table.timeToLiveAttribute != null) {
      description.put("AttributeName", table.timeToLiveAttribute);
    }
    return response;
  }

  /**
   * Deletes the items whose TTL attribute (a number of epoch seconds) is at or before {@code now}, once per second
   * of the clock per table. DynamoDB deletes them within a few days; here it happens before the first request
   * after they expire, so that a test moving its clock sees them gone.
   */
  void deleteExpired(Iterable<Table> tables, Instant now) {
    long second = now.getEpochSecond();
    for (Table table : tables) {
      String attribute = table.timeToLiveAttribute;
      if (attribute == null || table.sweptAtSecond == second) {
        continue;
      }
      table.sweptAtSecond = second;
      List<Engine.Write> expired = new ArrayList<>();
      for (Map.Entry<Table.Key, ObjectNode> e : table.items.entrySet()) {
        JsonNode expiry = e.getValue().path(attribute).get("N");
        if (expiry != null && isExpired(new BigDecimal(expiry.asText()), second)) {
          expired.add(new Engine.Write(table, e.getKey(), e.getValue(), null, true, false, Set.of(),
              false));
        }
      }
      expired.forEach(w -> engine.commit(w, "Delete"));
    }
  }

  private static boolean isExpired(BigDecimal expiry, long now) {
    return expiry.compareTo(BigDecimal.valueOf(now)) <= 0
        && expiry.compareTo(BigDecimal.valueOf(now - FIVE_YEARS_SECONDS)) >= 0;
  }

  private Table tableOfArn(ObjectNode request) {
    String arn = request.path("ResourceArn").asText("");
    return engine.tableOfArn(arn);
  }

  ObjectNode tagResource(ObjectNode request) {
    Table table = tableOfArn(request);
    JsonNode tags = request.path("Tags");
    if (tags.isEmpty()) {
      throw DynamoDbError.validation("1 validation error detected: Value null at 'tags' failed to satisfy "
          + "constraint: Member must not be null");
    }
    Map<String, String> after = new java.util.TreeMap<>(table.tags);
    for (JsonNode tag : tags) {
      String key = tag.path("Key").asText("");
      String value = tag.path("Value").asText("");
      if (key.isEmpty() || key.length() > 128 || value.length() > 256) {
        throw DynamoDbError.validation("One or more parameter values were invalid: a tag key must have 1 to 128 "
            + "characters and a value at most 256");
      }
      if (key.startsWith("aws:")) {
        throw DynamoDbError.validation("One or more parameter values were invalid: the prefix aws: is reserved for "
            + "AWS tags: " + key);
      }
      after.put(key, value);
    }
    if (after.size() > MAX_TAGS) {
      throw DynamoDbError.limitExceeded("Tag limit exceeded: a resource can have at most " + MAX_TAGS + " tags");
    }
    table.tags.clear();
    table.tags.putAll(after);
    engine.tableChanged(table);
    return JSON.objectNode();
  }

  ObjectNode untagResource(ObjectNode request) {
    Table table = tableOfArn(request);
    request.path("TagKeys").forEach(k -> table.tags.remove(k.asText()));
    engine.tableChanged(table);
    return JSON.objectNode();
  }

  ObjectNode listTagsOfResource(ObjectNode request) {
    Table table = tableOfArn(request);
    ObjectNode response = JSON.objectNode();
    ArrayNode tags = response.putArray("Tags");
    table.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    return response;
  }
}
