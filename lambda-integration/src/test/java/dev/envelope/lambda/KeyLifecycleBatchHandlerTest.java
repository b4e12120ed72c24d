package dev.envelope.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.S3BatchEvent;
import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link KeyLifecycleBatchHandler} driven with S3 Batch Operations events of both schemas: inventory results name
 * the keys, re-key moves objects off the old key (then disabled), one task fails transiently (S3 answers 503) and
 * one permanently (no such object).
 */
class KeyLifecycleBatchHandlerTest {
  private static KmsEmulator kms;
  private static KmsClient admin;
  private static S3Client s3;
  private static String bucket;
  private static String oldKey;
  private static String newKey;

  @BeforeAll
  static void start() {
    kms = LambdaTestParts.kms();
    admin = kms.client(LambdaTestParts.ADMIN);
    oldKey = LambdaTestParts.keyFor(kms);
    newKey = LambdaTestParts.keyFor(kms);
    s3 = LambdaTestParts.s3();
    bucket = "batch-" + Long.toHexString(System.nanoTime());
    s3.createBucket(b -> b.bucket(bucket));
    EncryptingS3Client writer = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(admin, oldKey)).build();
    for (String key : List.of("orders/1 a+b.json", "orders/\u00fcber.json", "flaky.json")) {
      writer.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("doc " + key));
    }
    s3.putObject(b -> b.bucket(bucket).key("plain.txt"), RequestBody.fromString("plain"));
  }

  private static String encoded(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8);
  }

  /** S3 that answers 503 to every request about one key: a task S3 Batch should retry. */
  private static S3Client flaky(S3Client s3) {
    return new DelegatingS3Client(s3) {
      @Override
      public HeadObjectResponse headObject(HeadObjectRequest request) {
        if (request.key().equals("flaky.json")) {
          throw (S3Exception) S3Exception.builder().statusCode(503).message("Slow Down").build();
        }
        return super.headObject(request);
      }
    };
  }

  @Test
  void schema2InventoryNamesTheKeysOfEachObject() {
    S3BatchEventV2 event = new S3BatchEventV2("2.0", "inv-1", new S3BatchEventV2.Job("job-1", Map.of()),
        List.of(new S3BatchEventV2.Task("t1", encoded("orders/1 a+b.json"), null, bucket),
            new S3BatchEventV2.Task("t2", encoded("plain.txt"), null, bucket),
            new S3BatchEventV2.Task("t3", encoded("orders/missing.json"), null, bucket)));
    S3BatchResponse response = KeyLifecycleBatchHandler.inventory(s3).handleSchema2(event, null);
    List<S3BatchResponse.Result> results = response.getResults();
    assertEquals(S3BatchResponse.ResultCode.Succeeded, results.get(0).getResultCode());
    assertEquals("{\"format\":\"ENVELOPE_FRAMED\",\"keys\":[\"" + oldKey + "\"]}", results.get(0).getResultString());
    assertEquals("{\"format\":\"unencrypted\",\"keys\":[]}", results.get(1).getResultString());
    assertEquals(S3BatchResponse.ResultCode.PermanentFailure, results.get(2).getResultCode());
    assertEquals("2.0", response.getInvocationSchemaVersion());
    assertEquals(S3BatchResponse.ResultCode.PermanentFailure, response.getTreatMissingKeysAs());
  }

  @Test
  void aRekeyerThatMigratesEncryptsPlaintextObjectsAndSaysSo() {
    s3.putObject(b -> b.bucket(bucket).key("clear/migrate.txt"), RequestBody.fromString("clear"));
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(admin, newKey)).build();
    ObjectRekeyer migrator = ObjectRekeyer.builder().client(client).newWrappingKeys(KmsKeyring.create(admin, newKey))
        .migratePlaintext(true).build();
    S3BatchEventV2 event = new S3BatchEventV2("2.0", "migrate-1", new S3BatchEventV2.Job("job-3", Map.of()),
        List.of(new S3BatchEventV2.Task("t1", encoded("clear/migrate.txt"), null, bucket)));
    S3BatchResponse.Result result = KeyLifecycleBatchHandler.rekey(s3, migrator).handleSchema2(event, null)
        .getResults().get(0);
    assertEquals(S3BatchResponse.ResultCode.Succeeded, result.getResultCode());
    assertTrue(result.getResultString().startsWith("{\"outcome\":\"MIGRATED\"")
        && result.getResultString().contains("from unencrypted"), result.getResultString());
    assertEquals("clear", client.getObjectAsBytes(b -> b.bucket(bucket).key("clear/migrate.txt")).asUtf8String());
  }

  @Test
  void theDeployableFunctionIsConfiguredByItsEnvironment() {
    String from = LambdaTestParts.keyFor(kms);
    String to = LambdaTestParts.keyFor(kms);
    EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(admin, from)).build()
        .putObject(b -> b.bucket(bucket).key("fn/doc.json"), RequestBody.fromString("doc"));
    Map<String, String> env = Map.of("ENVELOPE_OPERATION", "rekey", "ENVELOPE_FROM_KEYS", " " + from + " ",
        "ENVELOPE_TO_KEYS", to, "ENVELOPE_REKEY_METHOD", "header");
    KeyLifecycleBatchFunction function = new KeyLifecycleBatchFunction(env::get, s3, admin);
    S3BatchEventV2 event = new S3BatchEventV2("2.0", "fn-1", new S3BatchEventV2.Job("job-4", Map.of()),
        List.of(new S3BatchEventV2.Task("t1", encoded("fn/doc.json"), null, bucket)));
    S3BatchResponse.Result result = function.handleRequest(event, null).getResults().get(0);
    assertEquals(S3BatchResponse.ResultCode.Succeeded, result.getResultCode(), result.getResultString());
    assertTrue(result.getResultString().contains(to), result.getResultString());
    assertEquals(KeyLifecycleBatchHandler.Operation.INVENTORY,
        new KeyLifecycleBatchFunction(Map.<String, String>of()::get, s3, admin).handler().operation());
    IllegalStateException noTarget = assertThrows(IllegalStateException.class,
        () -> new KeyLifecycleBatchFunction(Map.of("ENVELOPE_OPERATION", "migrate")::get, s3, admin));
    assertTrue(noTarget.getMessage().contains("ENVELOPE_TO_KEYS"), noTarget.getMessage());
  }

  @Test
  void schema1RekeyMovesObjectsOffTheOldKeyAndClassifiesFailures() {
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(flaky(s3))
        .keyring(KmsKeyring.create(admin, oldKey)).build();
    ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(client).newWrappingKeys(KmsKeyring.create(admin, newKey))
        .method(RekeyMethod.HEADER).onlyFrom(Set.of(oldKey)).build();
    S3BatchEvent event = new S3BatchEvent("1.0", "rekey-1", new S3BatchEvent.Job("job-2"),
        List.of(new S3BatchEvent.Task("t1", encoded("orders/1 a+b.json"), null, "arn:aws:s3:::" + bucket),
            new S3BatchEvent.Task("t2", encoded("orders/\u00fcber.json"), null, "arn:aws:s3:::" + bucket),
            new S3BatchEvent.Task("t3", encoded("flaky.json"), null, "arn:aws:s3:::" + bucket),
            new S3BatchEvent.Task("t4", encoded("gone.json"), null, "arn:aws:s3:::" + bucket),
            new S3BatchEvent.Task("t5", encoded("plain.txt"), null, "arn:aws:s3:::" + bucket)));
    KeyLifecycleBatchHandler handler = KeyLifecycleBatchHandler.rekey(s3, rekeyer);
    List<S3BatchResponse.Result> results = handler.handleSchema1(event, null).getResults();
    assertEquals(S3BatchResponse.ResultCode.Succeeded, results.get(0).getResultCode(), results.toString());
    assertTrue(results.get(0).getResultString().contains("REKEYED") && results.get(0).getResultString()
        .contains(newKey), results.get(0).getResultString());
    assertEquals(S3BatchResponse.ResultCode.Succeeded, results.get(1).getResultCode());
    assertEquals(S3BatchResponse.ResultCode.TemporaryFailure, results.get(2).getResultCode());
    assertEquals(S3BatchResponse.ResultCode.PermanentFailure, results.get(3).getResultCode());
    assertEquals(S3BatchResponse.ResultCode.Succeeded, results.get(4).getResultCode());
    assertTrue(results.get(4).getResultString().contains("SKIPPED"), results.get(4).getResultString());

    admin.disableKey(b -> b.keyId(oldKey));
    try {
      EncryptingS3Client reader = EncryptingS3Client.builder().wrappedClient(s3)
          .keyring(KmsKeyring.create(admin, newKey)).build();
      assertArrayEquals("doc orders/\u00fcber.json".getBytes(StandardCharsets.UTF_8), reader.getObjectAsBytes(b -> b
          .bucket(bucket).key("orders/\u00fcber.json")).asByteArray());
      // a retry of the same job finds the object already moved
      List<S3BatchResponse.Result> again = handler.handleSchema1(event, null).getResults();
      assertTrue(again.get(0).getResultString().contains("SKIPPED"), again.get(0).getResultString());
    } finally {
      admin.enableKey(b -> b.keyId(oldKey));
    }
  }
  /** A manifest of a versioned bucket names versions: inventory reads each; only the current one is re-keyed. */
  @Test
  void tasksNamingVersionsReadThatVersionAndReKeyOnlyTheCurrentOne() {
    String versioned = bucket + "-v";
    s3.createBucket(b -> b.bucket(versioned));
    s3.putBucketVersioning(b -> b.bucket(versioned).versioningConfiguration(c -> c.status("Enabled")));
    String firstKey = LambdaTestParts.keyFor(kms);
    String older = EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(admin, firstKey)).build()
        .putObject(b -> b.bucket(versioned).key("doc.json"), RequestBody.fromString("first")).versionId();
    String current = EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(admin, oldKey)).build()
        .putObject(b -> b.bucket(versioned).key("doc.json"), RequestBody.fromString("second")).versionId();
    assertNotEquals(older, current);
    List<S3BatchEventV2.Task> tasks = List.of(new S3BatchEventV2.Task("t1", "doc.json", older, versioned),
        new S3BatchEventV2.Task("t2", "doc.json", current, versioned));

    List<S3BatchResponse.Result> inventory = KeyLifecycleBatchHandler.inventory(s3).handleSchema2(
        new S3BatchEventV2("2.0", "inv-v", new S3BatchEventV2.Job("job-5", Map.of()), tasks), null).getResults();
    assertEquals("{\"format\":\"ENVELOPE_FRAMED\",\"keys\":[\"" + firstKey + "\"]}",
        inventory.get(0).getResultString());
    assertEquals("{\"format\":\"ENVELOPE_FRAMED\",\"keys\":[\"" + oldKey + "\"]}",
        inventory.get(1).getResultString());

    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(admin, oldKey)).build();
    ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(client).newWrappingKeys(KmsKeyring.create(admin, newKey))
        .build();
    List<S3BatchResponse.Result> rekey = KeyLifecycleBatchHandler.rekey(s3, rekeyer).handleSchema2(
        new S3BatchEventV2("2.0", "rekey-v", new S3BatchEventV2.Job("job-6", Map.of()), tasks), null).getResults();
    assertEquals(S3BatchResponse.ResultCode.PermanentFailure, rekey.get(0).getResultCode());
    assertTrue(rekey.get(0).getResultString().contains("is not the current version"),
        rekey.get(0).getResultString());
    assertEquals(S3BatchResponse.ResultCode.Succeeded, rekey.get(1).getResultCode(), rekey.get(1).getResultString());
    assertTrue(rekey.get(1).getResultString().contains("REKEYED"), rekey.get(1).getResultString());
    assertEquals("first", EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(admin,
        firstKey)).build().getObjectAsBytes(b -> b.bucket(versioned).key("doc.json").versionId(older))
        .asUtf8String(), "the older version is as it was");
  }
}
