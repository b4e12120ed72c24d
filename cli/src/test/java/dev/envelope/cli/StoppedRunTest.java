package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectHeaderInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A re-key stopped by a signal, as a user's Ctrl-C or a scheduler's SIGTERM stops it, in a process of its own: the
 * objects in flight finish instead of leaving incomplete multipart uploads behind, every object is whole under one
 * key or the other, the report and checkpoint say which, and the next run does the rest.
 */
class StoppedRunTest {
  private static final int OBJECTS = 6;
  private static final int SIZE = 24 << 20; // above the multipart threshold: each re-encryption is a multipart upload

  @TempDir
  Path dir;

  @Test
  void aStoppedRekeyFinishesWhatItStartedAndTheNextRunTheRest() throws Exception {
    S3Client s3 = Cli.s3();
    String bucket = "stop-" + Long.toHexString(System.nanoTime());
    s3.createBucket(b -> b.bucket(bucket));
    String oldKey = Cli.newKmsKey("stopped old");
    String newKey = Cli.newKmsKey("stopped new");
    EncryptingS3Client writer = EncryptingS3Client.builder().wrappedClient(Cli.s3())
        .keyring(KmsKeyring.create(Cli.kms(), oldKey)).build();
    for (int i = 0; i < OBJECTS; i++) {
      String k = "big/" + i;
      writer.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(TestKeyrings.bytes(SIZE, i)));
    }
    Path report = dir.resolve("report.jsonl");
    Path checkpoint = dir.resolve("rekey.checkpoint");
    String[] rekey = {"rekey", "s3://" + bucket, "--endpoint-url", Cli.endpoint(), "--from", oldKey, "--to",
        "key=" + newKey, "--parallel", "2", "--report", report.toString(), "--checkpoint", checkpoint.toString()};
    // Standard error apart: the test class path gives the child a console logger on standard output.
    Path err = dir.resolve("child.err");
    Process child = new ProcessBuilder(childCommand(rekey)).redirectError(err.toFile())
        .redirectOutput(dir.resolve("child.out").toFile()).start();
    // Stopped while an object's multipart upload is open: the moment a cut-off would leave it behind.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty() && child.isAlive()
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertTrue(child.isAlive(), "the run was still going when stopped: " + Files.readString(err));
    child.destroy(); // SIGTERM: what a scheduler sends, and Ctrl-C's SIGINT runs the same shutdown
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    String errors = Files.readString(err);
    assertEquals(143, child.exitValue(), errors);
    assertTrue(errors.contains("envelope rekey: stopping: no new item starts"), errors);

    assertEquals(List.of(), s3.listMultipartUploads(b -> b.bucket(bucket)).uploads(),
        "no multipart upload is left behind");
    List<String> done = Files.readAllLines(report);
    assertTrue(done.size() < OBJECTS, "stopped before the end: " + done.size());
    long rekeyed = done.stream().filter(line -> line.contains("\"REKEYED\"")).count();
    assertEquals(done.size(), rekeyed, done.toString());
    EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(Cli.s3())
        .keyring(MultiKeyring.create(KmsKeyring.create(Cli.kms(), oldKey), List.of(KmsKeyring.create(Cli.kms(),
            newKey)))).build();
    int onNewKey = 0;
    for (int i = 0; i < OBJECTS; i++) {
      String k = "big/" + i;
      assertArrayEquals(TestKeyrings.bytes(SIZE, i), reader.getObjectAsBytes(b -> b.bucket(bucket).key(k))
          .asByteArray(), k);
      onNewKey += ObjectHeaderInfo.read(s3, bucket, k).wrappingKeyIds().equals(List.of(newKey)) ? 1 : 0;
    }
    assertEquals(rekeyed, onNewKey, "the report names every object moved, and only those");

    Cli.Result rest = Cli.run(Cli.concat(new String[] {"--output", "json"}, rekey));
    JsonNode summary = Json.MAPPER.readTree(rest.out());
    assertEquals(ExitCode.OK, rest.code(), rest.toString());
    assertEquals(OBJECTS - rekeyed, summary.get("done").asLong(), rest.out());
    assertEquals(rekeyed, summary.get("skipped").asLong(), "the stopped run's objects are in its checkpoint");
  }

  private static List<String> childCommand(String[] args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Daws.accessKeyId=test", "-Daws.secretAccessKey=test", "-Daws.region=us-east-1",
        "-cp", System.getProperty("java.class.path"), EnvelopeCli.class.getName()));
    command.addAll(List.of(args));
    return command;
  }
}
