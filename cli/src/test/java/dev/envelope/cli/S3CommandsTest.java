package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectFormat;
import dev.envelope.s3.ObjectHeaderInfo;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code inventory}, {@code inspect} and {@code rekey} on a bucket in S3Proxy with keys in the KMS emulator, through
 * {@link EnvelopeCli#run}: the counts are what was written, rekey leaves nothing on the old key (which is then
 * disabled, and everything still decrypts), a dry run changes nothing, a checkpointed re-run does nothing again.
 */
class S3CommandsTest {
  private static final int UNDER_A = 7;
  private static final int UNDER_B = 4;
  private static final int PLAIN = 3;

  @TempDir
  Path dir;

  private S3Client s3;
  private KmsClient kms;
  private String bucket;
  private String keyA;
  private String keyB;
  private String keyC;

  @BeforeEach
  void fill() {
    s3 = Cli.s3();
    kms = Cli.kms();
    bucket = "cli-" + Long.toHexString(System.nanoTime());
    s3.createBucket(b -> b.bucket(bucket));
    keyA = Cli.newKmsKey("A");
    keyB = Cli.newKmsKey("B");
    keyC = Cli.newKmsKey("C");
    EncryptingS3Client underA = client(keyA);
    EncryptingS3Client underB = client(keyB);
    for (int i = 0; i < UNDER_A; i++) {
      byte[] data = TestKeyrings.bytes(1000 * i + (i == 3 ? 6 << 20 : 0), i);
      String k = key(i);
      underA.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(data));
    }
    for (int i = 0; i < UNDER_B; i++) {
      String k = "b/" + i;
      underB.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(TestKeyrings.bytes(500, k.length())));
    }
    for (int i = 0; i < PLAIN; i++) {
      String k = "plain/" + i;
      s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString("plain " + k));
    }
    EncryptingS3Client.builder().wrappedClient(Cli.s3()).s3ecKeyring(KmsS3ecKeyring.create(kms, keyA))
        .writeFormat(ObjectFormat.S3EC_V3).build()
        .putObject(b -> b.bucket(bucket).key("s3ec/legacy"), RequestBody.fromString("s3ec"));
  }

  private static String key(int i) {
    return "a/\u00fcber \u65e5\u672c/" + i + "+x";
  }

  private EncryptingS3Client client(String arn) {
    return EncryptingS3Client.builder().wrappedClient(Cli.s3()).keyring(KmsKeyring.create(kms, arn)).build();
  }

  @Test
  void inventoryCountsWhatWasWrittenFromHeadersAlone() throws IOException {
    Path manifest = dir.resolve("a.jsonl");
    Path batch = dir.resolve("a.csv");
    Cli.Result result = Cli.run("--output", "json", "inventory", "s3://" + bucket, "--endpoint-url", Cli.endpoint(),
        "--key", keyA, "--manifest", manifest.toString(), "--batch-manifest", batch.toString());
    assertEquals(ExitCode.OK, result.code(), result.toString());
    JsonNode doc = Json.MAPPER.readTree(result.out());
    assertEquals(UNDER_A + UNDER_B + PLAIN + 1, doc.get("objects").asInt());
    assertEquals(UNDER_A, doc.at("/keys/" + pointer(keyA) + "/objects").asInt(), result.out());
    assertEquals(UNDER_B, doc.at("/keys/" + pointer(keyB) + "/objects").asInt());
    assertEquals(PLAIN, doc.at("/keys/(unencrypted)/objects").asInt());
    assertEquals(1, doc.at("/keys/" + pointer("aws-kms:(not named in metadata)") + "/objects").asInt());
    assertEquals(UNDER_A, doc.get("selected").asInt());
    assertTrue(doc.get("bytesRead").asLong() < 15 * 8192, "headers only: " + doc.get("bytesRead"));
    List<String> lines = Files.readAllLines(manifest);
    assertEquals(UNDER_A, lines.size());
    assertEquals(keyA, Json.MAPPER.readTree(lines.get(0)).at("/wrappingKeys/0").asText());
    List<String> csv = Files.readAllLines(batch);
    assertEquals(bucket + "," + URLEncoder.encode(key(0), StandardCharsets.UTF_8).replace("+", "%20"), csv.get(0));

    kms.createAlias(b -> b.aliasName("alias/cli-b-" + bucket).targetKeyId(keyB));
    Cli.Result byAlias = Cli.run("--output", "json", "inventory", "s3://" + bucket, "--endpoint-url",
        Cli.endpoint(), "--key", "alias/cli-b-" + bucket);
    assertEquals(UNDER_B, Json.MAPPER.readTree(byAlias.out()).get("selected").asInt(), byAlias.toString());

    Cli.Result text = Cli.run("inventory", "s3://" + bucket + "/b/", "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.OK, text.code());
    assertTrue(text.out().contains(UNDER_B + " objects read from headers"), text.out());
  }

  @Test
  void inspectAnObject() throws IOException {
    Cli.Result result = Cli.run("inspect", "s3://" + bucket + "/" + key(2), "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.OK, result.code(), result.toString());
    JsonNode doc = Json.MAPPER.readTree(result.out());
    assertEquals(keyA, doc.at("/encryptedDataKeys/0/keyId").asText());
    assertEquals("ENVELOPE_FRAMED", doc.get("objectFormat").asText());
    assertEquals(bucket, doc.at("/encryptionContext/s3:bucket").asText());
    Cli.Result s3ec = Cli.run("inspect", "s3://" + bucket + "/s3ec/legacy", "--endpoint-url", Cli.endpoint());
    assertEquals("S3EC_V3", Json.MAPPER.readTree(s3ec.out()).get("format").asText(), s3ec.out());
    Cli.Result missing = Cli.run("inspect", "s3://" + bucket + "/nothing", "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.FAILED, missing.code());
    assertTrue(missing.err().contains("AWS:"), missing.err());
  }

  @Test
  void retireAKeyRekeyLeavesNothingOnItAndEverythingDecryptsWithItDisabled() throws IOException {
    String[] base = {"rekey", "s3://" + bucket, "--endpoint-url", Cli.endpoint(), "--from", keyA, "--to",
        "key=" + keyC};
    Cli.Result dry = Cli.run(Cli.concat(base, "--dry-run", "--report", dir.resolve("dry.jsonl").toString()));
    assertEquals(ExitCode.OK, dry.code(), dry.toString());
    assertEquals(UNDER_A, Files.readAllLines(dir.resolve("dry.jsonl")).stream()
        .filter(l -> l.contains("WOULD_CHANGE")).count());
    assertEquals(UNDER_A, dependents(keyA), "a dry run changes nothing");

    Path checkpoint = dir.resolve("rekey.checkpoint");
    Path audit = dir.resolve("audit.jsonl");
    Cli.Result run = Cli.run(Cli.concat(base, "--method", "header", "--checkpoint", checkpoint.toString(),
        "--report", dir.resolve("rekey.jsonl").toString(), "--audit-log", audit.toString(), "--output", "json"));
    assertEquals(ExitCode.OK, run.code(), run.toString());
    JsonNode summary = Json.MAPPER.readTree(run.out());
    assertEquals(UNDER_A, summary.get("done").asInt(), run.out());
    assertFalse(summary.get("olderVersionsKept").asBoolean(), "the bucket keeps no versions");
    assertEquals(UNDER_B + PLAIN + 1, summary.get("skipped").asInt());
    assertTrue(summary.get("bytesCopiedInS3").asLong() > 1 << 20, "the large object's body was copied in S3");
    assertEquals(0, dependents(keyA), "nothing left on the old key");
    assertEquals(UNDER_A, Files.readAllLines(audit).stream().filter(l -> l.contains("\"REWRAP\"")).count());

    kms.disableKey(b -> b.keyId(keyA));
    EncryptingS3Client reader = client(keyC);
    for (int i = 0; i < UNDER_A; i++) {
      byte[] expected = TestKeyrings.bytes(1000 * i + (i == 3 ? 6 << 20 : 0), i);
      String k = key(i);
      assertArrayEquals(expected, reader.getObjectAsBytes(b -> b.bucket(bucket).key(k)).asByteArray());
    }

    Cli.Result again = Cli.run(Cli.concat(base, "--checkpoint", checkpoint.toString(), "--output", "json"));
    JsonNode second = Json.MAPPER.readTree(again.out());
    assertEquals(ExitCode.OK, again.code(), again.toString());
    assertEquals(0, second.get("done").asInt(), "a checkpointed re-run does nothing");
    assertEquals(UNDER_A + UNDER_B + PLAIN + 1, second.get("skipped").asInt());
  }

  /**
   * The trap of retiring a key in a versioned bucket: a re-key writes new current versions and leaves the older
   * ones under the old key, which they keep needing. Inventory reads every version there and says so.
   */
  @Test
  void inAVersionedBucketOlderVersionsLeftOnTheOldKeyAreCounted() throws IOException {
    String versioned = bucket + "-v";
    s3.createBucket(b -> b.bucket(versioned));
    s3.putBucketVersioning(b -> b.bucket(versioned).versioningConfiguration(c -> c.status("Enabled")));
    EncryptingS3Client underA = client(keyA);
    for (int i = 0; i < 3; i++) {
      String k = key(i);
      underA.putObject(b -> b.bucket(versioned).key(k), RequestBody.fromBytes(TestKeyrings.bytes(700, i)));
    }
    s3.deleteObject(b -> b.bucket(versioned).key(key(2))); // a delete marker over a version still on key A
    Cli.Result rekey = Cli.run("rekey", "s3://" + versioned, "--endpoint-url", Cli.endpoint(), "--from", keyA,
        "--to", "key=" + keyC);
    assertEquals(ExitCode.OK, rekey.code(), rekey.toString());
    assertTrue(rekey.out().contains("the bucket keeps versions: each object changed keeps its older version"),
        rekey.out());

    Path manifest = dir.resolve("left.jsonl");
    Path batch = dir.resolve("left.csv");
    Cli.Result json = Cli.run("--output", "json", "inventory", "s3://" + versioned, "--endpoint-url",
        Cli.endpoint(), "--key", keyA, "--manifest", manifest.toString(), "--batch-manifest", batch.toString());
    assertEquals(ExitCode.OK, json.code(), json.toString());
    JsonNode doc = Json.MAPPER.readTree(json.out());
    assertEquals("every version read", doc.get("versions").asText(), json.out());
    assertEquals(0, doc.at("/keys/" + pointer(keyA) + "/objects").asInt(), "no current object on key A");
    assertEquals(3, doc.at("/keys/" + pointer(keyA) + "/noncurrentVersions").asInt(), json.out());
    assertEquals(2, doc.at("/keys/" + pointer(keyC) + "/objects").asInt(), json.out());
    assertEquals(3, doc.get("selected").asInt());
    assertEquals(3, doc.get("selectedNoncurrentVersions").asInt());
    List<String> lines = Files.readAllLines(manifest);
    assertEquals(3, lines.size());
    for (String line : lines) {
      JsonNode record = Json.MAPPER.readTree(line);
      assertFalse(record.get("current").asBoolean(), line);
      String version = record.get("versionId").asText();
      String k = record.get("key").asText();
      assertEquals(List.of(keyA), ObjectHeaderInfo.read(s3, versioned, k, version)
          .wrappingKeyIds(), "the version named is the one on key A");
      Cli.Result older = Cli.run("inspect", "s3://" + versioned + "/" + k, "--version-id", version,
          "--endpoint-url", Cli.endpoint());
      JsonNode olderDoc = Json.MAPPER.readTree(older.out());
      assertEquals(keyA, olderDoc.at("/encryptedDataKeys/0/keyId").asText(), older.toString());
      assertEquals(version, olderDoc.at("/object/versionId").asText());
    }
    Cli.Result current = Cli.run("inspect", "s3://" + versioned + "/" + key(0), "--endpoint-url", Cli.endpoint());
    assertEquals(keyC, Json.MAPPER.readTree(current.out()).at("/encryptedDataKeys/0/keyId").asText(),
        current.toString());
    Cli.Result noSuchVersion = Cli.run("inspect", "s3://" + versioned + "/" + key(0), "--version-id", "nope",
        "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.FAILED, noSuchVersion.code(), noSuchVersion.toString());
    Cli.Result notS3 = Cli.run("inspect", dir.resolve("x").toString(), "--version-id", "v1");
    assertEquals(ExitCode.USAGE, notS3.code(), notS3.toString());
    assertEquals(List.of(), Files.readAllLines(batch), "older versions cannot be re-keyed: none in a batch manifest");

    Cli.Result text = Cli.run("inventory", "s3://" + versioned, "--endpoint-url", Cli.endpoint(), "--key", keyA);
    assertEquals(ExitCode.OK, text.code(), text.toString());
    assertTrue(text.out().contains("0 objects depend on " + keyA + ", and 3 older versions of objects, which keep "
        + "needing it until they are deleted"), text.out());
  }

  @Test
  void rekeyWithS3ecRewrapsS3EncryptionClientObjectsInPlace() throws IOException {
    Cli.Result run = Cli.run("--output", "json", "rekey", "s3://" + bucket, "--endpoint-url", Cli.endpoint(),
        "--from", keyA, "--to", "key=" + keyC, "--s3ec");
    assertEquals(ExitCode.OK, run.code(), run.toString());
    assertEquals(UNDER_A + 1, Json.MAPPER.readTree(run.out()).get("done").asInt(), run.out());
    kms.disableKey(b -> b.keyId(keyA));
    EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(Cli.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, keyC)).keyring(KmsKeyring.create(kms, keyC)).build();
    assertEquals("s3ec", reader.getObjectAsBytes(b -> b.bucket(bucket).key("s3ec/legacy")).asUtf8String());
    Cli.Result usage = Cli.run("rekey", "s3://" + bucket, "--to", "key=" + keyC, "--s3ec");
    assertEquals(ExitCode.USAGE, usage.code(), usage.toString());
  }

  @Test
  void aRekeyThatCannotUseTheOldKeyFailsEachObjectAndSaysWhy() throws IOException {
    kms.disableKey(b -> b.keyId(keyB));
    Cli.Result run = Cli.run("rekey", "s3://" + bucket + "/b/", "--endpoint-url", Cli.endpoint(), "--from", keyB,
        "--to", "key=" + keyC);
    assertEquals(ExitCode.FAILED, run.code(), run.toString());
    assertTrue(run.out().contains(UNDER_B + " failed") && run.out().contains("disabled"), run.out());
    Cli.Result usage = Cli.run("rekey", "s3://" + bucket, "--to", "key=" + keyC, "--from", "ns/raw-key");
    assertEquals(ExitCode.USAGE, usage.code(), usage.toString());
    Cli.Result noAlias = Cli.run("rekey", "s3://" + bucket, "--endpoint-url", Cli.endpoint(), "--to",
        "key=" + keyC, "--from", "alias/no-such-alias");
    assertEquals(ExitCode.FAILED, noAlias.code(), noAlias.toString());
    assertTrue(noAlias.err().contains("alias/no-such-alias"), noAlias.err());
  }

  @Test
  void migrateMovesS3ecAndPlaintextObjectsIntoTheFramedFormat() throws IOException {
    String[] base = {"migrate", "s3://" + bucket, "--endpoint-url", Cli.endpoint(), "--to", "key=" + keyC,
        "--s3ec-key", keyA, "--formats", "s3ec,plaintext", "--output", "json"};
    Cli.Result dry = Cli.run(Cli.concat(base, "--dry-run", "--report", dir.resolve("dry.jsonl").toString()));
    assertEquals(ExitCode.OK, dry.code(), dry.toString());
    assertEquals(1 + PLAIN, Files.readAllLines(dir.resolve("dry.jsonl")).stream()
        .filter(l -> l.contains("WOULD_CHANGE")).count());

    Cli.Result run = Cli.run(base);
    assertEquals(ExitCode.OK, run.code(), run.toString());
    JsonNode summary = Json.MAPPER.readTree(run.out());
    assertEquals(1 + PLAIN, summary.get("done").asInt(), run.out());
    assertEquals(UNDER_A + UNDER_B, summary.get("skipped").asInt());

    Cli.Result inventory = Cli.run("--output", "json", "inventory", "s3://" + bucket, "--endpoint-url",
        Cli.endpoint());
    JsonNode doc = Json.MAPPER.readTree(inventory.out());
    assertEquals(1 + PLAIN, doc.at("/keys/" + pointer(keyC) + "/objects").asInt(), inventory.out());
    assertTrue(doc.at("/keys/(unencrypted)").isMissingNode(), inventory.out());
    EncryptingS3Client reader = client(keyC);
    assertEquals("s3ec", reader.getObjectAsBytes(b -> b.bucket(bucket).key("s3ec/legacy")).asUtf8String());
    assertEquals("plain plain/1", reader.getObjectAsBytes(b -> b.bucket(bucket).key("plain/1")).asUtf8String());

    Cli.Result missingKey = Cli.run("migrate", "s3://" + bucket, "--to", "key=" + keyC);
    assertEquals(ExitCode.USAGE, missingKey.code());
    assertTrue(missingKey.err().contains("--s3ec-key"), missingKey.err());
  }

  @Test
  void migrateToS3ecV3() throws IOException {
    Cli.Result run = Cli.run("--output", "json", "migrate", "s3://" + bucket + "/plain/", "--endpoint-url",
        Cli.endpoint(), "--to", "key=" + keyC, "--formats", "plaintext", "--target", "s3ec-v3");
    assertEquals(ExitCode.OK, run.code(), run.toString());
    assertEquals(PLAIN, Json.MAPPER.readTree(run.out()).get("done").asInt(), run.out());
    Cli.Result inspect = Cli.run("inspect", "s3://" + bucket + "/plain/0", "--endpoint-url", Cli.endpoint());
    assertEquals("S3EC_V3", Json.MAPPER.readTree(inspect.out()).get("format").asText(), inspect.out());
    EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(Cli.s3())
        .s3ecKeyring(KmsS3ecKeyring.create(kms, keyC)).keyring(KmsKeyring.create(kms, keyC)).build();
    assertEquals("plain plain/0", reader.getObjectAsBytes(b -> b.bucket(bucket).key("plain/0")).asUtf8String());
    Cli.Result bad = Cli.run("migrate", "s3://" + bucket, "--to", "key=" + keyC, "--formats", "plaintext",
        "--target", "s3ec-v1", "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.USAGE, bad.code(), bad.toString());
  }

  /**
   * A checkpoint remembers objects as the run left them: one written again since (by an application still on the old
   * key) is done again, not skipped, and the checkpoint of another run is refused instead of read as this one's.
   */
  @Test
  void aCheckpointSkipsOnlyWhatIsAsTheRunLeftItAndOnlyForItsOwnRun() throws IOException {
    Path checkpoint = dir.resolve("a.checkpoint");
    String[] base = {"--output", "json", "rekey", "s3://" + bucket + "/a/", "--endpoint-url", Cli.endpoint(),
        "--from", keyA, "--checkpoint", checkpoint.toString()};
    Cli.Result first = Cli.run(Cli.concat(base, "--to", "key=" + keyC));
    assertEquals(UNDER_A, Json.MAPPER.readTree(first.out()).get("done").asInt(), first.toString());
    String rewritten = key(1);
    client(keyA).putObject(b -> b.bucket(bucket).key(rewritten), RequestBody.fromString("written again"));

    Cli.Result resumed = Cli.run(Cli.concat(base, "--to", "key=" + keyC));
    JsonNode summary = Json.MAPPER.readTree(resumed.out());
    assertEquals(1, summary.get("done").asInt(), resumed.toString());
    assertEquals(UNDER_A - 1, summary.get("skipped").asInt());
    assertEquals(0, dependents(keyA), "the object written again is on the new key too");
    assertEquals("written again", client(keyC).getObjectAsBytes(b -> b.bucket(bucket).key(rewritten))
        .asUtf8String());

    Cli.Result other = Cli.run(Cli.concat(base, "--to", "key=" + keyB));
    assertEquals(ExitCode.USAGE, other.code(), other.toString());
    assertTrue(other.err().contains("--checkpoint " + checkpoint + " is the checkpoint of another run"),
        other.err());
    Cli.Result inventory = Cli.run("inventory", "s3://" + bucket + "/a/", "--endpoint-url", Cli.endpoint(),
        "--checkpoint", checkpoint.toString());
    assertEquals(ExitCode.USAGE, inventory.code(), inventory.toString());
    assertEquals(UNDER_A, dependents(keyC), "a refused run changes nothing");
  }

  private int dependents(String arn) throws IOException {
    Cli.Result result = Cli.run("--output", "json", "inventory", "s3://" + bucket, "--endpoint-url", Cli.endpoint(),
        "--key", arn);
    return Json.MAPPER.readTree(result.out()).get("selected").asInt();
  }

  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
