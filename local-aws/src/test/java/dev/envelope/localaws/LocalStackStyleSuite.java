package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.enhanced.DynamoDbEncryptionExtension;
import dev.envelope.s3.EncryptingS3Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

/**
 * What a LocalStack-based suite does, written as such a suite writes it: SDK clients built only from an endpoint
 * and {@code test}/{@code test}, everything on one port. Runs against Envelope's local-aws ({@link LocalAwsSuiteTest})
 * and, where Docker runs, against LocalStack itself ({@link LocalStackSuiteTest}): the two are interchangeable for
 * all of it.
 */
abstract class LocalStackStyleSuite {
  /** The role the suite switches to: its identity policy allows kms:*, but no key policy of the suite names it. */
  static final String READER_ROLE = "arn:aws:iam::000000000000:role/suite-reader";

  /** The one endpoint every client talks to. */
  protected abstract URI endpoint();

  /**
   * Whether the endpoint evaluates key policies. local-aws runs the suite with authorization enforced (so every
   * request of the suite is also SigV4-verified); LocalStack Community does not enforce IAM.
   */
  protected abstract boolean enforcesKeyPolicies();

  private <B extends AwsClientBuilder<B, ?>> B client(B builder) {
    return builder.endpointOverride(endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void kmsKeysWithCustomIdsAndMaterial() throws Exception {
    try (KmsClient kms = client(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String id = UUID.randomUUID().toString();
      byte[] material = new byte[32];
      new java.security.SecureRandom().nextBytes(material);
      String arn = kms.createKey(b -> b.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC)
          .tags(Tag.builder().tagKey("_custom_id_").tagValue(id).build(),
              Tag.builder().tagKey("_custom_key_material_").tagValue(Base64.getEncoder().encodeToString(material))
                  .build(),
              Tag.builder().tagKey("team").tagValue("payments").build())).keyMetadata().arn();
      assertEquals("arn:aws:kms:us-east-1:000000000000:key/" + id, arn);
      byte[] message = "order A-1001".getBytes(StandardCharsets.UTF_8);
      byte[] mac = kms.generateMac(b -> b.keyId(id).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
          .message(SdkBytes.fromByteArray(message))).mac().asByteArray();
      Mac expected = Mac.getInstance("HmacSHA256");
      expected.init(new SecretKeySpec(material, "HmacSHA256"));
      assertArrayEquals(expected.doFinal(message), mac, "the key computes with the material of its tag");
      var tags = kms.listResourceTags(b -> b.keyId(id)).tags();
      assertEquals(1, tags.size(), "the steering tags are not kept: " + tags);
      assertEquals("team", tags.get(0).tagKey());
    }
  }

  @Test
  void s3ObjectsThroughEncryptingS3Client() {
    try (KmsClient kms = client(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
        S3Client raw = client(S3Client.builder()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
            .build()) {
      String keyArn = kms.createKey(b -> b.description("s3 suite")).keyMetadata().arn();
      String bucket = unique("suite");
      raw.createBucket(b -> b.bucket(bucket));
      S3Client s3 = EncryptingS3Client.builder().wrappedClient(raw).keyring(KmsKeyring.create(kms, keyArn)).build();
      byte[] large = new byte[3 * 1024 * 1024 + 17];
      new java.util.Random(7).nextBytes(large);
      s3.putObject(b -> b.bucket(bucket).key("orders/o-1.json"), RequestBody.fromString("{\"card\":\"4111\"}"));
      s3.putObject(b -> b.bucket(bucket).key("blobs/ünï cødé.bin"), RequestBody.fromBytes(large));
      assertEquals("{\"card\":\"4111\"}", s3.getObjectAsBytes(b -> b.bucket(bucket).key("orders/o-1.json"))
          .asUtf8String());
      assertArrayEquals(large, s3.getObjectAsBytes(b -> b.bucket(bucket).key("blobs/ünï cødé.bin")).asByteArray());
      String stored = new String(raw.getObjectAsBytes(b -> b.bucket(bucket).key("orders/o-1.json")).asByteArray(),
          StandardCharsets.ISO_8859_1);
      assertFalse(stored.contains("4111"), "S3 holds ciphertext");
      assertEquals(2, raw.listObjectsV2(b -> b.bucket(bucket)).keyCount());
    }
  }

  @Test
  void dynamoDbTablesThroughTheEnhancedClientExtension() {
    try (KmsClient kms = client(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient ddb = client(DynamoDbClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String keyArn = kms.createKey(b -> b.description("ddb suite")).keyMetadata().arn();
      DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(ddb)
          .extensions(DynamoDbEncryptionExtension.builder().keyring(KmsKeyring.create(kms, keyArn)).build()).build();
      String tableName = unique("invoices");
      DynamoDbTable<Invoice> table = enhanced.table(tableName, TableSchema.fromBean(Invoice.class));
      table.createTable();
      table.putItem(new Invoice("i-1", "4111-1111-1111-1111"));
      assertEquals(new Invoice("i-1", "4111-1111-1111-1111"), table.getItem(Key.builder().partitionValue("i-1")
          .build()));
      Map<String, AttributeValue> stored = ddb.getItem(b -> b.tableName(tableName).key(Map.of("id",
          AttributeValue.fromS("i-1")))).item();
      assertEquals(AttributeValue.Type.B, stored.get("card").type());
      assertFalse(stored.toString().contains("4111"));
    }
  }

  @Test
  void stsIdentityAndRoleSwitch() {
    try (StsClient sts = client(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      var me = sts.getCallerIdentity();
      assertEquals("000000000000", me.account());
      String role = READER_ROLE;
      AssumeRoleResponse assumed = sts.assumeRole(b -> b.roleArn(role).roleSessionName("suite-session"));
      assertTrue(assumed.credentials().accessKeyId().startsWith("ASIA"), assumed.credentials().accessKeyId());
      assertEquals(role.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/suite-session",
          assumed.assumedRoleUser().arn());
      try (StsClient asRole = StsClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
              assumed.credentials().accessKeyId(), assumed.credentials().secretAccessKey(),
              assumed.credentials().sessionToken()))).build()) {
        assertEquals(assumed.assumedRoleUser().arn(), asRole.getCallerIdentity().arn());
      }
    }
  }

  @Test
  void aSwitchedRoleMeetsTheKeyPolicy() {
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::000000000000:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
        + "{\"aws:PrincipalArn\":\"arn:aws:iam::000000000000:root\"}}}]}";
    try (KmsClient kms = client(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
        StsClient sts = client(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String key = kms.createKey(b -> b.policy(policy).bypassPolicyLockoutSafetyCheck(true)).keyMetadata().arn();
      SdkBytes ciphertext = kms.encrypt(b -> b.keyId(key).plaintext(SdkBytes.fromUtf8String("payroll")))
          .ciphertextBlob();
      var credentials = sts.assumeRole(b -> b.roleArn(READER_ROLE).roleSessionName("reader")).credentials();
      try (KmsClient asReader = KmsClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
              credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken()))).build()) {
        if (enforcesKeyPolicies()) {
          AwsServiceException denied = org.junit.jupiter.api.Assertions.assertThrows(AwsServiceException.class,
              () -> asReader.decrypt(b -> b.ciphertextBlob(ciphertext)));
          assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
          assertTrue(denied.getMessage().contains(READER_ROLE + " is not authorized to perform: kms:Decrypt"),
              denied.getMessage());
        } else {
          // LocalStack Community: no IAM enforcement, so the key policy does not stop the role. The difference a
          // suite moving from LocalStack gains: this call now fails as it would in AWS.
          assertEquals("payroll", asReader.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
        }
      }
    }
  }

  @Test
  void healthSaysTheServicesRun() throws Exception {
    HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        endpoint().resolve("/_localstack/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    for (String service : new String[] {"kms", "s3", "dynamodb", "sts"}) {
      assertTrue(health.body().matches("(?s).*\"" + service + "\": ?\"(running|available)\".*"), health.body());
    }
  }

  @Test
  void awsEndpointUrlAloneReachesEveryService() {
    String previous = System.getProperty("aws.endpointUrl");
    System.setProperty("aws.endpointUrl", endpoint().toString());
    try (KmsClient kms = KmsClient.builder().region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
        DynamoDbClient ddb = DynamoDbClient.builder().region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
        S3Client s3 = S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
        StsClient sts = StsClient.builder().region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build()) {
      assertTrue(kms.listKeys().keys() != null);
      assertTrue(ddb.listTables().tableNames() != null);
      assertTrue(s3.listBuckets().buckets() != null);
      assertEquals("000000000000", sts.getCallerIdentity().account());
    } finally {
      if (previous == null) {
        System.clearProperty("aws.endpointUrl");
      } else {
        System.setProperty("aws.endpointUrl", previous);
      }
    }
  }
}
