package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.enhanced.dynamodb.AttributeConverterProvider;
import software.amazon.awssdk.enhanced.dynamodb.AttributeValueType;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbIndex;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.document.EnhancedDocument;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondaryPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondarySortKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;
import software.amazon.awssdk.enhanced.dynamodb.model.CreateTableEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.DeleteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.EnhancedGlobalSecondaryIndex;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * A differential test through the AWS SDK's Enhanced Client and its document API: 3,000 random operations (puts,
 * conditional puts, partial updates, deletes, batches, transactions) on a table with a global index, run against
 * the emulator and against a plain sorted map, with every query, index query and paginated scan
 * compared between the two. The seed is fixed, so a failure replays.
 */
class EnhancedClientDifferentialTest {
  /** The mapped item: a tenant's order with a status index. */
  @DynamoDbBean
  public static class Order {
    private String tenant;
    private Integer seq;
    private String status;
    private Integer amount;
    private String note;

    @DynamoDbPartitionKey
    public String getTenant() {
      return tenant;
    }

    public void setTenant(String tenant) {
      this.tenant = tenant;
    }

    @DynamoDbSortKey
    public Integer getSeq() {
      return seq;
    }

    public void setSeq(Integer seq) {
      this.seq = seq;
    }

    @DynamoDbSecondaryPartitionKey(indexNames = "byStatus")
    public String getStatus() {
      return status;
    }

    public void setStatus(String status) {
      this.status = status;
    }

    @DynamoDbSecondarySortKey(indexNames = "byStatus")
    public Integer getAmount() {
      return amount;
    }

    public void setAmount(Integer amount) {
      this.amount = amount;
    }

    public String getNote() {
      return note;
    }

    public void setNote(String note) {
      this.note = note;
    }

    Order copy() {
      return order(tenant, seq, status, amount, note);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Order other && Objects.equals(tenant, other.tenant) && Objects.equals(seq, other.seq)
          && Objects.equals(status, other.status) && Objects.equals(amount, other.amount)
          && Objects.equals(note, other.note);
    }

    @Override
    public int hashCode() {
      return Objects.hash(tenant, seq);
    }

    @Override
    public String toString() {
      return tenant + "/" + seq + "[" + status + "," + amount + "," + note + "]";
    }
  }

  static Order order(String tenant, Integer seq, String status, Integer amount, String note) {
    Order o = new Order();
    o.setTenant(tenant);
    o.setSeq(seq);
    o.setStatus(status);
    o.setAmount(amount);
    o.setNote(note);
    return o;
  }

  private static final Comparator<Order> KEY_ORDER = Comparator.comparing(Order::getTenant)
      .thenComparing(Order::getSeq);

  private final DynamoDbEmulator emulator = DynamoDbEmulator.create();
  private final DynamoDbClient ddb = emulator.client(); // the wire is covered by the *OverHttpTest suites
  private int transactionsApplied;
  private int transactionsCancelled;
  private int conditionalPutsRefused;
  private final DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
  private final DynamoDbTable<Order> orders = enhanced.table("Orders", TableSchema.fromBean(Order.class));
  /** The model: what DynamoDB must hold, in key order. */
  private final TreeMap<String, Order> model = new TreeMap<>();

  @AfterEach
  void close() {
    ddb.close();
    emulator.close();
  }

  private static String id(String tenant, int seq) {
    return tenant + "#" + String.format("%05d", seq);
  }

  @Test
  void threeThousandRandomOperationsLeaveTheEmulatorWhereTheModelIs() {
    orders.createTable(CreateTableEnhancedRequest.builder().globalSecondaryIndices(EnhancedGlobalSecondaryIndex
        .builder().indexName("byStatus").projection(p -> p.projectionType(ProjectionType.ALL)).build()).build());
    Random random = new Random(20261202);
    String[] tenants = {"acme", "globex", "initech", "umbrella"};
    String[] statuses = {"OPEN", "PAID", "SHIPPED", null};
    for (int step = 0; step < 3000; step++) {
      String tenant = tenants[random.nextInt(tenants.length)];
      int seq = random.nextInt(60) - 10; // negative numbers too: sort keys order numerically
      String status = statuses[random.nextInt(statuses.length)];
      int amount = random.nextInt(1000);
      Order next = order(tenant, seq, status, status == null ? null : amount, random.nextBoolean() ? "n" + step : null);
      String key = id(tenant, seq + 100);
      switch (random.nextInt(8)) {
        case 0, 1 -> {
          orders.putItem(next);
          model.put(key, next.copy());
        }
        case 2 -> { // put only if absent
          PutItemEnhancedRequest<Order> request = PutItemEnhancedRequest.builder(Order.class).item(next)
              .conditionExpression(Expression.builder().expression("attribute_not_exists(tenant)").build()).build();
          if (model.containsKey(key)) {
            assertThrows(ConditionalCheckFailedException.class, () -> orders.putItem(request));
            conditionalPutsRefused++;
          } else {
            orders.putItem(request);
            model.put(key, next.copy());
          }
        }
        case 3 -> { // a partial update: null attributes are left as they are
          Order updated = orders.updateItem(r -> r.item(next).ignoreNulls(true));
          Order expected = model.containsKey(key) ? model.get(key).copy() : order(tenant, seq, null, null, null);
          if (next.getStatus() != null) {
            expected.setStatus(next.getStatus());
            expected.setAmount(next.getAmount());
          }
          if (next.getNote() != null) {
            expected.setNote(next.getNote());
          }
          model.put(key, expected);
          assertEquals(expected, updated);
        }
        case 4 -> {
          Order deleted = orders.deleteItem(Key.builder().partitionValue(tenant).sortValue(seq).build());
          assertEquals(model.remove(key), deleted);
        }
        case 5 -> { // a batch of up to five puts in one tenant
          var batch = WriteBatch.builder(Order.class)
              .mappedTableResource(orders);
          TreeMap<String, Order> written = new TreeMap<>();
          for (int i = 0; i < 1 + random.nextInt(5); i++) {
            Order o = order(tenant, seq + i * 100, "OPEN", random.nextInt(1000), null);
            batch.addPutItem(o);
            written.put(id(tenant, seq + i * 100 + 100), o);
          }
          enhanced.batchWriteItem(r -> r.addWriteBatch(batch.build()));
          model.putAll(written);
        }
        case 6 -> { // a transaction: a conditional delete and a put, all or nothing
          int other = random.nextInt(60) - 10;
          Order put = order(tenant, other, "PAID", amount, null);
          TransactWriteItemsEnhancedRequest request = TransactWriteItemsEnhancedRequest.builder()
              .addDeleteItem(orders, DeleteItemEnhancedRequest.builder()
                  .key(Key.builder().partitionValue(tenant).sortValue(seq).build())
                  .conditionExpression(Expression.builder().expression("attribute_exists(tenant)").build()).build())
              .addPutItem(orders, put).build();
          if (other == seq) {
            assertThrows(DynamoDbException.class,
                () -> enhanced.transactWriteItems(request)); // two operations on one item
          } else if (!model.containsKey(key)) {
            assertThrows(TransactionCanceledException.class, () -> enhanced.transactWriteItems(request));
            transactionsCancelled++;
          } else {
            enhanced.transactWriteItems(request);
            transactionsApplied++;
            model.remove(key);
            model.put(id(tenant, other + 100), put);
          }
        }
        default -> compareReads(tenant, seq, status == null ? "OPEN" : status, random.nextInt(4));
      }
    }
    // The random walk must have exercised both sides of each branch, or the comparison proves little.
    assertTrue(model.size() > 100 && transactionsApplied > 20 && transactionsCancelled > 20
        && conditionalPutsRefused > 20, model.size() + " items, " + transactionsApplied + " transactions applied, "
        + transactionsCancelled + " cancelled, " + conditionalPutsRefused + " conditional puts refused");
    compareScan();
    for (String tenant : tenants) {
      for (String status : new String[] {"OPEN", "PAID", "SHIPPED"}) {
        compareReads(tenant, 0, status, 0);
        compareReads(tenant, 25, status, 3);
      }
    }
  }

  /** A query in one of four shapes, the index query, each compared with the model, page by page. */
  private void compareReads(String tenant, int seq, String status, int shape) {
    QueryConditional conditional = switch (shape) {
      case 0 -> QueryConditional.keyEqualTo(k -> k.partitionValue(tenant));
      case 1 -> QueryConditional.sortGreaterThanOrEqualTo(k -> k.partitionValue(tenant).sortValue(seq));
      case 2 -> QueryConditional.sortBetween(k -> k.partitionValue(tenant).sortValue(seq - 5),
          k -> k.partitionValue(tenant).sortValue(seq + 5));
      default -> QueryConditional.sortLessThan(k -> k.partitionValue(tenant).sortValue(seq));
    };
    List<Order> expected = model.values().stream().filter(o -> o.getTenant().equals(tenant))
        .filter(o -> switch (shape) {
          case 0 -> true;
          case 1 -> o.getSeq() >= seq;
          case 2 -> o.getSeq() >= seq - 5 && o.getSeq() <= seq + 5;
          default -> o.getSeq() < seq;
        }).sorted(KEY_ORDER.reversed()).toList();
    List<Order> actual = new ArrayList<>();
    orders.query(QueryEnhancedRequest.builder().queryConditional(conditional).scanIndexForward(false).limit(7)
        .build()).stream().forEach(page -> actual.addAll(page.items()));
    assertEquals(expected, actual, "query shape " + shape + " of " + tenant + " at " + seq);

    DynamoDbIndex<Order> byStatus = orders.index("byStatus");
    List<Order> indexed = new ArrayList<>();
    SdkIterable<Page<Order>> pages = byStatus.query(QueryEnhancedRequest.builder().queryConditional(
        QueryConditional.keyEqualTo(k -> k.partitionValue(status))).limit(5).build());
    pages.forEach(page -> indexed.addAll(page.items()));
    List<Order> expectedIndexed = model.values().stream().filter(o -> status.equals(o.getStatus()))
        .sorted(Comparator.comparing(Order::getAmount).thenComparing(KEY_ORDER)).toList();
    assertEquals(expectedIndexed, indexed, "index byStatus = " + status);
  }

  private void compareScan() {
    List<Order> scanned = orders.scan(r -> r.limit(13)).items().stream().sorted(KEY_ORDER).toList();
    assertEquals(model.values().stream().sorted(KEY_ORDER).toList(), scanned);
    // The document API sees the same items, attribute for attribute.
    DynamoDbTable<EnhancedDocument> documents = enhanced.table("Orders", TableSchema.documentSchemaBuilder()
        .addIndexPartitionKey(TableMetadata.primaryIndexName(), "tenant", AttributeValueType.S)
        .addIndexSortKey(TableMetadata.primaryIndexName(), "seq", AttributeValueType.N)
        .attributeConverterProviders(AttributeConverterProvider.defaultProvider()).build());
    Map<String, String> viaDocuments = documents.scan().items().stream().collect(Collectors.toMap(
        d -> d.getString("tenant") + "/" + d.getNumber("seq").intValue(), EnhancedDocument::toJson));
    assertEquals(model.size(), viaDocuments.size());
    Order any = model.firstEntry().getValue();
    EnhancedDocument stored = documents.getItem(EnhancedDocument.builder().putString("tenant", any.getTenant())
        .putNumber("seq", any.getSeq()).attributeConverterProviders(AttributeConverterProvider.defaultProvider())
        .build());
    assertEquals(any.getNote(), stored.isPresent("note") ? stored.getString("note") : null);
    documents.putItem(EnhancedDocument.builder().putString("tenant", "doc").putNumber("seq", 1)
        .putString("note", "from a document")
        .attributeConverterProviders(AttributeConverterProvider.defaultProvider()).build());
    assertEquals(AttributeValue.fromS("from a document"), ddb.getItem(b -> b.tableName("Orders").key(Map.of(
        "tenant", AttributeValue.fromS("doc"), "seq", AttributeValue.fromN("1")))).item().get("note"));
  }
}
