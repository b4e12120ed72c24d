package dev.envelope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.DynamoDbEncryptionInterceptor;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.s3.EncryptingS3Client;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The same integration paths as the embedded tests, against LocalStack's KMS, S3 and DynamoDB in Docker: for
 * teams moving from LocalStack, and as a check that nothing relies on our emulators' behaviour alone. Runs with
 * {@code -Plocalstack}; without a Docker engine the class reports itself skipped.
 */
@Tag("localstack")
@Testcontainers(disabledWithoutDocker = true)
class LocalStackTest {
  @Container
  static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse(
      "localstack/localstack:3.8")).withServices(LocalStackContainer.Service.KMS, LocalStackContainer.Service.S3,
      LocalStackContainer.Service.DYNAMODB);

  private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>> B configure(
      B builder, LocalStackContainer.Service service) {
    return builder.endpointOverride(LOCALSTACK.getEndpointOverride(service))
        .region(Region.of(LOCALSTACK.getRegion()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())));
  }

  @Test
  void envelopeS3AndDynamoDbAgainstLocalStack() {
    KmsClient kms = configure(KmsClient.builder(), LocalStackContainer.Service.KMS)
        .httpClient(UrlConnectionHttpClient.create()).build();
    String keyArn = kms.createKey(b -> b.description("localstack")).keyMetadata().arn();
    KmsKeyring keyring = KmsKeyring.create(kms, keyArn);

    Envelope envelope = Envelope.builder().keyring(keyring).build();
    byte[] message = envelope.encrypt("order A-1001".getBytes(StandardCharsets.UTF_8), Map.of("tenant", "t1"));
    assertEquals("order A-1001", new String(envelope.decrypt(message).plaintext(), StandardCharsets.UTF_8));

    S3Client raw = configure(S3Client.builder(), LocalStackContainer.Service.S3).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create()).build();
    raw.createBucket(b -> b.bucket("securecart"));
    S3Client s3 = EncryptingS3Client.builder().wrappedClient(raw).keyring(keyring).build();
    s3.putObject(b -> b.bucket("securecart").key("order.json"), RequestBody.fromString("{\"total\":\"1.00\"}"));
    assertEquals("{\"total\":\"1.00\"}", s3.getObjectAsBytes(b -> b.bucket("securecart").key("order.json"))
        .asUtf8String());

    TableConfig table = TableConfig.builder().tableName("Orders").partitionKeyName("id")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN).keyring(keyring).build();
    try (DynamoDbClient plain = configure(DynamoDbClient.builder(), LocalStackContainer.Service.DYNAMODB)
            .httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient ddb = configure(DynamoDbClient.builder(), LocalStackContainer.Service.DYNAMODB)
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.addExecutionInterceptor(DynamoDbEncryptionInterceptor.builder()
                .table(table).build())).build()) {
      plain.createTable(b -> b.tableName("Orders").billingMode("PAY_PER_REQUEST")
          .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
          .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
      ddb.putItem(b -> b.tableName("Orders").item(Map.of("id", AttributeValue.fromS("1"),
          "card", AttributeValue.fromS("4111-1111"))));
      Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("1"));
      assertEquals("4111-1111", ddb.getItem(b -> b.tableName("Orders").key(key)).item().get("card").s());
      assertFalse(plain.getItem(b -> b.tableName("Orders").key(key)).item().toString().contains("4111-1111"));
    }
  }
}
