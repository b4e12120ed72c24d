package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * An emulator process (the runnable jar's main class) is killed with SIGKILL while four clients create keys,
 * rotate them, alias them and encrypt under them. Restarted on the same data directory, it has every key whose
 * CreateKey returned, and every ciphertext made before the kill decrypts.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
  private static final Pattern READY = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final int KEYS_BEFORE_KILL = 120;

  @TempDir
  Path dataDir;

  /** What a client saw succeed before the kill. */
  private record Made(String keyArn, SdkBytes ciphertext, String plaintext, Map<String, String> context) {}

  private record Emulator(Process process, URI endpoint) {}

  private Emulator start() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), KmsEmulatorMain.class.getName(),
        "--port", "0", "--data-dir", dataDir.toString());
    pb.redirectErrorStream(true);
    Process process = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      Matcher m = READY.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "emulator-output");
        drain.setDaemon(true);
        drain.start();
        return new Emulator(process, URI.create(m.group(1)));
      }
    }
    throw new AssertionError("the emulator exited before it was ready: " + process.waitFor());
  }

  private static KmsClient client(URI endpoint) {
    return KmsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDCRASH", "s")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void sigkillDuringWritesRestartKeepsEveryAcknowledgedKeyAndCiphertext() throws Exception {
    Emulator first = start();
    KmsClient kms = client(first.endpoint());
    ConcurrentLinkedQueue<String> createdKeys = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Made> made = new ConcurrentLinkedQueue<>();
    CountDownLatch enoughKeys = new CountDownLatch(KEYS_BEFORE_KILL);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int writer = t;
      Thread thread = new Thread(() -> {
        for (int i = 0; ; i++) {
          try {
            String arn = kms.createKey(b -> b.description("crash")).keyMetadata().arn();
            createdKeys.add(arn);
            enoughKeys.countDown();
            String plaintext = "w" + writer + "-" + i;
            Map<String, String> context = Map.of("writer", String.valueOf(writer));
            made.add(new Made(arn, kms.encrypt(b -> b.keyId(arn).plaintext(SdkBytes.fromUtf8String(plaintext))
                .encryptionContext(context)).ciphertextBlob(), plaintext, context));
            kms.rotateKeyOnDemand(b -> b.keyId(arn));
            String rotated = plaintext + "-rotated";
            made.add(new Made(arn, kms.encrypt(b -> b.keyId(arn).plaintext(SdkBytes.fromUtf8String(rotated))
                .encryptionContext(context)).ciphertextBlob(), rotated, context));
            kms.createAlias(b -> b.aliasName("alias/crash-" + writer + "-" + arn.substring(arn.length() - 8))
                .targetKeyId(arn));
          } catch (RuntimeException connectionLost) {
            return; // the kill: every call from here on fails
          }
        }
      }, "writer-" + t);
      writers.add(thread);
      thread.start();
    }
    assertTrue(enoughKeys.await(2, TimeUnit.MINUTES), "the writers made " + createdKeys.size() + " keys");
    first.process().destroyForcibly(); // SIGKILL on Linux and macOS: no shutdown hook runs
    first.process().waitFor();
    for (Thread thread : writers) {
      thread.join();
    }

    Emulator second = start();
    try {
      KmsClient restarted = client(second.endpoint());
      for (String arn : createdKeys) {
        assertEquals(arn, restarted.describeKey(b -> b.keyId(arn)).keyMetadata().arn());
      }
      for (Made m : made) {
        var decrypted = restarted.decrypt(b -> b.ciphertextBlob(m.ciphertext()).encryptionContext(m.context()));
        assertEquals(m.plaintext(), decrypted.plaintext().asUtf8String());
        assertEquals(m.keyArn(), decrypted.keyId());
      }
      assertTrue(made.size() >= KEYS_BEFORE_KILL, "ciphertexts checked: " + made.size());
    } finally {
      second.process().destroyForcibly();
    }
  }
}
