package dev.envelope.dynamodb.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A client of an emulator's HTTP face, as another process would make it: a real socket, the real protocol. */
final class OverHttp {
  private OverHttp() {}

  static DynamoDbClient client(DynamoDbEmulator emulator) {
    try {
      return DynamoDbClient.builder().endpointOverride(emulator.startHttpServer(0).endpoint())
          .httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
