package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdDSAParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidSignatureException;
import software.amazon.awssdk.services.kms.model.ListResourceTagsResponse;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * Where the emulator once differed from the KMS API reference, each found by a client that followed it: key specs,
 * AWS managed keys, key states during deletion, import parameters, pagination, authorization of operations that act
 * on no key, grants. Run on every face with the behaviour suite.
 */
abstract class KmsExactnessSuite extends KmsBehaviourSuite {
  private static final byte[] MESSAGE = "order A-1001 shipped".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private String signingKey(String keySpec) {
    return admin.createKey(b -> b.keySpec(keySpec).keyUsage("SIGN_VERIFY")).keyMetadata().arn();
  }

  private PublicKey publicKey(String key, String algorithm, java.security.Provider provider) throws Exception {
    byte[] der = admin.getPublicKey(b -> b.keyId(key)).publicKey().asByteArray();
    KeyFactory factory = provider == null ? KeyFactory.getInstance(algorithm)
        : KeyFactory.getInstance(algorithm, provider);
    return factory.generatePublic(new X509EncodedKeySpec(der));
  }

  private byte[] sign(String key, SigningAlgorithmSpec algorithm, MessageType type, byte[] message) {
    return admin.sign(b -> b.keyId(key).signingAlgorithm(algorithm).messageType(type)
        .message(SdkBytes.fromByteArray(message))).signature().asByteArray();
  }

  private boolean verify(String key, SigningAlgorithmSpec algorithm, MessageType type, byte[] message,
      byte[] signature) {
    return admin.verify(b -> b.keyId(key).signingAlgorithm(algorithm).messageType(type)
        .message(SdkBytes.fromByteArray(message)).signature(SdkBytes.fromByteArray(signature))).signatureValid();
  }

  @Test
  void edwards25519_signsPureAndPrehashed_andOfflineVerifiersAgree() throws Exception {
    String key = signingKey("ECC_NIST_EDWARDS25519");
    var metadata = admin.describeKey(b -> b.keyId(key)).keyMetadata();
    assertEquals(List.of(SigningAlgorithmSpec.ED25519_SHA_512, SigningAlgorithmSpec.ED25519_PH_SHA_512),
        metadata.signingAlgorithms());
    PublicKey publicKey = publicKey(key, "Ed25519", null);

    byte[] pure = sign(key, SigningAlgorithmSpec.ED25519_SHA_512, MessageType.RAW, MESSAGE);
    assertTrue(verify(key, SigningAlgorithmSpec.ED25519_SHA_512, MessageType.RAW, MESSAGE, pure));
    Signature offline = Signature.getInstance("Ed25519");
    offline.initVerify(publicKey);
    offline.update(MESSAGE);
    assertTrue(offline.verify(pure), "pure Ed25519 (RFC 8032) verifies with the JDK");
    fails(KmsException.class, "supports only MessageType RAW", () -> sign(key, SigningAlgorithmSpec.ED25519_SHA_512,
        MessageType.DIGEST, MessageDigest.getInstance("SHA-512").digest(MESSAGE)));

    byte[] digest = MessageDigest.getInstance("SHA-512").digest(MESSAGE);
    byte[] prehashed = sign(key, SigningAlgorithmSpec.ED25519_PH_SHA_512, MessageType.RAW, MESSAGE);
    assertTrue(verify(key, SigningAlgorithmSpec.ED25519_PH_SHA_512, MessageType.DIGEST, digest, prehashed),
        "RAW and DIGEST are interchangeable for Ed25519ph");
    byte[] fromDigest = sign(key, SigningAlgorithmSpec.ED25519_PH_SHA_512, MessageType.DIGEST, digest);
    Signature ph = Signature.getInstance("Ed25519");
    ph.setParameter(new EdDSAParameterSpec(true));
    ph.initVerify(publicKey);
    ph.update(MESSAGE);
    assertTrue(ph.verify(fromDigest), "Ed25519ph (HashEdDSA) verifies with the JDK");
    fails(KmsInvalidSignatureException.class, null, () -> verify(key, SigningAlgorithmSpec.ED25519_SHA_512,
        MessageType.RAW, "order A-1002 shipped".getBytes(java.nio.charset.StandardCharsets.UTF_8), pure));
    fails(KmsException.class, "Digest is invalid length", () -> sign(key, SigningAlgorithmSpec.ED25519_PH_SHA_512,
        MessageType.DIGEST, new byte[32]));
    fails(KmsException.class, "not compatible with KeySpec ECC_NIST_EDWARDS25519", () -> admin.createKey(b -> b
        .keySpec("ECC_NIST_EDWARDS25519").keyUsage("KEY_AGREEMENT")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"})
  void mlDsa_signsRawAndExternalMu_interchangeably_andVerifiesOffline(String keySpec) throws Exception {
    String key = signingKey(keySpec);
    assertEquals(List.of(SigningAlgorithmSpec.ML_DSA_SHAKE_256), admin.describeKey(b -> b.keyId(key)).keyMetadata()
        .signingAlgorithms());
    java.security.Provider bc = new BouncyCastleProvider();
    PublicKey publicKey = publicKey(key, "ML-DSA", bc);
    byte[] raw = sign(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256, MessageType.RAW, MESSAGE);
    Signature offline = Signature.getInstance("ML-DSA", bc);
    offline.initVerify(publicKey);
    offline.update(MESSAGE);
    assertTrue(offline.verify(raw), "FIPS 204 ML-DSA with an empty context verifies offline");

    // mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64): FIPS 204's external mu for an empty context.
    byte[] pk = ((org.bouncycastle.jcajce.interfaces.MLDSAPublicKey) publicKey).getPublicData();
    byte[] tr = shake256(64, pk);
    byte[] mu = shake256(64, tr, new byte[] {0, 0}, MESSAGE);
    byte[] fromMu = sign(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256, MessageType.EXTERNAL_MU, mu);
    assertTrue(verify(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256, MessageType.RAW, MESSAGE, fromMu),
        "a signature over the external mu is a signature over the message");
    assertTrue(verify(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256, MessageType.EXTERNAL_MU, mu, raw));
    fails(KmsException.class, "not DIGEST", () -> sign(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256,
        MessageType.DIGEST, new byte[64]));
    fails(KmsException.class, "64-byte mu", () -> sign(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256,
        MessageType.EXTERNAL_MU, new byte[32]));
    fails(KmsInvalidSignatureException.class, null, () -> verify(key, SigningAlgorithmSpec.ML_DSA_SHAKE_256,
        MessageType.RAW, new byte[] {1}, raw));
  }

  private static byte[] shake256(int length, byte[]... parts) {
    SHAKEDigest d = new SHAKEDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[length];
    d.doFinal(out, 0, length);
    return out;
  }

  @Test
  void awsManagedKeys_areCreatedOnFirstUse_rotateYearly_andCannotBeChanged() {
    var metadata = admin.describeKey(b -> b.keyId("alias/aws/s3")).keyMetadata();
    assertEquals("AWS", metadata.keyManagerAsString());
    assertEquals(KeyState.ENABLED, metadata.keyState());
    assertEquals(metadata.keyId(), admin.describeKey(b -> b.keyId("alias/aws/s3")).keyMetadata().keyId(),
        "created once");
    var rotation = admin.getKeyRotationStatus(b -> b.keyId(metadata.arn()));
    assertTrue(rotation.keyRotationEnabled());
    assertEquals(365, rotation.rotationPeriodInDays());
    String policy = admin.getKeyPolicy(b -> b.keyId(metadata.arn())).policy();
    assertTrue(policy.contains("\"kms:ViaService\":\"s3.us-east-1.amazonaws.com\""), policy);
    assertTrue(admin.listAliases().aliases().stream().anyMatch(a -> a.aliasName().equals("alias/aws/s3")
        && metadata.keyId().equals(a.targetKeyId())));
    fails(KmsException.class, "because no resource-based policy allows the kms:ScheduleKeyDeletion action",
        () -> admin.scheduleKeyDeletion(b -> b.keyId(metadata.arn()).pendingWindowInDays(7)));
    fails(KmsException.class, "kms:DisableKey", () -> admin.disableKey(b -> b.keyId(metadata.arn())));
    fails(KmsException.class, "kms:DisableKeyRotation", () -> admin.disableKeyRotation(b -> b.keyId(metadata.arn())));
    // Cryptographic use is for the service: a direct caller is refused by the key policy's kms:ViaService.
    fails(KmsException.class, "not authorized to perform: kms:Encrypt", () -> admin.encrypt(b -> b
        .keyId("alias/aws/s3").plaintext(bytes("direct"))));
    assertNotEquals(metadata.keyId(), admin.describeKey(b -> b.keyId("alias/aws/dynamodb")).keyMetadata().keyId());
  }

  private static void assertNotEquals(Object a, Object b) {
    org.junit.jupiter.api.Assertions.assertNotEquals(a, b);
  }

  @Test
  void rotationStatus_isOffWhilePendingDeletion_andBackAfterCancellation() {
    String key = newKey();
    admin.enableKeyRotation(b -> b.keyId(key));
    admin.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(7));
    var pending = admin.getKeyRotationStatus(b -> b.keyId(key));
    assertFalse(pending.keyRotationEnabled());
    assertNull(pending.rotationPeriodInDays());
    admin.cancelKeyDeletion(b -> b.keyId(key));
    assertTrue(admin.getKeyRotationStatus(b -> b.keyId(key)).keyRotationEnabled());
  }

  @Test
  void deletingAPrimaryWithReplicas_waitsForTheReplicas() {
    String primary = admin.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    String replica = admin.replicateKey(b -> b.keyId(primary).replicaRegion("eu-west-1")).replicaKeyMetadata().arn();
    KmsClient europe = client(emulator, ADMIN, Region.EU_WEST_1);
    var scheduled = admin.scheduleKeyDeletion(b -> b.keyId(primary).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_REPLICA_DELETION, scheduled.keyState());
    assertNull(scheduled.deletionDate(), "no date while replicas exist");
    assertEquals(7, scheduled.pendingWindowInDays());
    var waiting = admin.describeKey(b -> b.keyId(primary)).keyMetadata();
    assertEquals(7, waiting.pendingDeletionWindowInDays());
    assertNull(waiting.deletionDate());

    europe.scheduleKeyDeletion(b -> b.keyId(replica).pendingWindowInDays(7));
    var replicaPending = europe.describeKey(b -> b.keyId(replica)).keyMetadata();
    assertEquals(KeyState.PENDING_DELETION, replicaPending.keyState());
    assertNotNull(replicaPending.deletionDate());
    assertNull(replicaPending.pendingDeletionWindowInDays(), "given only in PendingReplicaDeletion");

    clock.advance(Duration.ofDays(7).plusMinutes(1));
    fails(software.amazon.awssdk.services.kms.model.NotFoundException.class, null,
        () -> europe.describeKey(b -> b.keyId(replica)));
    var nowPending = admin.describeKey(b -> b.keyId(primary)).keyMetadata();
    assertEquals(KeyState.PENDING_DELETION, nowPending.keyState());
    assertEquals(clock.instant().plus(Duration.ofDays(7)), nowPending.deletionDate(),
        "the primary's own window starts when its last replica is gone");
    assertNull(nowPending.pendingDeletionWindowInDays());
    clock.advance(Duration.ofDays(7).plusMinutes(1));
    fails(software.amazon.awssdk.services.kms.model.NotFoundException.class, null,
        () -> admin.describeKey(b -> b.keyId(primary)));
  }

  @Test
  void getParametersForImport_refusesRsaesPkcs1V15() {
    String key = admin.createKey(b -> b.origin("EXTERNAL")).keyMetadata().arn();
    fails(KmsException.class, "RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported",
        () -> admin.getParametersForImport(b -> b.keyId(key).wrappingAlgorithm("RSAES_PKCS1_V1_5")
            .wrappingKeySpec("RSA_2048")));
    assertNotNull(admin.getParametersForImport(b -> b.keyId(key).wrappingAlgorithm("RSAES_OAEP_SHA_256")
        .wrappingKeySpec("RSA_2048")).importToken());
  }

  @Test
  void listResourceTags_pagesWithLimitAndMarker() {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tags.add(Tag.builder().tagKey("k" + i).tagValue("v" + i).build());
    }
    String key = admin.createKey(b -> b.tags(tags)).keyMetadata().arn();
    ListResourceTagsResponse first = admin.listResourceTags(b -> b.keyId(key).limit(2));
    assertEquals(2, first.tags().size());
    assertTrue(first.truncated());
    List<Tag> all = new ArrayList<>(first.tags());
    String marker = first.nextMarker();
    while (marker != null) {
      String m = marker;
      ListResourceTagsResponse page = admin.listResourceTags(b -> b.keyId(key).limit(2).marker(m));
      all.addAll(page.tags());
      marker = page.truncated() ? page.nextMarker() : null;
    }
    assertEquals(tags, all);
    assertFalse(admin.listResourceTags(b -> b.keyId(key)).truncated());
    fails(KmsException.class, "failed to satisfy constraint", () -> admin.listResourceTags(b -> b.keyId(key)
        .limit(51)));
    fails(KmsException.class, "failed to satisfy constraint", () -> admin.listResourceTags(b -> b.keyId(key)
        .limit(0)));
  }

  @Test
  void operationsOnNoKey_needAnIdentityPolicyWhenAuthorizationIsEnforced() {
    Principal bare = Principal.role(ACCOUNT, "no-iam-policy");
    KmsClient client = as(bare);
    fails(KmsException.class, "is not authorized to perform: kms:ListKeys on resource: * because no "
        + "identity-based policy allows the kms:ListKeys action", client::listKeys);
    fails(KmsException.class, "kms:ListAliases on resource: *", client::listAliases);
    fails(KmsException.class, "kms:GenerateRandom on resource: *", () -> client.generateRandom(b -> b
        .numberOfBytes(8)));
    fails(KmsException.class, "kms:ListRetirableGrants on resource: *", () -> client.listRetirableGrants(b -> b
        .retiringPrincipal(bare.arn())));
    fails(KmsException.class, "kms:CreateKey on resource: *", () -> client.createKey(b -> { }));
    // The role with kms:* in its identity policy may; an explicit deny takes it away.
    assertNotNull(as(LAMBDA_ROLE).listKeys().keys());
    emulator.putIamPolicy(LAMBDA_ROLE, "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:GenerateRandom\","
        + "\"Resource\":\"*\"}]}");
    fails(KmsException.class, "with an explicit deny in an identity-based policy", () -> as(LAMBDA_ROLE)
        .generateRandom(b -> b.numberOfBytes(8)));
  }

  @Test
  void grantConstraints_matchContextKeysWithoutCaseAndValuesExactly() {
    String key = newKey();
    admin.createGrant(b -> b.keyId(key).granteePrincipal(OTHER_ROLE.arn()).operations(GrantOperation.ENCRYPT)
        .constraints(c -> c.encryptionContextSubset(Map.of("Tenant", "a"))));
    KmsClient partner = as(OTHER_ROLE);
    partner.encrypt(b -> b.keyId(key).plaintext(bytes("x")).encryptionContext(Map.of("tenant", "a")));
    partner.encrypt(b -> b.keyId(key).plaintext(bytes("x")).encryptionContext(Map.of("TENANT", "a", "other", "b")));
    fails(KmsException.class, "not authorized", () -> partner.encrypt(b -> b.keyId(key).plaintext(bytes("x"))
        .encryptionContext(Map.of("tenant", "A"))));
    String equalsKey = newKey();
    admin.createGrant(b -> b.keyId(equalsKey).granteePrincipal(OTHER_ROLE.arn()).operations(GrantOperation.ENCRYPT)
        .constraints(c -> c.encryptionContextEquals(Map.of("Tenant", "a"))));
    partner.encrypt(b -> b.keyId(equalsKey).plaintext(bytes("x")).encryptionContext(Map.of("tENANT", "a")));
    fails(KmsException.class, "not authorized", () -> partner.encrypt(b -> b.keyId(equalsKey).plaintext(bytes("x"))
        .encryptionContext(Map.of("tenant", "a", "extra", "b"))));
  }

  @Test
  void listGrants_leavesNameOutWhenTheGrantHasNone() {
    String key = newKey();
    admin.createGrant(b -> b.keyId(key).granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.DECRYPT));
    admin.createGrant(b -> b.keyId(key).granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.ENCRYPT)
        .name("named"));
    var grants = admin.listGrants(b -> b.keyId(key)).grants();
    assertEquals(2, grants.size());
    assertNull(grants.get(0).name());
    assertEquals("named", grants.get(1).name());
  }

  @Test
  void createGrant_refusesOperationsTheKeyTypeCannotDo() {
    String rsa = admin.createKey(b -> b.keySpec("RSA_2048").keyUsage("ENCRYPT_DECRYPT")).keyMetadata().arn();
    fails(KmsException.class, "Grant operation GenerateDataKey is not valid", () -> admin.createGrant(b -> b
        .keyId(rsa).granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.GENERATE_DATA_KEY)));
    admin.createGrant(b -> b.keyId(rsa).granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.DECRYPT,
        GrantOperation.GET_PUBLIC_KEY));
    String hmac = admin.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC")).keyMetadata().arn();
    fails(KmsException.class, "Grant operation Encrypt is not valid", () -> admin.createGrant(b -> b.keyId(hmac)
        .granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.ENCRYPT)));
    String signing = signingKey("ECC_NIST_P256");
    fails(KmsException.class, "Grant operation Decrypt is not valid", () -> admin.createGrant(b -> b.keyId(signing)
        .granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.DECRYPT)));
    admin.createGrant(b -> b.keyId(signing).granteePrincipal(LAMBDA_ROLE.arn()).operations(GrantOperation.SIGN));
  }
}
