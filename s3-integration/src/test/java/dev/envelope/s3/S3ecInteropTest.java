package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.InMemoryAuditSink;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.encryption.s3.CommitmentPolicy;
import software.amazon.encryption.s3.S3EncryptionClient;
import software.amazon.encryption.s3.algorithms.AlgorithmSuite;
import software.amazon.encryption.s3.internal.InstructionFileConfig;

/**
 * Byte compatibility with the S3 Encryption Client for Java 4.0.1, both ways, on the same S3 emulator and KMS
 * emulator: objects we write in V3 and V2 are read by it, and objects it writes (V3 default, V2 with its legacy
 * settings, instruction files) are read by us, with KMS, AES and RSA wrapping.
 */
class S3ecInteropTest {
  private static final Map<String, String> USER_CONTEXT = Map.of("tenant", "acme");
  private static S3Client plain;
  private static String bucket;
  private static SecretKey aesKey;
  private static KeyPair rsa;

  @BeforeAll
  static void start() throws Exception {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "interop");
    aesKey = new SecretKeySpec(S3TestParts.AES_KEY, "AES");
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa = g.generateKeyPair();
  }

  /** The real S3EC v4, pointed at the emulators. */
  private static S3EncryptionClient.Builder theirs() {
    return S3EncryptionClient.builderV4()
        .endpointOverride(S3TestParts.s3Endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .instructionFileConfig(InstructionFileConfig.builder().instructionFileClient(S3TestParts.s3()).build());
  }

  private static S3EncryptionClient theirsKms(CommitmentPolicy policy, AlgorithmSuite suite) {
    return theirs().keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder()
            .kmsClient(S3TestParts.kms()).wrappingKeyId(S3TestParts.keyArn()).build())
        .commitmentPolicy(policy).encryptionAlgorithm(suite).build();
  }

  private static EncryptingS3Client ours(ObjectFormat format, S3ecKeyring keyring, MetadataLocation location) {
    return EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).writeFormat(format).s3ecKeyring(keyring)
        .s3ecCommitmentPolicy(format == ObjectFormat.S3EC_V2 ? dev.envelope.core.CommitmentPolicy
            .FORBID_ENCRYPT_ALLOW_DECRYPT : dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
        .metadataLocation(location).auditSink(new InMemoryAuditSink()).build();
  }

  private static KmsS3ecKeyring ourKms() {
    return KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn());
  }

  /** With {@code s3ecLocationBinding(true)}: the caller's context plus the bucket/key, which the S3EC must pass. */
  private static Map<String, String> boundContext(String key) {
    return Map.of("tenant", "acme", EncryptingS3Client.BUCKET_CONTEXT_KEY, bucket,
        EncryptingS3Client.KEY_CONTEXT_KEY, key);
  }

  private static void ourPut(S3Client client, String key, byte[] plaintext) {
    client.putObject(b -> b.bucket(bucket).key(key)
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(USER_CONTEXT)), RequestBody.fromBytes(plaintext));
  }

  /** Raw-key wrapping has no context: such objects are written and read without one. */
  private static void ourRawPut(S3Client client, String key, byte[] plaintext) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(plaintext));
  }

  private static byte[] ourGet(S3Client client, String key) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(USER_CONTEXT))).asByteArray();
  }

  private static byte[] theirGet(S3Client client, String key, Map<String, String> context) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)
        .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(context))).asByteArray();
  }

  @Test
  void theyReadOurV3AndV2WithKms() {
    byte[] plaintext = S3TestParts.random(300_000, 1);
    ourPut(ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA), "ours-v3-kms", plaintext);
    ourPut(ours(ObjectFormat.S3EC_V2, ourKms(), MetadataLocation.OBJECT_METADATA), "ours-v2-kms", plaintext);
    S3EncryptionClient v4 = theirsKms(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    // Transparently: the S3EC reader passes exactly the context the writer gave, nothing of ours.
    assertArrayEquals(plaintext, theirGet(v4, "ours-v3-kms", USER_CONTEXT));
    S3EncryptionClient migrating = theirsKms(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    assertArrayEquals(plaintext, theirGet(migrating, "ours-v2-kms", USER_CONTEXT));
  }

  @Test
  void theLocationBindingIsAnOptInThatTheirReadersMustMatch() {
    byte[] plaintext = S3TestParts.random(10_000, 7);
    EncryptingS3Client bound = ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA).toBuilder()
        .s3ecLocationBinding(true).build();
    ourPut(bound, "ours-v3-bound", plaintext);
    S3EncryptionClient v4 = theirsKms(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    assertArrayEquals(plaintext, theirGet(v4, "ours-v3-bound", boundContext("ours-v3-bound")));
    // The binding is real: without the bucket/key entries their client refuses.
    assertThrows(RuntimeException.class, () -> theirGet(v4, "ours-v3-bound", USER_CONTEXT));
    // Ours checks a binding whenever an object carries one, whichever way the reader is configured: a copy of the
    // object (metadata and all) at another key is refused.
    plain.copyObject(b -> b.sourceBucket(bucket).sourceKey("ours-v3-bound").destinationBucket(bucket)
        .destinationKey("moved"));
    assertThrows(dev.envelope.core.EncryptionContextMismatchException.class, () -> ourGet(
        ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA), "moved"));
    assertArrayEquals(plaintext, ourGet(ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA),
        "ours-v3-bound"));
  }

  @Test
  void theyReadOurV3AndV2WithAesAndRsa() {
    byte[] plaintext = S3TestParts.random(70_000, 2);
    ourRawPut(ours(ObjectFormat.S3EC_V3, AesS3ecKeyring.create(aesKey, "aes", Map.of()),
        MetadataLocation.OBJECT_METADATA), "ours-v3-aes", plaintext);
    ourRawPut(ours(ObjectFormat.S3EC_V2, AesS3ecKeyring.create(aesKey, "aes", Map.of()),
        MetadataLocation.OBJECT_METADATA), "ours-v2-aes", plaintext);
    ourRawPut(ours(ObjectFormat.S3EC_V3, RsaS3ecKeyring.create(rsa.getPublic(), null, "rsa", Map.of()),
        MetadataLocation.OBJECT_METADATA), "ours-v3-rsa", plaintext);
    // A context the raw wrapping could not bind is refused, not dropped.
    assertThrows(dev.envelope.core.PolicyViolationException.class, () -> ourPut(ours(ObjectFormat.S3EC_V3,
        AesS3ecKeyring.create(aesKey, "aes", Map.of()), MetadataLocation.OBJECT_METADATA), "ours-v3-aes-ctx",
        plaintext));
    S3EncryptionClient aes = theirs().aesKey(aesKey)
        .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    assertArrayEquals(plaintext, aes.getObjectAsBytes(b -> b.bucket(bucket).key("ours-v3-aes")).asByteArray());
    assertArrayEquals(plaintext, aes.getObjectAsBytes(b -> b.bucket(bucket).key("ours-v2-aes")).asByteArray());
    S3EncryptionClient rsaClient = theirs().rsaKeyPair(rsa).build();
    assertArrayEquals(plaintext, rsaClient.getObjectAsBytes(b -> b.bucket(bucket).key("ours-v3-rsa")).asByteArray());
  }

  @Test
  void theyReadOurInstructionFiles() {
    byte[] plaintext = S3TestParts.random(5000, 3);
    ourPut(ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.INSTRUCTION_FILE), "ours-v3-instr", plaintext);
    ourPut(ours(ObjectFormat.S3EC_V2, ourKms(), MetadataLocation.INSTRUCTION_FILE), "ours-v2-instr", plaintext);
    Map<String, String> v3Metadata = plain.headObject(b -> b.bucket(bucket).key("ours-v3-instr")).metadata();
    assertTrue(v3Metadata.containsKey("x-amz-c") && !v3Metadata.containsKey("x-amz-3"), v3Metadata.toString());
    assertFalse(plain.headObject(b -> b.bucket(bucket).key("ours-v2-instr")).metadata().containsKey("x-amz-key-v2"));
    S3EncryptionClient migrating = theirsKms(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    assertArrayEquals(plaintext, theirGet(migrating, "ours-v3-instr", USER_CONTEXT));
    assertArrayEquals(plaintext, theirGet(migrating, "ours-v2-instr", USER_CONTEXT));
    // Ours reads the V3 one; the V2 one only with legacy modes (its instruction file could swap the data key).
    EncryptingS3Client us = ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA);
    assertArrayEquals(plaintext, ourGet(us, "ours-v3-instr"));
    dev.envelope.core.PolicyViolationException e = assertThrows(dev.envelope.core.PolicyViolationException.class,
        () -> ourGet(us, "ours-v2-instr"));
    assertTrue(e.getMessage().contains("CVE-2025-14763"), e.getMessage());
    assertArrayEquals(plaintext, ourGet(us.toBuilder().enableLegacyModes(true).build(), "ours-v2-instr"));
  }

  @Test
  void weReadTheirV3DefaultAndTheirLegacyV2WithKms() {
    byte[] plaintext = S3TestParts.random(200_001, 4);
    S3EncryptionClient v4 = theirsKms(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    v4.putObject(b -> b.bucket(bucket).key("theirs-v3-kms")
        .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(USER_CONTEXT)),
        RequestBody.fromBytes(plaintext));
    S3EncryptionClient legacy = theirsKms(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
        AlgorithmSuite.ALG_AES_256_GCM_IV12_TAG16_NO_KDF);
    legacy.putObject(b -> b.bucket(bucket).key("theirs-v2-kms")
        .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(USER_CONTEXT)),
        RequestBody.fromBytes(plaintext));
    assertTrue(plain.headObject(b -> b.bucket(bucket).key("theirs-v2-kms")).metadata().containsKey("x-amz-key-v2"));
    EncryptingS3Client us = ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA);
    assertArrayEquals(plaintext, ourGet(us, "theirs-v3-kms"));
    assertArrayEquals(plaintext, ourGet(us, "theirs-v2-kms"));
    // As the S3EC 4.x by default, V2 (no key commitment) is read only when the policy allows it.
    EncryptingS3Client strict = us.toBuilder().s3ecCommitmentPolicy(
        dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).build();
    assertArrayEquals(plaintext, ourGet(strict, "theirs-v3-kms"));
    assertThrows(dev.envelope.core.PolicyViolationException.class, () -> ourGet(strict, "theirs-v2-kms"));
    // Their context check holds in ours: a different caller context is refused.
    assertThrows(dev.envelope.core.EncryptionContextMismatchException.class, () -> us.getObjectAsBytes(b -> b
        .bucket(bucket).key("theirs-v3-kms")
        .overrideConfiguration(EncryptingS3Client.withEncryptionContext(Map.of("tenant", "other")))));
  }

  @Test
  void weReadTheirAesRsaAndInstructionFileObjects() {
    byte[] plaintext = S3TestParts.random(33_333, 5);
    S3EncryptionClient aes = theirs().aesKey(aesKey).build();
    aes.putObject(b -> b.bucket(bucket).key("theirs-v3-aes"), RequestBody.fromBytes(plaintext));
    S3EncryptionClient rsaClient = theirs().rsaKeyPair(rsa).build();
    rsaClient.putObject(b -> b.bucket(bucket).key("theirs-v3-rsa"), RequestBody.fromBytes(plaintext));
    S3EncryptionClient withFile = theirs().keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder()
            .kmsClient(S3TestParts.kms()).wrappingKeyId(S3TestParts.keyArn()).build())
        .instructionFileConfig(InstructionFileConfig.builder().instructionFileClient(S3TestParts.s3())
            .enableInstructionFilePutObject(true).build()).build();
    withFile.putObject(b -> b.bucket(bucket).key("theirs-v3-instr")
        .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(USER_CONTEXT)),
        RequestBody.fromBytes(plaintext));
    plain.headObject(b -> b.bucket(bucket).key("theirs-v3-instr.instruction")); // it did write one

    EncryptingS3Client usAes = ours(ObjectFormat.S3EC_V3, AesS3ecKeyring.create(aesKey, "aes", Map.of()),
        MetadataLocation.OBJECT_METADATA);
    assertArrayEquals(plaintext, usAes.getObjectAsBytes(b -> b.bucket(bucket).key("theirs-v3-aes")).asByteArray());
    EncryptingS3Client usRsa = ours(ObjectFormat.S3EC_V3, RsaS3ecKeyring.create(null, rsa.getPrivate(), "rsa",
        Map.of()), MetadataLocation.OBJECT_METADATA);
    assertArrayEquals(plaintext, usRsa.getObjectAsBytes(b -> b.bucket(bucket).key("theirs-v3-rsa")).asByteArray());
    EncryptingS3Client usKms = ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA);
    assertArrayEquals(plaintext, ourGet(usKms, "theirs-v3-instr"));
    // Deleting through us removes the instruction file too.
    usKms.deleteObject(b -> b.bucket(bucket).key("theirs-v3-instr"));
    assertThrows(NoSuchKeyException.class, () -> plain.headObject(b -> b.bucket(bucket).key("theirs-v3-instr.instruction")));
  }

  @Test
  void theyReadARangeOfOurV3ObjectInTheirLegacyMode() {
    byte[] plaintext = S3TestParts.random(100_000, 6);
    ourPut(ours(ObjectFormat.S3EC_V3, ourKms(), MetadataLocation.OBJECT_METADATA), "ours-v3-range", plaintext);
    S3EncryptionClient v4 = theirs().keyring(software.amazon.encryption.s3.materials.KmsKeyring.builder()
        .kmsClient(S3TestParts.kms()).wrappingKeyId(S3TestParts.keyArn()).build())
        .enableLegacyUnauthenticatedModes(true).build();
    byte[] got = v4.getObjectAsBytes(b -> b.bucket(bucket).key("ours-v3-range").range("bytes=1000-1999")
        .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(USER_CONTEXT)))
        .asByteArray();
    assertArrayEquals(java.util.Arrays.copyOfRange(plaintext, 1000, 2000), got);
    assertEquals(1000, got.length);
  }
}
