package dev.envelope.lambda;

import dev.envelope.lambda.internal.CheckpointJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Checkpoints as items of a DynamoDB table whose partition key is {@value #SOURCE} (string): the versions as
 * gzipped JSON in {@value #VERSIONS}, and a {@value #REVISION} number each save raises, on condition that it is
 * still the one this run loaded. An item holds at most 400 KB: about 15,000 documents with keys of 40 characters;
 * a larger checkpoint is refused with a message pointing to {@link S3CheckpointStore}. Needs the AWS SDK's
 * {@code dynamodb} module, which the Lambda layer leaves out: add it to the function. Thread-safe.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {
  /** The partition key attribute: the source id. */
  public static final String SOURCE = "source";
  static final String VERSIONS = "versions";
  static final String REVISION = "revision";
  /** The gzipped versions' limit: DynamoDB's 400 KB item, less room for the other attributes. */
  static final int MAX_VERSIONS_BYTES = 390 * 1024;

  private final DynamoDbClient dynamoDb;
  private final String table;

  private DynamoDbCheckpointStore(DynamoDbClient dynamoDb, String table) {
    this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
    this.table = Objects.requireNonNull(table, "table");
  }

  public static DynamoDbCheckpointStore create(DynamoDbClient dynamoDb, String table) {
    return new DynamoDbCheckpointStore(dynamoDb, table);
  }

  /** Creates the table (on-demand capacity, partition key {@value #SOURCE}), for tests and first deployments. */
  public static void createTable(DynamoDbClient dynamoDb, String table) {
    dynamoDb.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
        .keySchema(KeySchemaElement.builder().attributeName(SOURCE).keyType("HASH").build())
        .attributeDefinitions(AttributeDefinition.builder().attributeName(SOURCE).attributeType("S").build()));
  }

  @Override
  public Checkpoint load(String sourceId) {
    Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
        .key(Map.of(SOURCE, AttributeValue.fromS(sourceId)))).item();
    if (item == null || item.isEmpty()) {
      return Checkpoint.empty();
    }
    String where = "Checkpoint of " + sourceId + " in table " + table;
    AttributeValue versions = item.get(VERSIONS);
    AttributeValue revision = item.get(REVISION);
    if (versions == null || versions.b() == null || revision == null || revision.n() == null) {
      throw new DocumentProcessingException(where + " lacks " + VERSIONS + " (binary) or " + REVISION + " (number)");
    }
    return Checkpoint.of(CheckpointJson.read(gunzip(versions.b().asByteArray()), where), revision.n());
  }

  @Override
  public void save(String sourceId, Checkpoint previous, Map<String, String> versions) {
    byte[] gzipped = gzip(CheckpointJson.write(versions));
    if (gzipped.length > MAX_VERSIONS_BYTES) {
      throw new DocumentProcessingException("The checkpoint of " + sourceId + " (" + versions.size()
          + " documents) takes " + gzipped.length + " bytes gzipped, over what a DynamoDB item holds (400 KB); "
          + "keep it in an S3CheckpointStore, or split the source by prefix");
    }
    long revision = previous.token() == null ? 1 : Long.parseLong(previous.token()) + 1;
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(SOURCE, AttributeValue.fromS(sourceId));
    item.put(VERSIONS, AttributeValue.fromB(SdkBytes.fromByteArray(gzipped)));
    item.put(REVISION, AttributeValue.fromN(Long.toString(revision)));
    PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(item);
    if (previous.token() == null) {
      put.conditionExpression("attribute_not_exists(#s)").expressionAttributeNames(Map.of("#s", SOURCE));
    } else {
      put.conditionExpression("#r = :r").expressionAttributeNames(Map.of("#r", REVISION))
          .expressionAttributeValues(Map.of(":r", AttributeValue.fromN(previous.token())));
    }
    try {
      dynamoDb.putItem(put.build());
    } catch (ConditionalCheckFailedException e) {
      throw new CheckpointConflictException("The checkpoint of " + sourceId + " in table " + table + " was saved by "
          + "another run since this run read it (revision " + previous.token() + "); this run's checkpoint is "
          + "dropped, and its archives are recognized next run");
    }
  }

  private static byte[] gzip(String json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String gunzip(byte[] gzipped) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      // Bounded: a checkpoint item is at most 400 KB gzipped; refuse what would inflate past 64 MiB.
      byte[] json = in.readNBytes(64 << 20);
      if (in.read() != -1) {
        throw new DocumentProcessingException("A checkpoint inflates past 64 MiB: not one this store wrote");
      }
      return new String(json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DocumentProcessingException("A checkpoint item's versions are not gzip: " + e.getMessage());
    }
  }
}
