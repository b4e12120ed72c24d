package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Eight threads at once through one port, authorization enforced (every request SigV4-verified), each mixing all
 * four services: every answer belongs to its own request and every round trip returns what went in.
 */
class ConcurrentClientsTest {
  @Test
  void eightThreadsMixingAllServicesGetTheirOwnAnswers() throws Exception {
    try (LocalAws aws = LocalAws.builder().port(0).config("{\"enforceAuthorization\": true}").build();
        KmsClient kms = aws.configure(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient ddb = aws.configure(DynamoDbClient.builder()).httpClient(UrlConnectionHttpClient.create())
            .build();
        S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create()).build();
        StsClient sts = aws.configure(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String key = kms.createKey(b -> b.description("concurrent")).keyMetadata().arn();
      ddb.createTable(b -> b.tableName("concurrent").billingMode("PAY_PER_REQUEST")
          .keySchema(k -> k.attributeName("id").keyType("HASH"))
          .attributeDefinitions(a -> a.attributeName("id").attributeType("S")));
      s3.createBucket(b -> b.bucket("concurrent"));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          Random random = new Random(thread);
          int checked = 0;
          for (int i = 0; i < 25; i++) {
            String id = thread + "-" + i;
            byte[] plaintext = new byte[random.nextInt(512) + 1];
            random.nextBytes(plaintext);
            SdkBytes ciphertext = kms.encrypt(b -> b.keyId(key).plaintext(SdkBytes.fromByteArray(plaintext))
                .encryptionContext(Map.of("id", id))).ciphertextBlob();
            assertArrayEquals(plaintext, kms.decrypt(b -> b.ciphertextBlob(ciphertext)
                .encryptionContext(Map.of("id", id))).plaintext().asByteArray());
            ddb.putItem(b -> b.tableName("concurrent").item(Map.of("id", AttributeValue.fromS(id),
                "v", AttributeValue.fromB(SdkBytes.fromByteArray(plaintext)))));
            assertArrayEquals(plaintext, ddb.getItem(b -> b.tableName("concurrent").key(Map.of("id",
                AttributeValue.fromS(id))).consistentRead(true)).item().get("v").b().asByteArray());
            byte[] object = new byte[random.nextInt(200_000)];
            random.nextBytes(object);
            s3.putObject(b -> b.bucket("concurrent").key(id), RequestBody.fromBytes(object));
            assertArrayEquals(object, s3.getObjectAsBytes(b -> b.bucket("concurrent").key(id)).asByteArray());
            assertEquals("000000000000", sts.getCallerIdentity().account());
            checked++;
          }
          return checked;
        }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      pool.shutdown();
      assertEquals(200, total);
      assertEquals(200, s3.listObjectsV2(b -> b.bucket("concurrent")).keyCount());
    }
  }
}
