package dev.envelope.samples;

import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything SecureCart runs on, in this JVM: the KMS emulator enforcing key policies (account 000000000000,
 * us-east-1, as LocalStack), S3Proxy with an in-memory store, and the project's DynamoDB emulator in memory.
 * Nothing to install, no Docker, no network beyond loopback.
 */
final class EmbeddedParts implements AutoCloseable {
  static final String ACCOUNT = KmsEmulator.DEFAULT_ACCOUNT;
  /** Runs the key administration (creates keys, edits policies). */
  static final Principal ADMIN = Principal.user(ACCOUNT, "securecart-admin");
  /** The web application that encrypts and uploads orders and writes the order table. */
  static final Principal APP = Principal.role(ACCOUNT, "securecart-app");
  /** The Lambda function's execution role. */
  static final Principal LAMBDA_ROLE = Principal.role(ACCOUNT, "securecart-order-processor");

  final KmsEmulator kms;
  private final S3Proxy s3Proxy;
  private final URI s3Endpoint;
  private final DynamoDbEmulator dynamoDb = DynamoDbEmulator.create();

  EmbeddedParts() throws Exception {
    kms = KmsEmulator.builder().enforceAuthorization(true)
        .iamPolicy(ADMIN, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\"}]}")
        .build();
    s3Proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "securecart", "securecart").build();
    s3Proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(s3Proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start within 30 s");
      }
      Thread.onSpinWait();
    }
    s3Endpoint = URI.create("http://127.0.0.1:" + s3Proxy.getPort());
  }

  S3Client s3() {
    return S3Client.builder().endpointOverride(s3Endpoint).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("securecart",
            "securecart")))
        .build();
  }

  DynamoDbClient dynamoDb(ExecutionInterceptor interceptor) {
    return dynamoDb.clientBuilder()
        .overrideConfiguration(c -> {
          c.retryStrategy(AwsRetryStrategy.doNotRetry());
          if (interceptor != null) {
            c.addExecutionInterceptor(interceptor);
          }
        })
        .build();
  }

  /** Stops the parts; a part that fails to stop is reported unchecked (nothing the caller could retry). */
  @Override
  public void close() {
    try {
      dynamoDb.close();
    } finally {
      try {
        s3Proxy.stop();
      } catch (Exception e) {
        throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
      } finally {
        kms.close();
      }
    }
  }
}
