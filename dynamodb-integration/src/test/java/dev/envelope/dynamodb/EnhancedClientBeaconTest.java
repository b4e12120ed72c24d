package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.enhanced.BeanTables;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.ScanEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Beacon searches through the Enhanced Client: a bean whose encrypted email keys a secondary index (the index is
 * keyed by its beacon), the interceptor configured from the bean schema. An index query and a filtered scan written
 * as the Enhanced Client writes them ({@code #AMZN_MAPPED_email = :AMZN_MAPPED_email}) find exactly the customers
 * asked for, though the 4-bit beacon makes many collide.
 */
class EnhancedClientBeaconTest {
  private static final String TABLE = "EnhancedCustomers";
  private static DynamoDbTable<Customer> customers;
  private static DynamoDbClient raw;
  private static DynamoDbEncryptionInterceptor interceptor;

  @BeforeAll
  static void start() {
    raw = DdbTestParts.rawClient();
    raw.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
        .attributeDefinitions(
            AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
            AttributeDefinition.builder().attributeName("aws_dbe_b_email").attributeType(ScalarAttributeType.S)
                .build())
        .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("email-index").keySchema(
            KeySchemaElement.builder().attributeName("aws_dbe_b_email").keyType(KeyType.HASH).build())
            .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build()));
    byte[] beaconKey = new byte[32];
    new Random(11).nextBytes(beaconKey);
    TableConfig config = BeanTables.config(TABLE, TableSchema.fromBean(Customer.class))
        .keyring(DdbTestParts.aesKeyring())
        .beacons(BeaconConfig.of(beaconKey::clone, List.of(StandardBeacon.of("email", 4)), List.of())).build();
    assertEquals(CryptoAction.ENCRYPT_AND_SIGN, config.actionFor("email").orElseThrow(),
        "an index key annotated @EncryptAndSign stays encrypted: its index is keyed by the beacon");
    interceptor = DynamoDbEncryptionInterceptor.builder().table(config).build();
    DynamoDbClient ddb = DdbTestParts.client(interceptor);
    customers = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb).build().table(TABLE,
        TableSchema.fromBean(Customer.class));
    for (int i = 0; i < 40; i++) {
      customers.putItem(Customer.of("c-" + i, "c" + i + "@example.com", i % 2 == 0 ? "eu" : "us"));
    }
  }

  @Test
  void anIndexQueryOnTheBeaconFindsExactlyTheCustomer() {
    int sameBeacon = raw.query(b -> b.tableName(TABLE).indexName("email-index")
        .keyConditionExpression("aws_dbe_b_email = :b").expressionAttributeValues(Map.of(":b",
            raw.getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS("c-7")))).item()
                .get("aws_dbe_b_email")))).count();
    assertTrue(sameBeacon > 1, "40 emails on 16 beacon values collide: " + sameBeacon);
    List<Customer> found = customers.index("email-index").query(QueryConditional.keyEqualTo(k -> k
        .partitionValue("c7@example.com"))).stream().flatMap(p -> p.items().stream()).toList();
    assertEquals(List.of(Customer.of("c-7", "c7@example.com", "us")), found);
  }

  @Test
  void aFilteredScanOnTheBeaconFindsExactlyTheCustomers() {
    List<Customer> found = customers.scan(ScanEnhancedRequest.builder().filterExpression(Expression.builder()
        .expression("#e IN (:a, :b) AND #r = :r").putExpressionName("#e", "email").putExpressionName("#r", "region")
        .putExpressionValue(":a", AttributeValue.fromS("c4@example.com"))
        .putExpressionValue(":b", AttributeValue.fromS("c9@example.com"))
        .putExpressionValue(":r", AttributeValue.fromS("eu")).build()).build()).items().stream().toList();
    assertEquals(List.of(Customer.of("c-4", "c4@example.com", "eu")), found);
  }

  @Test
  void sentQueryShowsWhatDynamoDbIsAsked() {
    QueryRequest sent = interceptor.sentQuery(QueryRequest.builder().tableName(TABLE).indexName("email-index")
        .keyConditionExpression("#AMZN_MAPPED_email = :AMZN_MAPPED_email")
        .expressionAttributeNames(Map.of("#AMZN_MAPPED_email", "email"))
        .expressionAttributeValues(Map.of(":AMZN_MAPPED_email", AttributeValue.fromS("c7@example.com"))).build());
    assertEquals(Map.of("#AMZN_MAPPED_email", "aws_dbe_b_email"), sent.expressionAttributeNames());
    assertEquals(raw.getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS("c-7")))).item()
        .get("aws_dbe_b_email"), sent.expressionAttributeValues().get(":AMZN_MAPPED_email"));
  }

  @Test
  void aTableKeyCannotBeEncrypted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BeanTables.config("Accounts",
        TableSchema.fromBean(Account.class)).attributeAction("owner", CryptoAction.ENCRYPT_AND_SIGN)
        .keyring(DdbTestParts.aesKeyring()).build());
    assertTrue(e.getMessage().contains("owner"), e.getMessage());
  }
}
