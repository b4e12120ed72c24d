package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.RawAesKeyring;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** Tampered metadata, instruction files, ciphertext and key binding; wrong keys; plaintext and legacy objects. */
class TamperingTest {
  private static S3Client plain;
  private static String bucket;
  private static EncryptingS3Client framed;
  private static EncryptingS3Client v3;
  private static EncryptingS3Client v2;
  private static final byte[] DATA = S3TestParts.random(100_000, 21);

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "tamper");
    framed = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.kmsKeyring())
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn()))
        .auditSink(new InMemoryAuditSink()).build();
    v3 = framed.toBuilder().writeFormat(ObjectFormat.S3EC_V3).build();
    v2 = framed.toBuilder().writeFormat(ObjectFormat.S3EC_V2)
        .s3ecCommitmentPolicy(dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
  }

  private static byte[] get(S3Client c, String key) {
    return c.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  private static void put(S3Client c, String key) {
    c.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(DATA));
  }

  /** Rewrites the stored object with the plain client: bytes and metadata changed by {@code change}. */
  private static void rewrite(String key, Consumer<byte[]> bytes, Consumer<Map<String, String>> metadata) {
    ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key));
    byte[] body = stored.asByteArray();
    bytes.accept(body);
    Map<String, String> m = new HashMap<>(stored.response().metadata());
    metadata.accept(m);
    plain.putObject(b -> b.bucket(bucket).key(key).metadata(m), RequestBody.fromBytes(body));
  }

  @Test
  void flippedCiphertextFailsInEveryFormat() {
    for (EncryptingS3Client c : new EncryptingS3Client[] {framed, v3, v2}) {
      String key = "flip-" + c.hashCode();
      put(c, key);
      rewrite(key, b -> b[b.length / 2] ^= 1, m -> { });
      assertThrows(AuthenticationFailedException.class, () -> get(c, key));
      rewrite(key, b -> { }, m -> { });
    }
  }

  @Test
  void truncatedObjectFails() {
    put(v3, "truncated");
    ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key("truncated"));
    byte[] cut = java.util.Arrays.copyOf(stored.asByteArray(), stored.asByteArray().length - 1);
    plain.putObject(b -> b.bucket(bucket).key("truncated").metadata(stored.response().metadata()),
        RequestBody.fromBytes(cut));
    assertThrows(AuthenticationFailedException.class, () -> get(v3, "truncated"));
  }

  @Test
  void objectMovedToAnotherKeyWithoutOurCopyFailsAndOurCopyWorks() {
    put(framed, "original");
    ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key("original"));
    plain.putObject(b -> b.bucket(bucket).key("moved").metadata(stored.response().metadata()),
        RequestBody.fromBytes(stored.asByteArray()));
    EncryptionContextMismatchException e = assertThrows(EncryptionContextMismatchException.class,
        () -> get(framed, "moved"));
    assertTrue(e.getMessage().contains("s3:key") || e.getMessage().contains("context"), e.getMessage());
    framed.copyObject(b -> b.sourceBucket(bucket).sourceKey("original").destinationBucket(bucket)
        .destinationKey("copied"));
    assertArrayEquals(DATA, get(framed, "copied"));
    // S3EC formats bind the location only when asked (the S3 Encryption Client does not): a raw server-side copy
    // of a bound object fails on the context, one of an unbound object reads as the S3EC would read it.
    EncryptingS3Client bound = v3.toBuilder().s3ecLocationBinding(true).build();
    put(bound, "v3-original");
    plain.copyObject(b -> b.sourceBucket(bucket).sourceKey("v3-original").destinationBucket(bucket)
        .destinationKey("v3-moved"));
    assertThrows(EncryptionContextMismatchException.class, () -> get(v3, "v3-moved"));
    put(v3, "v3-unbound");
    plain.copyObject(b -> b.sourceBucket(bucket).sourceKey("v3-unbound").destinationBucket(bucket)
        .destinationKey("v3-unbound-moved"));
    assertArrayEquals(DATA, get(v3, "v3-unbound-moved"));
    v3.copyObject(b -> b.sourceBucket(bucket).sourceKey("v3-original").destinationBucket(bucket)
        .destinationKey("v3-copied"));
    assertArrayEquals(DATA, get(v3, "v3-copied"));
  }

  @Test
  void tamperedS3ecMetadataIsDetected() {
    put(v3, "v3-meta");
    rewrite("v3-meta", b -> { }, m -> m.put("x-amz-d", Base64.getEncoder().encodeToString(new byte[28])));
    AuthenticationFailedException commitment = assertThrows(AuthenticationFailedException.class,
        () -> get(v3, "v3-meta"));
    assertTrue(commitment.getMessage().contains("Key commitment"), commitment.getMessage());

    Map<String, String> tenant = Map.of("tenant", "acme");
    v3.putObject(b -> b.bucket(bucket).key("v3-context")
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(tenant)), RequestBody.fromBytes(DATA));
    rewrite("v3-context", b -> { }, m -> m.put("x-amz-t", m.get("x-amz-t").replace("acme", "other")));
    assertThrows(EncryptionContextMismatchException.class, () -> v3.getObjectAsBytes(b -> b.bucket(bucket)
        .key("v3-context").overrideConfiguration(EncryptingS3Client.withEncryptionContext(tenant))));

    put(v2, "v2-iv");
    rewrite("v2-iv", b -> { }, m -> m.put("x-amz-iv", Base64.getEncoder().encodeToString(new byte[12])));
    assertThrows(AuthenticationFailedException.class, () -> get(v2, "v2-iv"));

    put(v2, "v2-key");
    rewrite("v2-key", b -> { }, m -> {
      byte[] key = Base64.getDecoder().decode(m.get("x-amz-key-v2"));
      key[key.length - 1] ^= 1;
      m.put("x-amz-key-v2", Base64.getEncoder().encodeToString(key));
    });
    KeyAccessDeniedException kms = assertThrows(KeyAccessDeniedException.class, () -> get(v2, "v2-key"));
    assertTrue(kms.getMessage().contains(S3TestParts.keyArn()), kms.getMessage());

    put(v3, "v3-mixed");
    rewrite("v3-mixed", b -> { }, m -> m.put("x-amz-key-v2", "AAAA"));
    assertThrows(dev.envelope.core.MalformedMessageException.class, () -> get(v3, "v3-mixed"));
  }

  @Test
  void tamperedInstructionFileIsDetected() {
    EncryptingS3Client withFile = v3.toBuilder().metadataLocation(MetadataLocation.INSTRUCTION_FILE).build();
    put(withFile, "instr");
    assertArrayEquals(DATA, get(withFile, "instr"));
    String json = plain.getObjectAsBytes(b -> b.bucket(bucket).key("instr.instruction")).asUtf8String();
    String commitment = plain.headObject(b -> b.bucket(bucket).key("instr")).metadata().get("x-amz-d");
    String tampered = json.replaceFirst("\\{", "{\"x-amz-d\":\"" + commitment + "\",");
    plain.putObject(b -> b.bucket(bucket).key("instr.instruction"), RequestBody.fromString(tampered));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, () -> get(withFile, "instr"));
    assertTrue(e.getMessage().contains("Instruction file is tampered"), e.getMessage());

    plain.putObject(b -> b.bucket(bucket).key("instr.instruction"), RequestBody.fromString("not json"));
    assertThrows(dev.envelope.core.MalformedMessageException.class, () -> get(withFile, "instr"));
    plain.deleteObject(b -> b.bucket(bucket).key("instr.instruction"));
    assertThrows(AuthenticationFailedException.class, () -> get(withFile, "instr"));
  }

  @Test
  void largeMetadataGoesToAnInstructionFileAutomatically() {
    Map<String, String> big = new HashMap<>();
    big.put("notes", "x".repeat(1800));
    v3.putObject(b -> b.bucket(bucket).key("big-meta").metadata(big), RequestBody.fromBytes(DATA));
    plain.headObject(b -> b.bucket(bucket).key("big-meta.instruction"));
    assertArrayEquals(DATA, get(v3, "big-meta"));
    big.put("notes", "x".repeat(2100));
    assertThrows(PolicyViolationException.class, () -> v3.putObject(b -> b.bucket(bucket).key("too-big")
        .metadata(big), RequestBody.fromBytes(DATA)));
  }

  @Test
  void wrongKeysNameTheKeysTried() {
    put(framed, "wrong-framed");
    EncryptingS3Client other = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .keyring(RawAesKeyring.builder().keyNamespace("other").keyName("k").wrappingKey(new byte[32]).build())
        .build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> get(other, "wrong-framed"));
    assertTrue(e.getMessage().contains("other"), e.getMessage());

    EncryptingS3Client aes = framed.toBuilder().writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(new byte[32], "AES"), "aes-right", Map.of())).build();
    put(EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(new byte[32], "AES"), "aes-right", Map.of())).build(),
        "aes-object");
    EncryptingS3Client wrong = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes-wrong", Map.of()))
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn())).build();
    NoKeyringCouldDecryptException s3ec = assertThrows(NoKeyringCouldDecryptException.class,
        () -> get(wrong, "aes-object"));
    assertTrue(s3ec.getMessage().contains("aes-wrong") && s3ec.getMessage().contains(S3TestParts.keyArn()),
        s3ec.getMessage());
    assertEquals(2, s3ec.attempts().size());
    assertArrayEquals(DATA, get(aes, "aes-object"));
  }

  @Test
  void plaintextObjectsNeedTheOptIn() {
    plain.putObject(b -> b.bucket(bucket).key("plain"), RequestBody.fromBytes(DATA));
    NotEncryptedObjectException e = assertThrows(NotEncryptedObjectException.class, () -> get(framed, "plain"));
    assertTrue(e.getMessage().contains("s3://" + bucket + "/plain"), e.getMessage());
    assertArrayEquals(DATA, get(framed.toBuilder().allowPlaintextReads(true).build(), "plain"));
  }

  @Test
  void legacyV1CbcObjectsNeedLegacyModes() throws Exception {
    LegacyCbcObject v1 = LegacyCbcObject.of(DATA, 31);
    plain.putObject(b -> b.bucket(bucket).key("v1").metadata(v1.metadata()), RequestBody.fromBytes(v1.body()));
    EncryptingS3Client aes = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes", Map.of())).build();
    PolicyViolationException refused = assertThrows(PolicyViolationException.class, () -> get(aes, "v1"));
    assertTrue(refused.getMessage().contains("ALG_AES_256_CBC_IV16_NO_KDF"), refused.getMessage());
    EncryptingS3Client legacy = aes.toBuilder().enableLegacyModes(true)
        .s3ecCommitmentPolicy(dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    assertArrayEquals(DATA, get(legacy, "v1"));
    refused = assertThrows(PolicyViolationException.class, () -> get(aes.toBuilder().enableLegacyModes(true)
        .build(), "v1"));
    assertTrue(refused.getMessage().contains("without key commitment"), refused.getMessage());
  }

  @Test
  void errorsNeverCarryPlaintextOrKeys() {
    put(v3, "leak");
    rewrite("leak", b -> b[5] ^= 1, m -> { });
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> get(v3, "leak"));
    String text = e.toString() + e.getMessage();
    assertTrue(!text.contains(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(DATA, 12))), text);
  }
}
