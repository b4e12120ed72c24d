package dev.envelope.dynamodb;

import dev.envelope.core.EnvelopeException;
import dev.envelope.dynamodb.internal.BeaconQueries;
import dev.envelope.dynamodb.internal.ExpressionNames;
import dev.envelope.dynamodb.internal.TableReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.dynamodb.model.ExecuteTransactionRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Encrypts items on their way to DynamoDB and decrypts them on their way back, for the tables it is configured
 * with. Add it to any {@code DynamoDbClient}:
 *
 * <pre>{@code
 * DynamoDbClient ddb = DynamoDbClient.builder()
 *     .overrideConfiguration(c -> c.addExecutionInterceptor(
 *         DynamoDbEncryptionInterceptor.builder().table(ordersConfig).build()))
 *     .build();
 * }</pre>
 *
 * <p>Tables are resolved in every form DynamoDB accepts: a request may name a configured table by name or by ARN
 * ({@code arn:aws:dynamodb:us-east-1:111122223333:table/Orders}), and both are encrypted alike (an ARN of another
 * account or region than the configuration names is refused). An item operation on any other table is refused
 * unless that table is declared plaintext ({@link Builder#plaintextTable}): a client that encrypts some tables
 * never writes or returns items in the clear by accident. Table management calls (CreateTable, DescribeTable, ...)
 * pass untouched.
 *
 * <p>Covered: PutItem, GetItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems,
 * and the old values DeleteItem, PutItem and UpdateItem return. Refused with {@link UnsupportedRequestException}
 * before anything is sent: an UpdateItem touching a signed attribute, a condition, filter or key condition on an
 * encrypted attribute, projections on an encrypted table, and PartiQL statements naming one. Items
 * BatchWriteItem leaves unprocessed come back as the caller's plaintext items, so resubmitting them encrypts them
 * afresh.
 *
 * <p>Immutable and thread-safe; one instance may serve several clients.
 */
public final class DynamoDbEncryptionInterceptor implements ExecutionInterceptor {
  /** Encrypted item to the caller's item, per BatchWriteItem call, to hand back unprocessed items unencrypted. */
  private static final ExecutionAttribute<Map<Map<String, AttributeValue>, Map<String, AttributeValue>>> ORIGINALS =
      new ExecutionAttribute<>("dev.envelope.dynamodb.BatchWriteOriginals");

  private static final ExecutionAttribute<EnvelopeException> FAILURE =
      new ExecutionAttribute<>("dev.envelope.dynamodb.DecryptFailure");

  private final TableResolver tables;

  private DynamoDbEncryptionInterceptor(TableResolver tables) {
    this.tables = tables;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The item encryptor of a configured table (by name or ARN), for paths that bypass the client (streams, exports).
   */
  public ItemEncryptor itemEncryptor(String tableNameOrArn) {
    ItemEncryptor encryptor = tables.configuredEncryptor(tableNameOrArn);
    if (encryptor == null) {
      throw new IllegalArgumentException("Table " + tableNameOrArn + " is not configured; configured: "
          + tables.encryptedNames());
    }
    return encryptor;
  }

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    RequestChecks.client(attributes);
    SdkRequest request = context.request();
    if (request instanceof PutItemRequest r) {
      return putItem(r);
    } else if (request instanceof GetItemRequest r) {
      checkProjection(r.tableName(), "GetItem", r.projectionExpression(), r.hasAttributesToGet(), null);
    } else if (request instanceof QueryRequest r) {
      return query(r, attributes);
    } else if (request instanceof ScanRequest r) {
      return scan(r, attributes);
    } else if (request instanceof UpdateItemRequest r) {
      updateItem(r);
    } else if (request instanceof DeleteItemRequest r) {
      ItemEncryptor encryptor = encryptor(r.tableName(), "DeleteItem");
      RequestChecks.condition(encryptor, r.conditionExpression(), r.expressionAttributeNames(), "ConditionExpression");
      RequestChecks.legacyConditions(encryptor, r.hasExpected() ? r.expected().keySet() : Set.of());
    } else if (request instanceof BatchGetItemRequest r) {
      r.requestItems().forEach((table, keys) -> checkProjection(table, "BatchGetItem", keys.projectionExpression(),
          keys.hasAttributesToGet(), null));
    } else if (request instanceof BatchWriteItemRequest r) {
      return batchWrite(r, attributes);
    } else if (request instanceof TransactGetItemsRequest r) {
      for (TransactGetItem item : r.transactItems()) {
        if (item.get() != null) {
          checkProjection(item.get().tableName(), "TransactGetItems", item.get().projectionExpression(), false,
              null);
        }
      }
    } else if (request instanceof TransactWriteItemsRequest r) {
      return transactWrite(r);
    } else if (request instanceof ExecuteStatementRequest r) {
      RequestChecks.statement(tables, r.statement());
    } else if (request instanceof BatchExecuteStatementRequest r) {
      r.statements().forEach(statement -> RequestChecks.statement(tables, statement.statement()));
    } else if (request instanceof ExecuteTransactionRequest r) {
      r.transactStatements().forEach(statement -> RequestChecks.statement(tables, statement.statement()));
    }
    return request;
  }

  /**
   * Decrypts what DynamoDB returned. A failure is held and thrown from {@link #afterExecution}: thrown here, the SDK
   * would wrap it in an SdkClientException "Unable to unmarshall response", hiding the type callers act on.
   */
  @Override
  public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    try {
      return decryptResponse(context, attributes);
    } catch (EnvelopeException e) {
      attributes.putAttribute(FAILURE, e);
      return context.response();
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    EnvelopeException failure = attributes.getAttribute(FAILURE);
    if (failure != null) {
      throw failure;
    }
  }

  /** The encryptor of the table a request names, or null for a table declared plaintext; refuses anything else. */
  private ItemEncryptor encryptor(String tableNameOrArn, String operation) {
    return tables.resolve(tableNameOrArn, operation).orElse(null);
  }

  private SdkResponse decryptResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    SdkResponse response = context.response();
    SdkRequest request = context.request();
    if (response instanceof GetItemResponse r && r.hasItem()) {
      ItemEncryptor encryptor = encryptor(((GetItemRequest) request).tableName(), "GetItem");
      return encryptor == null ? r : r.toBuilder().item(encryptor.decrypt(r.item())).build();
    } else if (response instanceof QueryResponse r && r.hasItems()) {
      ItemEncryptor encryptor = encryptor(((QueryRequest) request).tableName(), "Query");
      if (encryptor == null) {
        return r;
      }
      List<Map<String, AttributeValue>> items = BeaconSearches.matching(decryptAll(encryptor,
          BeaconSearches.ofTenant(r.items(), attributes)), attributes);
      return r.toBuilder().items(items).count(items.size()).build();
    } else if (response instanceof ScanResponse r && r.hasItems()) {
      ItemEncryptor encryptor = encryptor(((ScanRequest) request).tableName(), "Scan");
      if (encryptor == null) {
        return r;
      }
      List<Map<String, AttributeValue>> items = BeaconSearches.matching(decryptAll(encryptor,
          BeaconSearches.ofTenant(r.items(), attributes)), attributes);
      return r.toBuilder().items(items).count(items.size()).build();
    } else if (response instanceof BatchGetItemResponse r && r.hasResponses()) {
      Map<String, List<Map<String, AttributeValue>>> out = new LinkedHashMap<>();
      r.responses().forEach((table, items) -> {
        ItemEncryptor encryptor = encryptor(table, "BatchGetItem");
        out.put(table, encryptor == null ? items : decryptAll(encryptor, items));
      });
      return r.toBuilder().responses(out).build();
    } else if (response instanceof BatchWriteItemResponse r && r.hasUnprocessedItems()
        && !r.unprocessedItems().isEmpty()) {
      return batchWriteUnprocessed(r, attributes);
    } else if (response instanceof TransactGetItemsResponse r && r.hasResponses()) {
      List<TransactGetItem> asked = ((TransactGetItemsRequest) request).transactItems();
      List<ItemResponse> out = new ArrayList<>(r.responses().size());
      for (int i = 0; i < r.responses().size(); i++) {
        ItemResponse item = r.responses().get(i);
        ItemEncryptor encryptor = item.hasItem() && asked.get(i).get() != null
            ? encryptor(asked.get(i).get().tableName(), "TransactGetItems") : null;
        out.add(encryptor == null ? item : item.toBuilder().item(encryptor.decrypt(item.item())).build());
      }
      return r.toBuilder().responses(out).build();
    } else if (response instanceof PutItemResponse r && r.hasAttributes()) {
      return r.toBuilder().attributes(decryptOld(((PutItemRequest) request).tableName(), "PutItem",
          r.attributes())).build();
    } else if (response instanceof DeleteItemResponse r && r.hasAttributes()) {
      return r.toBuilder().attributes(decryptOld(((DeleteItemRequest) request).tableName(), "DeleteItem",
          r.attributes())).build();
    } else if (response instanceof UpdateItemResponse r && r.hasAttributes()) {
      return r.toBuilder().attributes(decryptOld(((UpdateItemRequest) request).tableName(), "UpdateItem",
          r.attributes())).build();
    }
    return response;
  }

  private PutItemRequest putItem(PutItemRequest r) {
    ItemEncryptor encryptor = encryptor(r.tableName(), "PutItem");
    if (encryptor == null) {
      return r;
    }
    RequestChecks.condition(encryptor, r.conditionExpression(), r.expressionAttributeNames(), "ConditionExpression");
    RequestChecks.legacyConditions(encryptor, r.hasExpected() ? r.expected().keySet() : Set.of());
    return r.toBuilder().item(encryptor.encrypt(RequestChecks.writable(encryptor, r.item(), "PutItem"))).build();
  }

  /**
   * A Query as this interceptor sends it: beacon searches rewritten to the beacon attributes and values, and the
   * request checked. For seeing what DynamoDB will be asked (which attribute an index must be keyed by), and for
   * measuring the rewriting.
   *
   * @throws UnsupportedRequestException as a Query through a client with this interceptor would
   */
  public QueryRequest sentQuery(QueryRequest request) {
    return query(request, new ExecutionAttributes());
  }

  private QueryRequest query(QueryRequest request, ExecutionAttributes attributes) {
    ItemEncryptor encryptor = checkProjection(request.tableName(), "Query", request.projectionExpression(),
        request.hasAttributesToGet(), request.select());
    QueryRequest r = request;
    BeaconQueries.Rewritten rewritten = BeaconSearches.rewrite(encryptor, "Query", r.keyConditionExpression(),
        r.filterExpression(), r.expressionAttributeNames(), r.expressionAttributeValues(), r.select(), attributes);
    if (rewritten != null) {
      r = r.toBuilder().keyConditionExpression(rewritten.keyCondition()).filterExpression(rewritten.filter())
          .expressionAttributeNames(rewritten.names()).expressionAttributeValues(rewritten.values()).build();
    }
    if (!BeaconSearches.searchable(encryptor)) {
      RequestChecks.condition(encryptor, r.keyConditionExpression(), r.expressionAttributeNames(),
          "KeyConditionExpression");
      RequestChecks.condition(encryptor, r.filterExpression(), r.expressionAttributeNames(), "FilterExpression");
    }
    RequestChecks.legacyConditions(encryptor, r.hasQueryFilter() ? r.queryFilter().keySet() : Set.of());
    RequestChecks.legacyConditions(encryptor, r.hasKeyConditions() ? r.keyConditions().keySet() : Set.of());
    return r;
  }

  private ScanRequest scan(ScanRequest request, ExecutionAttributes attributes) {
    ItemEncryptor encryptor = checkProjection(request.tableName(), "Scan", request.projectionExpression(),
        request.hasAttributesToGet(), request.select());
    ScanRequest r = request;
    BeaconQueries.Rewritten rewritten = BeaconSearches.rewrite(encryptor, "Scan", null, r.filterExpression(),
        r.expressionAttributeNames(), r.expressionAttributeValues(), r.select(), attributes);
    if (rewritten != null) {
      r = r.toBuilder().filterExpression(rewritten.filter()).expressionAttributeNames(rewritten.names())
          .expressionAttributeValues(rewritten.values()).build();
    }
    if (!BeaconSearches.searchable(encryptor)) {
      RequestChecks.condition(encryptor, r.filterExpression(), r.expressionAttributeNames(), "FilterExpression");
    }
    RequestChecks.legacyConditions(encryptor, r.hasScanFilter() ? r.scanFilter().keySet() : Set.of());
    return r;
  }

  private void updateItem(UpdateItemRequest r) {
    ItemEncryptor encryptor = encryptor(r.tableName(), "UpdateItem");
    if (encryptor == null) {
      return;
    }
    List<String> touched = new ArrayList<>(ExpressionNames.referenced(r.updateExpression(),
        r.expressionAttributeNames()));
    if (r.hasAttributeUpdates()) {
      touched.addAll(r.attributeUpdates().keySet());
    }
    for (String name : touched) {
      CryptoAction action = encryptor.config().actionFor(name).orElse(null);
      if (action == null || action.isSigned() || ItemFormat.isReserved(name)) {
        throw new UnsupportedRequestException("UpdateItem on encrypted table " + encryptor.config().tableName()
            + " touches '" + name + "', which is " + (action == null ? "not configured" : action) + ": changing "
            + "it in place would break the item signature. Read the item, change it, and write it back with "
            + "PutItem (with a condition on a SIGN_ONLY version attribute for optimistic locking); UpdateItem may "
            + "only change DO_NOTHING attributes");
      }
    }
    RequestChecks.condition(encryptor, r.conditionExpression(), r.expressionAttributeNames(), "ConditionExpression");
    RequestChecks.legacyConditions(encryptor, r.hasExpected() ? r.expected().keySet() : Set.of());
  }

  private BatchWriteItemRequest batchWrite(BatchWriteItemRequest r, ExecutionAttributes attributes) {
    Map<Map<String, AttributeValue>, Map<String, AttributeValue>> originals = new HashMap<>();
    Map<String, List<WriteRequest>> out = new LinkedHashMap<>();
    r.requestItems().forEach((table, writes) -> {
      ItemEncryptor encryptor = encryptor(table, "BatchWriteItem");
      if (encryptor == null) {
        out.put(table, writes);
        return;
      }
      List<WriteRequest> encrypted = new ArrayList<>(writes.size());
      for (WriteRequest write : writes) {
        if (write.putRequest() == null) {
          encrypted.add(write);
          continue;
        }
        Map<String, AttributeValue> item = encryptor.encrypt(RequestChecks.writable(encryptor,
            write.putRequest().item(), "BatchWriteItem"));
        originals.put(item, write.putRequest().item());
        encrypted.add(write.toBuilder().putRequest(PutRequest.builder().item(item).build()).build());
      }
      out.put(table, encrypted);
    });
    if (originals.isEmpty()) {
      return r;
    }
    attributes.putAttribute(ORIGINALS, originals);
    return r.toBuilder().requestItems(out).build();
  }

  private BatchWriteItemResponse batchWriteUnprocessed(BatchWriteItemResponse r, ExecutionAttributes attributes) {
    Map<Map<String, AttributeValue>, Map<String, AttributeValue>> originals = attributes.getAttribute(ORIGINALS);
    if (originals == null) {
      return r;
    }
    Map<String, List<WriteRequest>> out = new LinkedHashMap<>();
    r.unprocessedItems().forEach((table, writes) -> {
      List<WriteRequest> restored = new ArrayList<>(writes.size());
      for (WriteRequest write : writes) {
        Map<String, AttributeValue> original = write.putRequest() == null ? null
            : originals.get(write.putRequest().item());
        restored.add(original == null ? write
            : write.toBuilder().putRequest(PutRequest.builder().item(original).build()).build());
      }
      out.put(table, restored);
    });
    return r.toBuilder().unprocessedItems(out).build();
  }

  private TransactWriteItemsRequest transactWrite(TransactWriteItemsRequest r) {
    boolean any = false;
    List<TransactWriteItem> out = new ArrayList<>(r.transactItems().size());
    for (TransactWriteItem item : r.transactItems()) {
      if (item.put() != null) {
        var put = item.put();
        ItemEncryptor encryptor = encryptor(put.tableName(), "TransactWriteItems");
        if (encryptor != null) {
          RequestChecks.condition(encryptor, put.conditionExpression(), put.expressionAttributeNames(),
              "ConditionExpression");
          out.add(item.toBuilder().put(put.toBuilder().item(encryptor.encrypt(RequestChecks.writable(encryptor,
              put.item(), "TransactWriteItems"))).build()).build());
          any = true;
          continue;
        }
      } else if (item.update() != null) {
        var update = item.update();
        updateItem(UpdateItemRequest.builder().tableName(update.tableName()).key(update.key())
            .updateExpression(update.updateExpression()).conditionExpression(update.conditionExpression())
            .expressionAttributeNames(update.expressionAttributeNames()).build());
      } else if (item.delete() != null) {
        RequestChecks.condition(encryptor(item.delete().tableName(), "TransactWriteItems"),
            item.delete().conditionExpression(), item.delete().expressionAttributeNames(), "ConditionExpression");
      } else if (item.conditionCheck() != null) {
        RequestChecks.condition(encryptor(item.conditionCheck().tableName(), "TransactWriteItems"),
            item.conditionCheck().conditionExpression(), item.conditionCheck().expressionAttributeNames(),
            "ConditionExpression");
      }
      out.add(item);
    }
    return any ? r.toBuilder().transactItems(out).build() : r;
  }

  private Map<String, AttributeValue> decryptOld(String table, String operation,
      Map<String, AttributeValue> attributes) {
    ItemEncryptor encryptor = encryptor(table, operation);
    // UPDATED_OLD / UPDATED_NEW return only the DO_NOTHING attributes an update may change: nothing to decrypt.
    if (encryptor == null || !ItemEncryptor.isEncrypted(attributes)) {
      return attributes;
    }
    return encryptor.decrypt(attributes);
  }

  private static List<Map<String, AttributeValue>> decryptAll(ItemEncryptor encryptor,
      List<Map<String, AttributeValue>> items) {
    List<Map<String, AttributeValue>> out = new ArrayList<>(items.size());
    for (Map<String, AttributeValue> item : items) {
      out.add(encryptor.decrypt(item));
    }
    return out;
  }

  /** Refuses projections on an encrypted table; returns the table's encryptor (null for a plaintext table). */
  private ItemEncryptor checkProjection(String table, String operation, String projection, boolean attributesToGet,
      Select select) {
    ItemEncryptor encryptor = encryptor(table, operation);
    RequestChecks.projection(encryptor, projection, attributesToGet, select);
    return encryptor;
  }

  /** Builder: one {@link TableConfig} per encrypted table, and the plaintext tables the client may also use. */
  public static final class Builder {
    private final Map<String, ItemEncryptor> tables = new LinkedHashMap<>();
    private final Set<String> plaintextTables = new LinkedHashSet<>();

    private Builder() {}

    /** Adds an encrypted table. At least one table, or a plaintext table, is required. */
    public Builder table(TableConfig config) {
      Objects.requireNonNull(config, "config");
      if (plaintextTables.contains(config.tableName())
          || tables.putIfAbsent(config.tableName(), ItemEncryptor.create(config)) != null) {
        throw new IllegalArgumentException("Table " + config.tableName() + " is configured twice");
      }
      return this;
    }

    /**
     * Declares a table whose items this client reads and writes unencrypted (by name; requests may use its ARN).
     * Item operations on tables neither configured nor declared are refused. None by default.
     */
    public Builder plaintextTable(String tableName) {
      TableReference reference = TableReference.parse(tableName).orElseThrow(() ->
          new IllegalArgumentException("'" + tableName + "' is not a DynamoDB table name or table ARN"));
      if (tables.containsKey(reference.name())) {
        throw new IllegalArgumentException("Table " + reference.name() + " is configured for encryption and "
            + "cannot also be plaintext");
      }
      plaintextTables.add(reference.name());
      return this;
    }

    public DynamoDbEncryptionInterceptor build() {
      if (tables.isEmpty()) {
        throw new IllegalArgumentException("Configure at least one table");
      }
      return new DynamoDbEncryptionInterceptor(new TableResolver(tables, plaintextTables));
    }
  }
}
