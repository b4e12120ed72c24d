package dev.envelope.dynamodb;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import java.util.Random;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The embedded parts the DynamoDB tests share in one JVM: the project's DynamoDB emulator (in process; the SDK's
 * interceptors run as over HTTP, since the emulator is reached through an SDK HTTP client) and the KMS emulator
 * with one key.
 */
final class DdbTestParts {
  static final byte[] AES_KEY = new byte[32];
  private static final DynamoDbEmulator DYNAMODB = DynamoDbEmulator.create();
  private static KmsEmulator kms;
  private static String keyArn;

  static {
    new Random(7).nextBytes(AES_KEY);
  }

  private DdbTestParts() {}

  /** A client without encryption: what anyone reading the table directly sees. */
  static DynamoDbClient rawClient() {
    return client(null);
  }

  static DynamoDbClient client(ExecutionInterceptor interceptor) {
    return DYNAMODB.clientBuilder()
        .overrideConfiguration(c -> {
          c.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry());
          if (interceptor != null) {
            c.addExecutionInterceptor(interceptor);
          }
        })
        .build();
  }

  /** Creates a table with a string partition key and, if {@code sortKey} is not null, a numeric sort key. */
  static String createTable(String prefix, String partitionKey, String sortKey) {
    String name = prefix + "-" + Long.toHexString(System.nanoTime());
    try (DynamoDbClient ddb = rawClient()) {
      ddb.createTable(b -> {
        b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST);
        if (sortKey == null) {
          b.keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build())
              .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey)
                  .attributeType(ScalarAttributeType.S).build());
        } else {
          b.keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build(),
                  KeySchemaElement.builder().attributeName(sortKey).keyType(KeyType.RANGE).build())
              .attributeDefinitions(
                  AttributeDefinition.builder().attributeName(partitionKey).attributeType(ScalarAttributeType.S)
                      .build(),
                  AttributeDefinition.builder().attributeName(sortKey).attributeType(ScalarAttributeType.N)
                      .build());
        }
      });
    }
    return name;
  }

  static synchronized KmsEmulator emulator() {
    if (kms == null) {
      kms = KmsEmulator.create();
      keyArn = kms.client().createKey(b -> b.description("dynamodb tests")).keyMetadata().arn();
    }
    return kms;
  }

  static KmsClient kms() {
    return emulator().client();
  }

  static synchronized String keyArn() {
    emulator();
    return keyArn;
  }

  static KmsKeyring kmsKeyring() {
    return KmsKeyring.create(kms(), keyArn());
  }

  static RawAesKeyring aesKeyring() {
    return RawAesKeyring.builder().keyNamespace("ddb-tests").keyName("aes-1").wrappingKey(AES_KEY).build();
  }

}
