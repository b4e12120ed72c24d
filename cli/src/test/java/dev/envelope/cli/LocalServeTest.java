package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope local serve}: one port that KMS and S3 clients use, keys kept in the data directory. */
class LocalServeTest {
  @TempDir
  Path data;

  @Test
  void servesKmsAndS3UntilStoppedAndKeepsKeysInTheDataDirectory() throws Exception {
    String arn = serve(endpoint -> {
      try (KmsClient kms = KmsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
          .build();
          S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
              .httpClient(UrlConnectionHttpClient.create())
              .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
              .build()) {
        s3.createBucket(b -> b.bucket("served"));
        assertEquals("served", s3.listBuckets().buckets().get(0).name());
        return kms.createKey(b -> b.description("kept")).keyMetadata().arn();
      }
    });
    String again = serve(endpoint -> {
      try (KmsClient kms = KmsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
          .build()) {
        return kms.describeKey(b -> b.keyId(arn)).keyMetadata().arn();
      }
    });
    assertEquals(arn, again, "the key survived the restart");
  }

  interface Use {
    String with(URI endpoint) throws Exception;
  }

  private String serve(Use use) throws Exception {
    LocalServeCommand.stop = new CountDownLatch(1);
    ReadyLine ready = new ReadyLine();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> EnvelopeCli.run(new String[] {"local",
        "serve", "--port", "0", "--data-dir", data.toString()}, new ByteArrayInputStream(new byte[0]),
        new PrintStream(ready, true, StandardCharsets.UTF_8), new PrintStream(err, true), false));
    assertTrue(ready.line.await(60, TimeUnit.SECONDS), "ready line; stderr: " + err);
    Matcher m = Pattern.compile("listening on (\\S+):").matcher(ready.text());
    assertTrue(m.find(), ready.text());
    try {
      return use.with(URI.create(m.group(1)));
    } finally {
      LocalServeCommand.stop.countDown();
      assertEquals(ExitCode.OK, run.get(60, TimeUnit.SECONDS));
    }
  }

  /** Standard output that opens a latch at its first line. */
  private static final class ReadyLine extends OutputStream {
    final CountDownLatch line = new CountDownLatch(1);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      if (b == '\n') {
        line.countDown();
      }
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
