package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.ItemHeaderInfo;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * A table's items described from their headers: a parallel scan that projects only the primary key and the header
 * attributes, so it reads a few hundred bytes per item whatever the item's size. One segment of a scan split
 * across machines ({@code --segment}/{@code --total-segments}), or all segments, {@code parallel} at a time.
 */
final class TableInventory {
  /** What the scan cost. */
  record Result(long items, long requests) {}

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final List<Integer> segments;
  private final int totalSegments;

  TableInventory(DynamoDbClient dynamoDb, String table, Integer segment, Integer totalSegments, int parallel) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    if ((segment == null) != (totalSegments == null)) {
      throw new UsageException("--segment and --total-segments go together");
    }
    if (totalSegments != null) {
      if (totalSegments < 1 || totalSegments > 1_000_000 || segment < 0 || segment >= totalSegments) {
        throw new UsageException("--segment must be 0.." + (totalSegments - 1) + " and --total-segments 1..1000000 "
            + "(DynamoDB's limits)");
      }
      this.segments = List.of(segment);
      this.totalSegments = totalSegments;
    } else {
      int n = Math.max(1, parallel);
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(i);
      }
      this.segments = all;
      this.totalSegments = n;
    }
  }

  Result run(Consumer<ObjectNode> sink, Io io) throws InterruptedException {
    List<KeySchemaElement> keySchema = dynamoDb.describeTable(b -> b.tableName(table)).table().keySchema();
    Map<String, String> names = new HashMap<>();
    List<String> projected = new ArrayList<>();
    List<String> keyNames = new ArrayList<>();
    for (KeySchemaElement k : keySchema) {
      keyNames.add(k.attributeName());
    }
    List<String> wanted = new ArrayList<>(keyNames);
    wanted.addAll(ItemHeaderInfo.HEADER_ATTRIBUTES);
    for (int i = 0; i < wanted.size(); i++) {
      names.put("#a" + i, wanted.get(i));
      projected.add("#a" + i);
    }
    AtomicLong requests = new AtomicLong(1);
    AtomicLong items = new AtomicLong();
    Progress progress = new Progress(io, "inventory", 0, "items");
    Parallel.each(segments, segments.size(), "scan", segment -> {
      ScanRequest scan = ScanRequest.builder().tableName(table).segment(segment).totalSegments(totalSegments)
          .projectionExpression(String.join(", ", projected)).expressionAttributeNames(names).build();
      dynamoDb.scanPaginator(scan).forEach(page -> {
        requests.incrementAndGet();
        for (Map<String, AttributeValue> item : page.items()) {
          sink.accept(record(item, keyNames));
          items.incrementAndGet();
          progress.advance(1);
        }
      });
    });
    progress.finish();
    return new Result(items.get(), requests.get());
  }

  private ObjectNode record(Map<String, AttributeValue> item, List<String> keyNames) {
    ObjectNode record = Json.object();
    record.put("table", table);
    ObjectNode key = record.putObject("key");
    for (String name : keyNames) {
      AttributeValue v = item.get(name);
      key.put(name, v == null ? null : v.s() != null ? v.s() : v.n() != null ? v.n()
          : v.b() != null ? Base64.getEncoder().encodeToString(v.b().asByteArray()) : v.toString());
    }
    try {
      ItemHeaderInfo info = ItemHeaderInfo.read(item);
      record.put("format", info.format().map(Enum::name).orElse("unencrypted"));
      record.put("suite", info.suite());
      record.set("wrappingKeys", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
    } catch (IllegalArgumentException e) {
      record.put("format", "malformed");
      record.put("error", e.getMessage());
      record.set("wrappingKeys", Json.MAPPER.createArrayNode());
    }
    return record;
  }
}
