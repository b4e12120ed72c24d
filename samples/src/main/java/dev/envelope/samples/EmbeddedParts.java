package dev.envelope.samples;

import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import dev.envelope.s3.emulator.AccessPoint;
import dev.envelope.s3.emulator.S3Emulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything SecureCart runs on, in this JVM: the KMS emulator enforcing key policies (account 000000000000,
 * us-east-1, as LocalStack), S3 (S3Proxy through the project's s3-emulator, on a temporary directory) with the
 * FSx for ONTAP volume's access point, and the project's DynamoDB emulator in memory. The volume is a directory
 * of that S3: its access point serves it as objects, and the directory is what a server mounting the volume over
 * NFS sees. Nothing to install, no Docker, no network beyond loopback.
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
  private final Path s3Directory;
  private final S3Emulator s3;
  /** The access point attached to the FSx for ONTAP volume that holds the order documents. */
  final AccessPoint orders;
  private final DynamoDbEmulator dynamoDb = DynamoDbEmulator.create();

  EmbeddedParts() throws IOException {
    kms = KmsEmulator.builder().enforceAuthorization(true)
        .iamPolicy(ADMIN, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\"}]}")
        .build();
    s3Directory = Files.createTempDirectory("securecart-s3");
    s3 = S3Emulator.builder().directory(s3Directory).build();
    orders = s3.createAccessPoint(AccessPoint.onFsxOntapVolume("securecart-orders", "vol-securecart-orders"));
  }

  S3Client s3() {
    return s3.client();
  }

  /** The orders volume as a server that mounts it over NFS sees it. */
  Path ordersMount() {
    return s3.volumeDirectory(orders);
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
        s3.close();
      } finally {
        try {
          kms.close();
        } finally {
          deleteRecursively(s3Directory);
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
