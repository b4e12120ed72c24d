package dev.envelope.samples;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.DynamoDbEncryptionInterceptor;
import dev.envelope.dynamodb.TableConfig;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Writes an item with an encrypted attribute through the interceptor, reads it back, and shows what is stored. */
public final class DynamoDbItemExample {
  private DynamoDbItemExample() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedParts parts = new EmbeddedParts()) {
      String keyArn = parts.kms.client(EmbeddedParts.ADMIN).createKey(b -> b.description("ddb")).keyMetadata().arn();
      TableConfig customers = TableConfig.builder().tableName("Customers").partitionKeyName("id")
          .attributeAction("email", CryptoAction.ENCRYPT_AND_SIGN)
          .attributeAction("plan", CryptoAction.SIGN_ONLY)
          .keyring(KmsKeyring.create(parts.kms.client(EmbeddedParts.ADMIN), keyArn))
          .build();
      try (DynamoDbClient raw = parts.dynamoDb(null);
          DynamoDbClient ddb = parts.dynamoDb(DynamoDbEncryptionInterceptor.builder().table(customers).build())) {
        raw.createTable(b -> b.tableName("Customers").billingMode("PAY_PER_REQUEST")
            .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
            .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                .attributeType(ScalarAttributeType.S).build()));
        ddb.putItem(b -> b.tableName("Customers").item(Map.of("id", AttributeValue.fromS("c-42"),
            "email", AttributeValue.fromS("alice@example.com"), "plan", AttributeValue.fromS("gold"))));
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("c-42"));
        System.out.println("through the interceptor: " + ddb.getItem(b -> b.tableName("Customers").key(key)).item());
        System.out.println("stored: " + raw.getItem(b -> b.tableName("Customers").key(key)).item().keySet()
            + ", email is " + raw.getItem(b -> b.tableName("Customers").key(key)).item().get("email").type());
      }
    }
  }
}
