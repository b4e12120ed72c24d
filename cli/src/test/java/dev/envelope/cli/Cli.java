package dev.envelope.cli;

import dev.envelope.localaws.LocalAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs the command as {@code main} does, on captured streams, against one local AWS endpoint (KMS emulator,
 * S3Proxy) started once for all CLI tests. Credentials and Region come the way a user's would: the SDK's default
 * chain (system properties here).
 */
final class Cli {
  private static LocalAws aws;

  /** What a run printed and returned. */
  record Result(int code, String out, byte[] outBytes, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  private Cli() {}

  static synchronized LocalAws aws() {
    if (aws == null) {
      System.setProperty("aws.accessKeyId", "test");
      System.setProperty("aws.secretAccessKey", "test");
      System.setProperty("aws.region", "us-east-1");
      aws = LocalAws.builder().port(0).build();
    }
    return aws;
  }

  static String endpoint() {
    return aws().endpoint().toString();
  }

  static KmsClient kms() {
    return KmsClient.builder().endpointOverride(aws().endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  static S3Client s3() {
    return S3Client.builder().endpointOverride(aws().endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  static String newKmsKey(String description) {
    try (KmsClient kms = kms()) {
      return kms.createKey(b -> b.description(description)).keyMetadata().arn();
    }
  }

  static Result run(String... args) {
    return run(new byte[0], args);
  }

  static Result run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(stdin);
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = EnvelopeCli.run(args, in, o, e, false);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), out.toByteArray(),
        err.toString(StandardCharsets.UTF_8));
  }

  /** {@code a} followed by {@code b}: a command line with a few more arguments. */
  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
