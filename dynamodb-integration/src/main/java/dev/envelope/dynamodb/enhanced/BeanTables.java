package dev.envelope.dynamodb.enhanced;

import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.TableConfig;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.enhanced.dynamodb.KeyAttributeMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * A table's configuration read from an Enhanced Client schema: keys from its key annotations, actions from
 * {@link SignOnly}, {@link DoNothing} and {@link EncryptAndSign} (ENCRYPT_AND_SIGN by default). The table's own keys
 * are SIGN_ONLY; a secondary index key is SIGN_ONLY unless annotated {@link EncryptAndSign}, which is how a bean
 * declares an index searched through a beacon (the index is keyed by {@code aws_dbe_b_<name>} and the beacon is
 * configured on the table).
 *
 * <p>The extension derives its tables this way. To search beacons through the Enhanced Client, whose extensions do
 * not see queries, give it a plain client with the {@code DynamoDbEncryptionInterceptor} built from this builder:
 * <pre>{@code
 * TableConfig config = BeanTables.config("Accounts", TableSchema.fromBean(Account.class))
 *     .keyring(keyring).beacons(beacons).build();
 * DynamoDbClient ddb = DynamoDbClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(
 *     DynamoDbEncryptionInterceptor.builder().table(config).build())).build();
 * DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build();
 * }</pre>
 */
public final class BeanTables {
  private BeanTables() {}

  /**
   * A builder for {@code table} with its keys and actions set from {@code schema}; add a keyring and build.
   *
   * @throws IllegalArgumentException when a table key is annotated other than SIGN_ONLY
   */
  public static TableConfig.Builder config(String table, TableSchema<?> schema) {
    return config(table, schema.tableMetadata(), schema.attributeNames());
  }

  @SuppressWarnings("unchecked")
  static TableConfig.Builder config(String table, TableMetadata metadata, Iterable<String> attributeNames) {
    Map<String, CryptoAction> annotated = metadata.customMetadataObject(ActionTags.METADATA_KEY, Map.class)
        .orElse(Map.of());
    TableConfig.Builder config = TableConfig.builder()
        .tableName(table)
        .partitionKeyName(metadata.primaryPartitionKey())
        .sortKeyName(metadata.primarySortKey().orElse(null));
    Set<String> tableKeys = metadata.primaryKeys().stream().collect(Collectors.toSet());
    Set<String> indexKeys = metadata.keyAttributes().stream().map(KeyAttributeMetadata::name)
        .collect(Collectors.toSet());
    for (String name : attributeNames) {
      CryptoAction action = annotated.get(name);
      if (tableKeys.contains(name) && action != null && action != CryptoAction.SIGN_ONLY) {
        throw new IllegalArgumentException("Table " + table + ": key attribute '" + name + "' is annotated "
            + action + "; table keys are always SIGN_ONLY");
      }
      if (indexKeys.contains(name) && action != null && action != CryptoAction.SIGN_ONLY
          && action != CryptoAction.ENCRYPT_AND_SIGN) {
        throw new IllegalArgumentException("Table " + table + ": index key attribute '" + name + "' is annotated "
            + action + "; an index key is SIGN_ONLY, or ENCRYPT_AND_SIGN when the index is keyed by its beacon");
      }
      config.attributeAction(name, tableKeys.contains(name) || indexKeys.contains(name) && action == null
          ? CryptoAction.SIGN_ONLY : action == null ? CryptoAction.ENCRYPT_AND_SIGN : action);
    }
    return config;
  }
}
