package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * KMS behaviour, written once against the SDK's {@link KmsClient} and run against every face of the emulator
 * (in process and over HTTP): the subclasses only say how a client for a principal is made.
 */
abstract class KmsBehaviourSuite {
  static final String ACCOUNT = "111122223333";
  static final String OTHER_ACCOUNT = "444455556666";
  static final Principal ADMIN = Principal.root(ACCOUNT);
  static final Principal LAMBDA_ROLE = Principal.role(ACCOUNT, "order-processor-lambda");
  static final Principal OTHER_ROLE = Principal.role(OTHER_ACCOUNT, "partner-app");
  static final String ALLOW_ALL_KMS_IAM =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

  protected final MutableClock clock = new MutableClock();
  protected KmsEmulator emulator;
  protected KmsClient admin;

  /** A client of {@code emulator} acting as {@code principal} in {@code region}. */
  protected abstract KmsClient client(KmsEmulator emulator, Principal principal, Region region);

  @BeforeEach
  void setUp() {
    emulator = KmsEmulator.builder().clock(clock).defaultAccount(ACCOUNT).enforceAuthorization(true)
        .iamPolicy(LAMBDA_ROLE, ALLOW_ALL_KMS_IAM).iamPolicy(OTHER_ROLE, ALLOW_ALL_KMS_IAM).build();
    admin = client(emulator, ADMIN, Region.US_EAST_1);
  }

  protected KmsClient as(Principal principal) {
    return client(emulator, principal, Region.US_EAST_1);
  }

  protected String newKey() {
    return admin.createKey(b -> b.description("test key")).keyMetadata().arn();
  }

  static SdkBytes bytes(String s) {
    return SdkBytes.fromUtf8String(s);
  }

  static <T extends Throwable> T fails(Class<T> type, String messagePart, Executable call) {
    T e = assertThrows(type, call);
    if (messagePart != null) {
      assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
    return e;
  }

  // ---- keys and crypto ------------------------------------------------------------------------------------------

  @Test
  void createKey_describesLikeKms() {
    var m = admin.createKey(b -> b.description("orders")).keyMetadata();
    assertTrue(m.arn().matches("arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}"), m.arn());
    assertEquals(KeyState.ENABLED, m.keyState());
    assertEquals(KeySpec.SYMMETRIC_DEFAULT, m.keySpec());
    assertEquals(KeyUsageType.ENCRYPT_DECRYPT, m.keyUsage());
    assertTrue(m.enabled());
    assertEquals(64, m.currentKeyMaterialId().length());
    assertEquals(m, admin.describeKey(b -> b.keyId(m.keyId())).keyMetadata());
    assertTrue(admin.getKeyPolicy(b -> b.keyId(m.keyId())).policy().contains("arn:aws:iam::111122223333:root"));
  }

  @Test
  void encryptDecrypt_bindTheEncryptionContextUnambiguously() {
    String key = newKey();
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("secret"))
        .encryptionContext(Map.of("ab", "c"))).ciphertextBlob();
    var result = admin.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(Map.of("ab", "c")));
    assertEquals("secret", result.plaintext().asUtf8String());
    assertEquals(key, result.keyId());
    fails(InvalidCiphertextException.class, null,
        () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(Map.of("a", "bc"))));
    fails(InvalidCiphertextException.class, null, () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  @Test
  void decrypt_truncatedCiphertext_failsAsInvalidCiphertextAtEveryLength() {
    String key = newKey();
    byte[] blob = admin.encrypt(b -> b.keyId(key).plaintext(bytes("secret"))).ciphertextBlob().asByteArray();
    for (int length = 1; length < blob.length; length++) {
      SdkBytes truncated = SdkBytes.fromByteArray(java.util.Arrays.copyOf(blob, length));
      fails(InvalidCiphertextException.class, null, () -> admin.decrypt(b -> b.ciphertextBlob(truncated)));
    }
  }

  @Test
  void decrypt_withAnotherKeyId_failsWithIncorrectKey() {
    String a = newKey();
    String b = newKey();
    SdkBytes ciphertext = admin.encrypt(r -> r.keyId(a).plaintext(bytes("x"))).ciphertextBlob();
    fails(IncorrectKeyException.class, "does not identify a CMK",
        () -> admin.decrypt(r -> r.ciphertextBlob(ciphertext).keyId(b)));
    assertEquals("x", admin.decrypt(r -> r.ciphertextBlob(ciphertext).keyId(a)).plaintext().asUtf8String());
  }

  @Test
  void generateDataKey_honoursNumberOfBytesAndKeySpec() {
    String key = newKey();
    for (int n : new int[] {1, 16, 24, 32, 1024}) {
      var r = admin.generateDataKey(b -> b.keyId(key).numberOfBytes(n));
      assertEquals(n, r.plaintext().asByteArray().length);
      assertArrayEquals(r.plaintext().asByteArray(),
          admin.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob())).plaintext().asByteArray());
    }
    assertEquals(16, admin.generateDataKey(b -> b.keyId(key).keySpec("AES_128")).plaintext().asByteArray().length);
    var noPlaintext = admin.generateDataKeyWithoutPlaintext(b -> b.keyId(key).numberOfBytes(24));
    assertEquals(24, admin.decrypt(b -> b.ciphertextBlob(noPlaintext.ciphertextBlob())).plaintext()
        .asByteArray().length);
  }

  @Test
  void reEncrypt_movesCiphertextFromKeyAToKeyBWithoutReturningPlaintext() {
    String a = newKey();
    String b = newKey();
    SdkBytes fromA = admin.encrypt(r -> r.keyId(a).plaintext(bytes("moved")).encryptionContext(Map.of("k", "1")))
        .ciphertextBlob();
    var moved = admin.reEncrypt(r -> r.ciphertextBlob(fromA).sourceEncryptionContext(Map.of("k", "1"))
        .destinationKeyId(b).destinationEncryptionContext(Map.of("k", "2")));
    assertEquals(a, moved.sourceKeyId());
    assertEquals(b, moved.keyId());
    var decrypted = admin.decrypt(r -> r.ciphertextBlob(moved.ciphertextBlob()).encryptionContext(Map.of("k", "2")));
    assertEquals(b, decrypted.keyId());
    assertEquals("moved", decrypted.plaintext().asUtf8String());
  }

  // ---- key states --------------------------------------------------------------------------------------------

  @Test
  void disabledKey_failsWithDisabledException_andWorksAgainOnceEnabled() {
    String key = newKey();
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("x"))).ciphertextBlob();
    admin.disableKey(b -> b.keyId(key));
    fails(DisabledException.class, key + " is disabled.", () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
    fails(DisabledException.class, "is disabled", () -> admin.generateDataKey(b -> b.keyId(key).numberOfBytes(32)));
    admin.enableKey(b -> b.keyId(key));
    assertEquals("x", admin.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
  }

  @Test
  void pendingDeletion_cancelLeavesDisabled_enableRestores_andTheWindowDeletesForGood() {
    String key = newKey();
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("x"))).ciphertextBlob();
    var scheduled = admin.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_DELETION, scheduled.keyState());
    assertEquals(7, scheduled.pendingWindowInDays());
    fails(KmsInvalidStateException.class, "is pending deletion", () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
    admin.cancelKeyDeletion(b -> b.keyId(key));
    assertEquals(KeyState.DISABLED, admin.describeKey(b -> b.keyId(key)).keyMetadata().keyState());
    fails(DisabledException.class, null, () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
    admin.enableKey(b -> b.keyId(key));
    assertEquals("x", admin.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());

    admin.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(7));
    clock.advance(Duration.ofDays(7).minusSeconds(1));
    assertEquals(KeyState.PENDING_DELETION, admin.describeKey(b -> b.keyId(key)).keyMetadata().keyState());
    clock.advance(Duration.ofSeconds(1));
    fails(NotFoundException.class, "does not exist", () -> admin.describeKey(b -> b.keyId(key)));
    fails(KmsException.class, "does not exist", () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  // ---- rotation ----------------------------------------------------------------------------------------------

  @Test
  void rotation_automaticAndOnDemand_keepsOldCiphertextsDecryptable() {
    String key = newKey();
    SdkBytes before = admin.encrypt(b -> b.keyId(key).plaintext(bytes("v1"))).ciphertextBlob();
    String material1 = admin.describeKey(b -> b.keyId(key)).keyMetadata().currentKeyMaterialId();
    admin.enableKeyRotation(b -> b.keyId(key).rotationPeriodInDays(90));
    var status = admin.getKeyRotationStatus(b -> b.keyId(key));
    assertTrue(status.keyRotationEnabled());
    assertEquals(90, status.rotationPeriodInDays());
    clock.advance(Duration.ofDays(90));
    String material2 = admin.describeKey(b -> b.keyId(key)).keyMetadata().currentKeyMaterialId();
    assertNotEquals(material1, material2, "automatic rotation really rotates");
    SdkBytes after = admin.encrypt(b -> b.keyId(key).plaintext(bytes("v2"))).ciphertextBlob();
    admin.rotateKeyOnDemand(b -> b.keyId(key));
    assertEquals("v1", admin.decrypt(b -> b.ciphertextBlob(before)).plaintext().asUtf8String());
    assertEquals("v2", admin.decrypt(b -> b.ciphertextBlob(after)).plaintext().asUtf8String());
    var rotations = admin.listKeyRotations(b -> b.keyId(key)).rotations();
    assertEquals(List.of("AUTOMATIC", "ON_DEMAND"), rotations.stream().map(r -> r.rotationTypeAsString()).toList());
  }

  // ---- aliases -----------------------------------------------------------------------------------------------

  @Test
  void aliases_resolveAndFollowUpdates() {
    String a = newKey();
    String b = newKey();
    admin.createAlias(r -> r.aliasName("alias/orders").targetKeyId(a));
    assertEquals(a, admin.encrypt(r -> r.keyId("alias/orders").plaintext(bytes("x"))).keyId());
    assertEquals(a, admin.describeKey(r -> r.keyId("arn:aws:kms:us-east-1:111122223333:alias/orders"))
        .keyMetadata().arn());
    fails(AlreadyExistsException.class, "already exists",
        () -> admin.createAlias(r -> r.aliasName("alias/orders").targetKeyId(b)));
    admin.updateAlias(r -> r.aliasName("alias/orders").targetKeyId(b));
    assertEquals(b, admin.encrypt(r -> r.keyId("alias/orders").plaintext(bytes("x"))).keyId());
    assertEquals(1, admin.listAliases(r -> r.keyId(b)).aliases().size());
    admin.deleteAlias(r -> r.aliasName("alias/orders"));
    fails(NotFoundException.class, "alias/orders is not found", () -> admin.describeKey(r -> r.keyId("alias/orders")));
  }

  // ---- authorization (seed scenarios) --------------------------------------------------------------------------

  private static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  private static String allow(String principal, String action) {
    return "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":\"" + action
        + "\",\"Resource\":\"*\"}";
  }

  @Test
  void lambdaRole_withIamAllow_butAbsentFromAKeyPolicyThatDoesNotDelegate_isDenied_thenAllowed() {
    String adminOnly = policy(allow("arn:aws:iam::111122223333:user/key-admin", "kms:*"));
    String key = admin.createKey(b -> b.policy(adminOnly).bypassPolicyLockoutSafetyCheck(true)).keyMetadata().arn();
    SdkBytes ciphertext = emulatorAdminEncrypt(key, adminOnly);
    KmsClient lambda = as(LAMBDA_ROLE);
    KmsException denied = fails(KmsException.class, null, () -> lambda.decrypt(b -> b.ciphertextBlob(ciphertext)));
    assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
    assertTrue(denied.getMessage().contains("User: " + LAMBDA_ROLE.arn() + " is not authorized to perform: "
        + "kms:Decrypt on resource: " + key + " because no resource-based policy allows the kms:Decrypt action"),
        denied.getMessage());

    Principal keyAdmin = Principal.user(ACCOUNT, "key-admin");
    as(keyAdmin).putKeyPolicy(b -> b.keyId(key).policyName("default").policy(policy(
        allow(keyAdmin.arn(), "kms:*"), allow(LAMBDA_ROLE.arn(), "kms:Decrypt"))));
    assertEquals("order", lambda.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
    KmsException encryptDenied = fails(KmsException.class, "kms:Encrypt",
        () -> lambda.encrypt(b -> b.keyId(key).plaintext(bytes("x"))));
    assertEquals("AccessDeniedException", encryptDenied.awsErrorDetails().errorCode());
  }

  /** Encrypts as the key admin named in {@code policy}. */
  private SdkBytes emulatorAdminEncrypt(String key, String policy) {
    return as(Principal.user(ACCOUNT, "key-admin")).encrypt(b -> b.keyId(key).plaintext(bytes("order")))
        .ciphertextBlob();
  }

  @Test
  void rootStatement_delegatesToIam_soIamDecides() {
    String key = newKey(); // default policy: the account root statement
    Principal noIam = Principal.role(ACCOUNT, "no-permissions");
    fails(KmsException.class, "because no identity-based policy allows the kms:Encrypt action",
        () -> as(noIam).encrypt(b -> b.keyId(key).plaintext(bytes("x"))));
    as(LAMBDA_ROLE).encrypt(b -> b.keyId(key).plaintext(bytes("x")));
  }

  @Test
  void crossAccountDecrypt_needsBothTheKeyPolicyAndTheCallersIam() {
    String key = newKey();
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("shared"))).ciphertextBlob();
    KmsClient partner = as(OTHER_ROLE);
    fails(KmsException.class, "no resource-based policy allows",
        () -> partner.decrypt(b -> b.ciphertextBlob(ciphertext)));
    admin.putKeyPolicy(b -> b.keyId(key).policyName("default").policy(policy(
        allow("arn:aws:iam::111122223333:root", "kms:*"), allow("444455556666", "kms:Decrypt"))));
    assertEquals("shared", partner.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
    Principal partnerWithoutIam = Principal.role(OTHER_ACCOUNT, "no-iam");
    fails(KmsException.class, "no identity-based policy allows",
        () -> as(partnerWithoutIam).decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  @Test
  void explicitDeny_winsOverEveryAllow() {
    String key = admin.createKey(b -> b.policy(policy(allow("arn:aws:iam::111122223333:root", "kms:*"),
        "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" + LAMBDA_ROLE.arn() + "\"},\"Action\":\"kms:Decrypt\","
            + "\"Resource\":\"*\"}"))).keyMetadata().arn();
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("x"))).ciphertextBlob();
    fails(KmsException.class, "with an explicit deny in a resource-based policy",
        () -> as(LAMBDA_ROLE).decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  @Test
  void encryptionContextCondition_limitsTheKeyPolicyStatement() {
    // A principal without IAM permissions, allowed by the key policy only for tenant "acme".
    Principal bare = Principal.role(ACCOUNT, "bare");
    String tenantOnly = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + bare.arn() + "\"},"
        + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
        + "{\"kms:EncryptionContext:tenant\":\"acme\"}}}";
    String key = admin.createKey(b -> b.policy(policy(allow("arn:aws:iam::111122223333:root", "kms:*"),
        tenantOnly))).keyMetadata().arn();
    SdkBytes acme = admin.encrypt(b -> b.keyId(key).plaintext(bytes("a")).encryptionContext(Map.of("tenant", "acme")))
        .ciphertextBlob();
    SdkBytes other = admin.encrypt(b -> b.keyId(key).plaintext(bytes("o")).encryptionContext(Map.of("tenant", "zeta")))
        .ciphertextBlob();
    KmsClient bareClient = as(bare);
    assertEquals("a", bareClient.decrypt(b -> b.ciphertextBlob(acme).encryptionContext(Map.of("tenant", "acme")))
        .plaintext().asUtf8String());
    fails(KmsException.class, "not authorized", () -> bareClient.decrypt(b -> b.ciphertextBlob(other)
        .encryptionContext(Map.of("tenant", "zeta"))));
  }

  @Test
  void grant_allowsOnlyItsOperationsWithinItsConstraint_andStopsWhenRetiredOrRevoked() {
    String key = admin.createKey(b -> b.policy(policy(allow("arn:aws:iam::111122223333:root", "kms:*"))))
        .keyMetadata().arn();
    Principal grantee = Principal.role(ACCOUNT, "grantee-without-iam");
    KmsClient g = as(grantee);
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("g"))
        .encryptionContext(Map.of("order", "42"))).ciphertextBlob();
    fails(KmsException.class, "not authorized", () -> g.decrypt(b -> b.ciphertextBlob(ciphertext)
        .encryptionContext(Map.of("order", "42"))));
    var grant = admin.createGrant(b -> b.keyId(key).granteePrincipal(grantee.arn())
        .retiringPrincipal(ADMIN.arn()).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextSubset(Map.of("order", "42"))));
    assertEquals("g", g.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(Map.of("order", "42"))
        .grantTokens(grant.grantToken())).plaintext().asUtf8String());
    fails(KmsException.class, "not authorized", () -> g.encrypt(b -> b.keyId(key).plaintext(bytes("x"))
        .encryptionContext(Map.of("order", "42"))));
    SdkBytes otherOrder = admin.encrypt(b -> b.keyId(key).plaintext(bytes("x"))
        .encryptionContext(Map.of("order", "43"))).ciphertextBlob();
    fails(KmsException.class, "not authorized", () -> g.decrypt(b -> b.ciphertextBlob(otherOrder)
        .encryptionContext(Map.of("order", "43"))));
    admin.retireGrant(b -> b.grantToken(grant.grantToken()));
    fails(KmsException.class, "not authorized", () -> g.decrypt(b -> b.ciphertextBlob(ciphertext)
        .encryptionContext(Map.of("order", "42"))));

    var second = admin.createGrant(b -> b.keyId(key).granteePrincipal(grantee.arn()).operations(GrantOperation.DECRYPT));
    g.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(Map.of("order", "42")));
    assertEquals(1, admin.listGrants(b -> b.keyId(key)).grants().size());
    admin.revokeGrant(b -> b.keyId(key).grantId(second.grantId()));
    fails(KmsException.class, "not authorized", () -> g.decrypt(b -> b.ciphertextBlob(ciphertext)
        .encryptionContext(Map.of("order", "42"))));
  }

  // ---- bad input ---------------------------------------------------------------------------------------------

  @Test
  void badInput_failsWithKmsExceptionsAndMessages() {
    String key = newKey();
    fails(NotFoundException.class, "Invalid keyId 'not-a-key'", () -> admin.describeKey(b -> b.keyId("not-a-key")));
    fails(NotFoundException.class, "does not exist",
        () -> admin.describeKey(b -> b.keyId("11111111-2222-3333-4444-555555555555")));
    fails(NotFoundException.class, "Invalid arn eu-west-1",
        () -> admin.describeKey(b -> b.keyId(key.replace("us-east-1", "eu-west-1"))));
    fails(KmsException.class, "Member must have length less than or equal to 4096",
        () -> admin.encrypt(b -> b.keyId(key).plaintext(SdkBytes.fromByteArray(new byte[4097]))));
    fails(KmsException.class, "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value "
        + "greater than or equal to 1", () -> admin.generateDataKey(b -> b.keyId(key).numberOfBytes(0)));
    fails(KmsException.class, "less than or equal to 1024",
        () -> admin.generateDataKey(b -> b.keyId(key).numberOfBytes(1025)));
    fails(KmsException.class, "greater than or equal to 7",
        () -> admin.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(6)));
    fails(KmsException.class, "less than or equal to 30",
        () -> admin.scheduleKeyDeletion(b -> b.keyId(key).pendingWindowInDays(31)));
    fails(KmsException.class, "must start with the prefix \"alias/\"",
        () -> admin.createAlias(b -> b.aliasName("orders").targetKeyId(key)));
    KmsException reserved = fails(KmsException.class, null,
        () -> admin.createAlias(b -> b.aliasName("alias/aws/s3").targetKeyId(key)));
    assertEquals("NotAuthorizedException", reserved.awsErrorDetails().errorCode());
    fails(KmsException.class, "regular expression", () -> admin.createAlias(b -> b.aliasName("alias/bad name!")
        .targetKeyId(key)));
    fails(MalformedPolicyDocumentException.class, null,
        () -> admin.putKeyPolicy(b -> b.keyId(key).policyName("default").policy("{not json")));
    fails(InvalidCiphertextException.class, null,
        () -> admin.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(new byte[] {1, 2, 3}))));
    String hmac = admin.createKey(b -> b.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
        .keyMetadata().arn();
    fails(InvalidKeyUsageException.class, "not valid for Encrypt",
        () -> admin.encrypt(b -> b.keyId(hmac).plaintext(bytes("x"))));
  }

  @Test
  void everyCall_leavesACloudTrailRecord() {
    String key = newKey();
    admin.encrypt(b -> b.keyId(key).plaintext(bytes("x")).encryptionContext(Map.of("dept", "eng")));
    assertThrows(NotFoundException.class, () -> admin.describeKey(b -> b.keyId("alias/missing")));
    var trail = emulator.trail();
    var encrypt = trail.get(trail.size() - 2);
    assertEquals("Encrypt", encrypt.get("eventName").asText());
    assertEquals("kms.amazonaws.com", encrypt.get("eventSource").asText());
    assertEquals("eng", encrypt.at("/requestParameters/encryptionContext/dept").asText());
    assertEquals(key, encrypt.at("/resources/0/ARN").asText());
    assertFalse(encrypt.toString().contains("plaintext"), "no plaintext in the trail");
    var failed = trail.get(trail.size() - 1);
    assertEquals("NotFoundException", failed.get("errorCode").asText());
    assertEquals(ADMIN.arn(), failed.at("/userIdentity/arn").asText());
  }

  // ---- asymmetric and HMAC keys -------------------------------------------------------------------------------

  private String key(String spec, KeyUsageType usage) {
    return admin.createKey(b -> b.keySpec(spec).keyUsage(usage)).keyMetadata().arn();
  }

  private java.security.PublicKey publicKey(String key, String algorithm) throws Exception {
    byte[] der = admin.getPublicKey(b -> b.keyId(key)).publicKey().asByteArray();
    java.security.KeyFactory factory = algorithm.equals("EC")
        && admin.describeKey(b -> b.keyId(key)).keyMetadata().keySpecAsString().equals("ECC_SECG_P256K1")
        ? java.security.KeyFactory.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider())
        : java.security.KeyFactory.getInstance(algorithm);
    return factory.generatePublic(new java.security.spec.X509EncodedKeySpec(der));
  }

  @Test
  void signVerify_everyAlgorithm_rawAndDigestInterchangeable_andVerifiableOffline() throws Exception {
    SdkBytes message = bytes("sign me");
    Map<String, List<String>> specs = Map.of(
        "RSA_2048", List.of("RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"),
        "ECC_NIST_P256", List.of("ECDSA_SHA_256"),
        "ECC_NIST_P384", List.of("ECDSA_SHA_384"),
        "ECC_NIST_P521", List.of("ECDSA_SHA_512"),
        "ECC_SECG_P256K1", List.of("ECDSA_SHA_256"));
    for (var e : specs.entrySet()) {
      String key = key(e.getKey(), KeyUsageType.SIGN_VERIFY);
      for (String algorithm : e.getValue()) {
        String hash = "SHA-" + algorithm.substring(algorithm.length() - 3);
        SdkBytes digest = SdkBytes.fromByteArray(java.security.MessageDigest.getInstance(hash)
            .digest(message.asByteArray()));
        SdkBytes raw = admin.sign(b -> b.keyId(key).message(message).signingAlgorithm(algorithm)).signature();
        SdkBytes fromDigest = admin.sign(b -> b.keyId(key).message(digest).messageType("DIGEST")
            .signingAlgorithm(algorithm)).signature();
        assertTrue(admin.verify(b -> b.keyId(key).message(digest).messageType("DIGEST").signature(raw)
            .signingAlgorithm(algorithm)).signatureValid(), algorithm);
        assertTrue(admin.verify(b -> b.keyId(key).message(message).signature(fromDigest)
            .signingAlgorithm(algorithm)).signatureValid(), algorithm);
        if (!algorithm.startsWith("RSASSA_PSS")) {
          String jca = algorithm.startsWith("ECDSA") ? hash.replace("-", "") + "withECDSA"
              : hash.replace("-", "") + "withRSA";
          java.security.Signature offline = e.getKey().equals("ECC_SECG_P256K1")
              ? java.security.Signature.getInstance(jca, new org.bouncycastle.jce.provider.BouncyCastleProvider())
              : java.security.Signature.getInstance(jca);
          offline.initVerify(publicKey(key, algorithm.startsWith("ECDSA") ? "EC" : "RSA"));
          offline.update(message.asByteArray());
          assertTrue(offline.verify(raw.asByteArray()), "offline " + algorithm);
        }
        byte[] tampered = raw.asByteArray();
        tampered[tampered.length / 2] ^= 1;
        fails(software.amazon.awssdk.services.kms.model.KmsInvalidSignatureException.class, null,
            () -> admin.verify(b -> b.keyId(key).message(message).signature(SdkBytes.fromByteArray(tampered))
                .signingAlgorithm(algorithm)));
      }
    }
    String p256 = key("ECC_NIST_P256", KeyUsageType.SIGN_VERIFY);
    fails(KmsException.class, "Digest is invalid length", () -> admin.sign(b -> b.keyId(p256)
        .message(SdkBytes.fromByteArray(new byte[31])).messageType("DIGEST").signingAlgorithm("ECDSA_SHA_256")));
    fails(InvalidKeyUsageException.class, "incompatible with key spec", () -> admin.sign(b -> b.keyId(p256)
        .message(message).signingAlgorithm("ECDSA_SHA_384")));
  }

  @Test
  void rsaEncryption_isRealRsaOaep_offlineCiphertextDecryptsInKms() throws Exception {
    String key = key("RSA_2048", KeyUsageType.ENCRYPT_DECRYPT);
    javax.crypto.Cipher offline = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
    offline.init(javax.crypto.Cipher.ENCRYPT_MODE, publicKey(key, "RSA"), new javax.crypto.spec.OAEPParameterSpec(
        "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, javax.crypto.spec.PSource.PSpecified.DEFAULT));
    byte[] ciphertext = offline.doFinal("offline".getBytes());
    assertEquals("offline", admin.decrypt(b -> b.keyId(key).ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")).plaintext().asUtf8String());
    SdkBytes viaKms = admin.encrypt(b -> b.keyId(key).plaintext(bytes("kms")).encryptionAlgorithm("RSAES_OAEP_SHA_1"))
        .ciphertextBlob();
    assertEquals(256, viaKms.asByteArray().length);
    assertEquals("kms", admin.decrypt(b -> b.keyId(key).ciphertextBlob(viaKms).encryptionAlgorithm("RSAES_OAEP_SHA_1"))
        .plaintext().asUtf8String());
    fails(KmsException.class, "cannot encrypt data larger than 214 bytes", () -> admin.encrypt(b -> b.keyId(key)
        .plaintext(SdkBytes.fromByteArray(new byte[215])).encryptionAlgorithm("RSAES_OAEP_SHA_1")));
    fails(InvalidCiphertextException.class, null, () -> admin.decrypt(b -> b.keyId(key).ciphertextBlob(viaKms)
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")));
  }

  @Test
  void hmac_generatesAndVerifies_andRejectsAWrongMacOrAlgorithm() {
    String key = key("HMAC_256", KeyUsageType.GENERATE_VERIFY_MAC);
    SdkBytes mac = admin.generateMac(b -> b.keyId(key).message(bytes("m")).macAlgorithm("HMAC_SHA_256")).mac();
    assertEquals(32, mac.asByteArray().length);
    assertTrue(admin.verifyMac(b -> b.keyId(key).message(bytes("m")).mac(mac).macAlgorithm("HMAC_SHA_256")).macValid());
    fails(software.amazon.awssdk.services.kms.model.KmsInvalidMacException.class, null,
        () -> admin.verifyMac(b -> b.keyId(key).message(bytes("n")).mac(mac).macAlgorithm("HMAC_SHA_256")));
    fails(InvalidKeyUsageException.class, "incompatible with key spec HMAC_256",
        () -> admin.generateMac(b -> b.keyId(key).message(bytes("m")).macAlgorithm("HMAC_SHA_512")));
  }

  @Test
  void generateDataKeyPair_privateKeyCiphertextDecryptsToTheKeyThatMatchesThePublicKey() throws Exception {
    String key = newKey();
    var pair = admin.generateDataKeyPair(b -> b.keyId(key).keyPairSpec("ECC_NIST_P256")
        .encryptionContext(Map.of("use", "signing")));
    byte[] privateKey = admin.decrypt(b -> b.ciphertextBlob(pair.privateKeyCiphertextBlob())
        .encryptionContext(Map.of("use", "signing"))).plaintext().asByteArray();
    assertArrayEquals(pair.privateKeyPlaintext().asByteArray(), privateKey);
    java.security.KeyFactory ec = java.security.KeyFactory.getInstance("EC");
    java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
    s.initSign(ec.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(privateKey)));
    s.update(new byte[] {1});
    byte[] signature = s.sign();
    s.initVerify(ec.generatePublic(new java.security.spec.X509EncodedKeySpec(pair.publicKey().asByteArray())));
    s.update(new byte[] {1});
    assertTrue(s.verify(signature));
    var withoutPlaintext = admin.generateDataKeyPairWithoutPlaintext(b -> b.keyId(key).keyPairSpec("RSA_2048"));
    assertTrue(withoutPlaintext.publicKey().asByteArray().length > 250);
  }

  // ---- multi-Region keys ----------------------------------------------------------------------------------------

  @Test
  void multiRegionKey_ciphertextFromThePrimaryDecryptsWithItsReplicaInAnotherRegion() {
    String primary = admin.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    assertTrue(primary.contains(":key/mrk-"), primary);
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(primary).plaintext(bytes("across regions"))
        .encryptionContext(Map.of("tenant", "a"))).ciphertextBlob();
    var replicated = admin.replicateKey(b -> b.keyId(primary).replicaRegion("eu-west-1").description("replica"));
    assertEquals(KeyState.CREATING, replicated.replicaKeyMetadata().keyState());
    assertFalse(replicated.replicaKeyMetadata().enabled());
    String replica = replicated.replicaKeyMetadata().arn();
    assertEquals(primary.replace("us-east-1", "eu-west-1"), replica);

    KmsClient europe = client(emulator, ADMIN, Region.EU_WEST_1);
    var metadata = europe.describeKey(b -> b.keyId(replica)).keyMetadata();
    assertEquals(KeyState.ENABLED, metadata.keyState());
    assertEquals("REPLICA", metadata.multiRegionConfiguration().multiRegionKeyTypeAsString());
    assertEquals(primary, metadata.multiRegionConfiguration().primaryKey().arn());
    assertEquals("across regions", europe.decrypt(b -> b.ciphertextBlob(ciphertext)
        .encryptionContext(Map.of("tenant", "a"))).plaintext().asUtf8String());
    fails(InvalidCiphertextException.class, null, () -> europe.decrypt(b -> b.ciphertextBlob(ciphertext)
        .encryptionContext(Map.of("tenant", "b"))));

    // Rotation of the primary is shared: data from the replica after the rotation decrypts at the primary.
    admin.rotateKeyOnDemand(b -> b.keyId(primary));
    SdkBytes fromReplica = europe.encrypt(b -> b.keyId(replica).plaintext(bytes("back"))).ciphertextBlob();
    assertEquals("back", admin.decrypt(b -> b.ciphertextBlob(fromReplica)).plaintext().asUtf8String());
    assertEquals(2, europe.listKeyRotations(b -> b.keyId(replica).includeKeyMaterial("ALL_KEY_MATERIAL"))
        .rotations().size());

    // Independent per key: disabling the replica does not disable the primary.
    europe.disableKey(b -> b.keyId(replica));
    fails(DisabledException.class, replica + " is disabled.", () -> europe.decrypt(b -> b.ciphertextBlob(fromReplica)));
    assertEquals("back", admin.decrypt(b -> b.ciphertextBlob(fromReplica)).plaintext().asUtf8String());

    fails(AlreadyExistsException.class, "already has a key in eu-west-1",
        () -> admin.replicateKey(b -> b.keyId(primary).replicaRegion("eu-west-1")));
    fails(software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
        replica + " is not a multi-region primary key.",
        () -> europe.replicateKey(b -> b.keyId(replica).replicaRegion("ap-south-1")));
    String single = newKey();
    fails(software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
        "is not a multi-region primary key", () -> admin.replicateKey(b -> b.keyId(single).replicaRegion("eu-west-1")));
    fails(KmsException.class, "failed to satisfy constraint",
        () -> admin.replicateKey(b -> b.keyId(primary).replicaRegion("Europe")));
  }

  @Test
  void updatePrimaryRegion_swapsTheRoles_andRotationFollowsTheNewPrimary() {
    String primary = admin.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    String replica = admin.replicateKey(b -> b.keyId(primary).replicaRegion("us-west-2")).replicaKeyMetadata().arn();
    KmsClient west = client(emulator, ADMIN, Region.US_WEST_2);
    fails(NotFoundException.class, primary.replace("us-east-1", "ap-south-1") + "' does not exist",
        () -> admin.updatePrimaryRegion(b -> b.keyId(primary).primaryRegion("ap-south-1")));
    admin.updatePrimaryRegion(b -> b.keyId(primary).primaryRegion("us-west-2"));

    var westMetadata = west.describeKey(b -> b.keyId(replica)).keyMetadata();
    assertEquals("PRIMARY", westMetadata.multiRegionConfiguration().multiRegionKeyTypeAsString());
    assertEquals(KeyState.ENABLED, westMetadata.keyState());
    assertEquals("REPLICA", admin.describeKey(b -> b.keyId(primary)).keyMetadata().multiRegionConfiguration()
        .multiRegionKeyTypeAsString());
    fails(software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
        "is not a multi-region primary key", () -> admin.rotateKeyOnDemand(b -> b.keyId(primary)));
    west.rotateKeyOnDemand(b -> b.keyId(replica));
    assertEquals(2, admin.listKeyRotations(b -> b.keyId(primary).includeKeyMaterial("ALL_KEY_MATERIAL"))
        .rotations().size());
  }

  // ---- imported key material ------------------------------------------------------------------------------------

  private static byte[] wrap(SdkBytes publicKeyDer, String algorithm, byte[] material) throws Exception {
    var publicKey = java.security.KeyFactory.getInstance("RSA")
        .generatePublic(new java.security.spec.X509EncodedKeySpec(publicKeyDer.asByteArray()));
    String hash = algorithm.contains("SHA_1") ? "SHA-1" : "SHA-256";
    javax.crypto.Cipher rsa = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
    rsa.init(javax.crypto.Cipher.ENCRYPT_MODE, publicKey, new javax.crypto.spec.OAEPParameterSpec(hash, "MGF1",
        hash.equals("SHA-1") ? java.security.spec.MGF1ParameterSpec.SHA1 : java.security.spec.MGF1ParameterSpec.SHA256,
        javax.crypto.spec.PSource.PSpecified.DEFAULT));
    if (algorithm.startsWith("RSAES_OAEP")) {
      return rsa.doFinal(material);
    }
    byte[] aesKey = new byte[32];
    new java.security.SecureRandom().nextBytes(aesKey);
    javax.crypto.Cipher kwp = javax.crypto.Cipher.getInstance("AES/KWP/NoPadding");
    kwp.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(aesKey, "AES"));
    byte[] a = rsa.doFinal(aesKey);
    byte[] b = kwp.doFinal(material);
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private void importInto(String key, String algorithm, byte[] material, java.time.Instant validTo)
      throws Exception {
    var parameters = admin.getParametersForImport(b -> b.keyId(key).wrappingAlgorithm(algorithm)
        .wrappingKeySpec("RSA_2048"));
    assertEquals(clock.instant().plus(Duration.ofHours(24)), parameters.parametersValidTo());
    byte[] wrapped = wrap(parameters.publicKey(), algorithm, material);
    admin.importKeyMaterial(b -> {
      b.keyId(key).importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped));
      if (validTo == null) {
        b.expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE");
      } else {
        b.validTo(validTo);
      }
    });
  }

  @Test
  void importedKeyMaterial_isReallyUsed_expires_andTheSameMaterialRestoresOldCiphertexts() throws Exception {
    String key = admin.createKey(b -> b.origin("EXTERNAL")).keyMetadata().arn();
    assertEquals(KeyState.PENDING_IMPORT, admin.describeKey(b -> b.keyId(key)).keyMetadata().keyState());
    fails(KmsInvalidStateException.class, key + " is pending import.",
        () -> admin.encrypt(b -> b.keyId(key).plaintext(bytes("x"))));
    byte[] material = new byte[32];
    new java.security.SecureRandom().nextBytes(material);
    importInto(key, "RSAES_OAEP_SHA_256", material, clock.instant().plus(Duration.ofDays(10)));
    assertEquals(KeyState.ENABLED, admin.describeKey(b -> b.keyId(key)).keyMetadata().keyState());
    SdkBytes ciphertext = admin.encrypt(b -> b.keyId(key).plaintext(bytes("imported"))).ciphertextBlob();

    clock.advance(Duration.ofDays(10));
    assertEquals(KeyState.PENDING_IMPORT, admin.describeKey(b -> b.keyId(key)).keyMetadata().keyState());
    fails(KmsInvalidStateException.class, "is pending import", () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));

    byte[] other = material.clone();
    other[0] ^= 1;
    var parameters = admin.getParametersForImport(b -> b.keyId(key).wrappingAlgorithm("RSAES_OAEP_SHA_1")
        .wrappingKeySpec("RSA_2048"));
    byte[] wrappedOther = wrap(parameters.publicKey(), "RSAES_OAEP_SHA_1", other);
    // No material left after expiry: any 256-bit material imports; old ciphertexts stay unreadable under it.
    admin.importKeyMaterial(b -> b.keyId(key).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrappedOther)).expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE"));
    fails(InvalidCiphertextException.class, null, () -> admin.decrypt(b -> b.ciphertextBlob(ciphertext)));
    // Once material is present, only the same material may be imported again.
    fails(software.amazon.awssdk.services.kms.model.IncorrectKeyMaterialException.class,
        "Reimport the same key material", () -> importInto(key, "RSA_AES_KEY_WRAP_SHA_256", material, null));
    admin.deleteImportedKeyMaterial(b -> b.keyId(key));
    importInto(key, "RSA_AES_KEY_WRAP_SHA_256", material, null);
    assertEquals("imported", admin.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
  }

  @Test
  void importKeyMaterial_rejectsBadTokensWrappingAndSizes() throws Exception {
    String key = admin.createKey(b -> b.origin("EXTERNAL")).keyMetadata().arn();
    String kmsKey = newKey();
    fails(software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
        kmsKey + " origin is AWS_KMS which is not valid for this operation.",
        () -> admin.getParametersForImport(b -> b.keyId(kmsKey).wrappingAlgorithm("RSAES_OAEP_SHA_256")
            .wrappingKeySpec("RSA_2048")));
    var parameters = admin.getParametersForImport(b -> b.keyId(key).wrappingAlgorithm("RSAES_OAEP_SHA_256")
        .wrappingKeySpec("RSA_2048"));
    byte[] shortMaterial = wrap(parameters.publicKey(), "RSAES_OAEP_SHA_256", new byte[16]);
    fails(software.amazon.awssdk.services.kms.model.IncorrectKeyMaterialException.class, "must be 256 bits",
        () -> admin.importKeyMaterial(b -> b.keyId(key).importToken(parameters.importToken())
            .encryptedKeyMaterial(SdkBytes.fromByteArray(shortMaterial)).expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE")));
    byte[] good = wrap(parameters.publicKey(), "RSAES_OAEP_SHA_256", new byte[32]);
    byte[] tampered = good.clone();
    tampered[7] ^= 1;
    fails(InvalidCiphertextException.class, null, () -> admin.importKeyMaterial(b -> b.keyId(key)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(tampered))
        .expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE")));
    fails(software.amazon.awssdk.services.kms.model.InvalidImportTokenException.class, "GetParametersForImport",
        () -> admin.importKeyMaterial(b -> b.keyId(key).importToken(bytes("forged"))
            .encryptedKeyMaterial(SdkBytes.fromByteArray(good)).expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE")));
    fails(KmsException.class, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
        () -> admin.importKeyMaterial(b -> b.keyId(key).importToken(parameters.importToken())
            .encryptedKeyMaterial(SdkBytes.fromByteArray(good))));
    clock.advance(Duration.ofHours(25));
    fails(software.amazon.awssdk.services.kms.model.ExpiredImportTokenException.class, "expired",
        () -> admin.importKeyMaterial(b -> b.keyId(key).importToken(parameters.importToken())
            .encryptedKeyMaterial(SdkBytes.fromByteArray(good)).expirationModel("KEY_MATERIAL_DOES_NOT_EXPIRE")));
  }

  @Test
  void importedAsymmetricAndHmacMaterial_signsAndMacsWithTheCallersKey() throws Exception {
    var generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    var pair = generator.generateKeyPair();
    String ecKey = admin.createKey(b -> b.origin("EXTERNAL").keySpec("ECC_NIST_P256")
        .keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata().arn();
    importInto(ecKey, "RSA_AES_KEY_WRAP_SHA_256", pair.getPrivate().getEncoded(), null);
    assertArrayEquals(pair.getPublic().getEncoded(),
        admin.getPublicKey(b -> b.keyId(ecKey)).publicKey().asByteArray());
    SdkBytes signature = admin.sign(b -> b.keyId(ecKey).message(bytes("m")).signingAlgorithm("ECDSA_SHA_256"))
        .signature();
    var verifier = java.security.Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(pair.getPublic());
    verifier.update("m".getBytes());
    assertTrue(verifier.verify(signature.asByteArray()));

    byte[] hmacKey = new byte[32];
    new java.security.SecureRandom().nextBytes(hmacKey);
    String macKey = admin.createKey(b -> b.origin("EXTERNAL").keySpec("HMAC_256")
        .keyUsage(KeyUsageType.GENERATE_VERIFY_MAC)).keyMetadata().arn();
    importInto(macKey, "RSAES_OAEP_SHA_256", hmacKey, null);
    var mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(hmacKey, "HmacSHA256"));
    assertArrayEquals(mac.doFinal("m".getBytes()), admin.generateMac(b -> b.keyId(macKey).message(bytes("m"))
        .macAlgorithm("HMAC_SHA_256")).mac().asByteArray());
  }

  // ---- IAM policy evaluation (regressions: Deny statements KMS applies were ignored) -----------------------------

  private static final String ROOT_ALLOW = allow("arn:aws:iam::111122223333:root", "kms:*");

  /** A key whose policy lets the account delegate to IAM and the Lambda role use the key, plus {@code deny}. */
  private String keyWith(String... extra) {
    String[] statements = new String[extra.length + 2];
    statements[0] = ROOT_ALLOW;
    statements[1] = allow(LAMBDA_ROLE.arn(), "kms:*");
    System.arraycopy(extra, 0, statements, 2, extra.length);
    return admin.createKey(b -> b.policy(policy(statements))).keyMetadata().arn();
  }

  private static String deny(String principalElement, String rest) {
    return "{\"Effect\":\"Deny\"," + principalElement + "," + rest + "}";
  }

  /** A statement denying kms:Encrypt to everyone when {@code condition} (the Condition object's body) holds. */
  private static String denyEncryptWhen(String condition) {
    return deny("\"Principal\":\"*\"", "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\",\"Condition\":{" + condition
        + "}");
  }

  private void encryptAs(Principal p, String key, Map<String, String> context) {
    as(p).encrypt(b -> b.keyId(key).plaintext(bytes("x")).encryptionContext(context));
  }

  private void deniedAs(Principal p, String key, Map<String, String> context) {
    fails(KmsException.class, "with an explicit deny", () -> encryptAs(p, key, context));
  }

  @Test
  void notActionDeny_deniesEverythingButTheListedActions() {
    String key = keyWith(deny("\"Principal\":{\"AWS\":\"" + LAMBDA_ROLE.arn() + "\"}",
        "\"NotAction\":[\"kms:Encrypt\",\"kms:Describe*\"],\"Resource\":\"*\""));
    SdkBytes ciphertext = as(LAMBDA_ROLE).encrypt(b -> b.keyId(key).plaintext(bytes("x"))).ciphertextBlob();
    as(LAMBDA_ROLE).describeKey(b -> b.keyId(key));
    fails(KmsException.class, "with an explicit deny in a resource-based policy",
        () -> as(LAMBDA_ROLE).decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  @Test
  void notResourceDeny_appliesToEveryKeyButTheListedOnes() {
    String key = keyWith(deny("\"Principal\":\"*\"",
        "\"Action\":\"kms:Encrypt\",\"NotResource\":\"arn:aws:kms:us-east-1:111122223333:key/other\""));
    deniedAs(LAMBDA_ROLE, key, Map.of());
    String spared = keyWith(deny("\"Principal\":\"*\"",
        "\"Action\":\"kms:Encrypt\",\"NotResource\":\"arn:aws:kms:*:111122223333:key/*\""));
    encryptAs(LAMBDA_ROLE, spared, Map.of());
  }

  @Test
  void negatedOperatorOnAnAbsentKey_holds_soTheDenyApplies() {
    String key = keyWith(denyEncryptWhen("\"StringNotEquals\":{\"kms:EncryptionContext:tenant\":\"acme\"}"));
    encryptAs(LAMBDA_ROLE, key, Map.of("tenant", "acme"));
    deniedAs(LAMBDA_ROLE, key, Map.of("tenant", "zeta"));
    deniedAs(LAMBDA_ROLE, key, Map.of()); // the key is absent: StringNotEquals holds, as in IAM
    // A key the emulator does not supply is absent too: the usual "deny unless through my VPC endpoint" applies.
    String vpce = keyWith(denyEncryptWhen("\"StringNotEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c4d\"}"));
    deniedAs(LAMBDA_ROLE, vpce, Map.of());
    // ...IfExists and positive operators on an absent key: the Deny does not apply.
    String ifExists = keyWith(denyEncryptWhen("\"StringEqualsIfExists\":{\"kms:EncryptionContext:tenant\":\"zeta\"}"));
    deniedAs(LAMBDA_ROLE, ifExists, Map.of());
    encryptAs(LAMBDA_ROLE, ifExists, Map.of("tenant", "acme"));
  }

  @Test
  void unknownConditionOperator_isRefusedWhenThePolicyIsSet_neverSilentlySkipped() {
    String key = newKey();
    for (String operator : new String[] {"StringEqualz", "NullIfExists", "ForSomeValues:StringEquals",
        "StringNotEqualsIfExist"}) {
      String bad = policy(ROOT_ALLOW, deny("\"Principal\":\"*\"", "\"Action\":\"kms:*\",\"Resource\":\"*\","
          + "\"Condition\":{\"" + operator + "\":{\"kms:CallerAccount\":\"111122223333\"}}"));
      MalformedPolicyDocumentException e = fails(MalformedPolicyDocumentException.class,
          "invalid condition operator: " + operator,
          () -> admin.putKeyPolicy(b -> b.keyId(key).policyName("default").policy(bad)));
      assertEquals("MalformedPolicyDocumentException", e.awsErrorDetails().errorCode());
      fails(MalformedPolicyDocumentException.class, operator, () -> admin.createKey(b -> b.policy(bad)));
    }
  }

  @Test
  void notPrincipal_isAccepted_andExcludesOnlyWhenTheAccountAndThePrincipalAreListed() {
    Principal other = Principal.role(ACCOUNT, "other-app");
    emulator.putIamPolicy(other, ALLOW_ALL_KMS_IAM);
    String notPrincipal = "\"NotPrincipal\":{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"" + LAMBDA_ROLE.arn()
        + "\"]}";
    String key = keyWith(allow(other.arn(), "kms:*"),
        deny(notPrincipal, "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\""));
    encryptAs(LAMBDA_ROLE, key, Map.of());
    encryptAs(ADMIN, key, Map.of());
    deniedAs(other, key, Map.of());
    // Without the account ARN, the account itself is denied first, and with it everyone in it (IAM's rule).
    String roleOnly = keyWith(deny("\"NotPrincipal\":{\"AWS\":\"" + LAMBDA_ROLE.arn() + "\"}",
        "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\""));
    deniedAs(LAMBDA_ROLE, roleOnly, Map.of());
  }

  @Test
  void dateNumericBoolNullAndSetOperators_evaluateLikeIam() {
    String notAfter2027 = keyWith(denyEncryptWhen(
        "\"DateGreaterThan\":{\"aws:CurrentTime\":\"2027-01-01T00:00:00Z\"}"));
    encryptAs(LAMBDA_ROLE, notAfter2027, Map.of());
    clock.advance(Duration.ofDays(60)); // 2027-01-21
    deniedAs(LAMBDA_ROLE, notAfter2027, Map.of());

    long now = clock.instant().getEpochSecond();
    String epoch = keyWith(denyEncryptWhen("\"NumericLessThan\":{\"aws:EpochTime\":" + (now + 10) + "}"));
    deniedAs(LAMBDA_ROLE, epoch, Map.of());
    clock.advance(Duration.ofSeconds(11));
    encryptAs(LAMBDA_ROLE, epoch, Map.of());

    String singleRegionOnly = keyWith(denyEncryptWhen("\"Bool\":{\"kms:MultiRegion\":\"false\"}"));
    deniedAs(LAMBDA_ROLE, singleRegionOnly, Map.of());

    String contextRequired = keyWith(denyEncryptWhen("\"Null\":{\"kms:EncryptionContextKeys\":\"true\"}"));
    deniedAs(LAMBDA_ROLE, contextRequired, Map.of());
    encryptAs(LAMBDA_ROLE, contextRequired, Map.of("tenant", "acme"));

    String onlyTenantAndOrder = keyWith(denyEncryptWhen("\"ForAnyValue:StringNotEquals\":"
        + "{\"kms:EncryptionContextKeys\":[\"tenant\",\"order\"]}"));
    encryptAs(LAMBDA_ROLE, onlyTenantAndOrder, Map.of("tenant", "a", "order", "1"));
    encryptAs(LAMBDA_ROLE, onlyTenantAndOrder, Map.of());
    deniedAs(LAMBDA_ROLE, onlyTenantAndOrder, Map.of("tenant", "a", "extra", "x"));

    String allKnown = keyWith(denyEncryptWhen(
        "\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":[\"debug\"]}"));
    deniedAs(LAMBDA_ROLE, allKnown, Map.of("debug", "1"));
    deniedAs(LAMBDA_ROLE, allKnown, Map.of()); // vacuously true on an absent key, as IAM documents
    encryptAs(LAMBDA_ROLE, allKnown, Map.of("debug", "1", "tenant", "a"));
  }

  @Test
  void principalArnAccountAndSourceIpConditions() {
    String rolesOnly = keyWith(denyEncryptWhen("\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/order-*\"},"
        + "\"StringEquals\":{\"aws:PrincipalAccount\":\"111122223333\"}"));
    encryptAs(LAMBDA_ROLE, rolesOnly, Map.of());
    deniedAs(ADMIN, rolesOnly, Map.of());

    String loopbackOnly = keyWith(denyEncryptWhen("\"NotIpAddress\":{\"aws:SourceIp\":[\"127.0.0.0/8\",\"::1/128\"]}"));
    encryptAs(LAMBDA_ROLE, loopbackOnly, Map.of());
    String corporateOnly = keyWith(denyEncryptWhen("\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}"));
    deniedAs(LAMBDA_ROLE, corporateOnly, Map.of());
  }

  @Test
  void identityPolicyNotActionDeny_applies() {
    Principal limited = Principal.role(ACCOUNT, "limited");
    emulator.putIamPolicy(limited, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
        + "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"NotAction\":\"kms:Decrypt\",\"Resource\":\"*\"}]}");
    String key = newKey();
    fails(KmsException.class, "with an explicit deny in an identity-based policy",
        () -> as(limited).encrypt(b -> b.keyId(key).plaintext(bytes("x"))));
  }

  @Test
  void wildcardsWithManyStars_matchInBoundedTime() {
    Principal longName = Principal.role(ACCOUNT, "a".repeat(64));
    emulator.putIamPolicy(longName, ALLOW_ALL_KMS_IAM);
    String pattern = "arn:aws:iam::111122223333:role/" + "a*".repeat(40) + "b";
    String key = keyWith(allow(longName.arn(), "kms:*"),
        denyEncryptWhen("\"ArnLike\":{\"aws:PrincipalArn\":\"" + pattern + "\"}"));
    // A regex translation of this pattern backtracks exponentially on 64 a's; the matcher must not.
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> encryptAs(longName, key, Map.of()));
  }
}
