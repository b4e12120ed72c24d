package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The AWS library's guards: the interceptor refuses to run on another service's client, or on an asynchronous
 * DynamoDB client (decrypting a response may call KMS, which would block the client's event loop). Both fail before
 * anything is sent.
 */
class InterceptorClientGuardTest {
  private static DynamoDbEncryptionInterceptor interceptor() {
    return DynamoDbEncryptionInterceptor.builder().table(TestItems.config("Orders", DdbTestParts.aesKeyring())
        .build()).build();
  }

  @Test
  void anotherServicesClientIsRefused() {
    SdkHttpClient neverCalled = new SdkHttpClient() {
      @Override
      public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        throw new AssertionError("the request must not be sent");
      }

      @Override
      public void close() {
      }
    };
    try (KmsClient kms = KmsClient.builder().httpClient(neverCalled).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor())).build()) {
      UnsupportedRequestException e = assertThrows(UnsupportedRequestException.class, () -> kms.listKeys());
      assertEquals("DynamoDbEncryptionInterceptor does not support use with services other than DynamoDb (this "
          + "client is Kms): add it to a DynamoDbClient only", e.getMessage());
    }
  }

  @Test
  void anAsyncClientIsRefusedBeforeAnythingIsSent() {
    SdkAsyncHttpClient neverCalled = new SdkAsyncHttpClient() {
      @Override
      public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
        throw new AssertionError("the request must not be sent");
      }

      @Override
      public void close() {
      }
    };
    try (DynamoDbAsyncClient ddb = DynamoDbAsyncClient.builder().httpClient(neverCalled).region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://localhost:1"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor())).build()) {
      CompletionException e = assertThrows(CompletionException.class, () -> ddb.getItem(b -> b.tableName("Orders")
          .key(Map.of("pk", AttributeValue.fromS("c"), "sk", AttributeValue.fromN("1")))).join());
      assertTrue(e.getCause() instanceof UnsupportedRequestException, e.toString());
      assertTrue(e.getCause().getMessage().startsWith("DynamoDbEncryptionInterceptor does not support use with the "
          + "Async client"), e.getCause().getMessage());
    }
  }
}
