package dev.envelope.core.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.DecryptResult;
import dev.envelope.core.Envelope;
import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.cache.CachingMaterialsManager;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/** The KMS keyrings against the KMS emulator, in process. */
class KmsKeyringTest {
  private static final String ACCOUNT = "111122223333";
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme");

  private final KmsEmulator emulator = KmsEmulator.builder().defaultAccount(ACCOUNT).enforceAuthorization(true)
      .build();
  private final KmsClient admin = emulator.client();

  private String newKey() {
    return admin.createKey(b -> b.description("keyring test")).keyMetadata().arn();
  }

  private long kmsCalls(String operation) {
    return emulator.trail().stream().filter(e -> e.get("eventName").asText().equals(operation)).count();
  }

  @Test
  void kmsKeyringRoundTripsEverySuiteAndPassesTheContextToKms() {
    String key = newKey();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    for (AlgorithmSuite suite : List.of(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)) {
      Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(admin, key)).suite(suite).auditSink(audit)
          .build();
      byte[] message = envelope.encrypt("order".getBytes(), CONTEXT);
      DecryptResult result = envelope.decrypt(message, CONTEXT);
      assertArrayEquals("order".getBytes(), result.plaintext());
      assertEquals(List.of(key), result.wrappingKeyIds());
    }
    assertEquals(2, kmsCalls("GenerateDataKey"));
    assertEquals(2, kmsCalls("Decrypt"));
    var generate = emulator.trail().stream().filter(e -> e.get("eventName").asText().equals("GenerateDataKey"))
        .findFirst().orElseThrow();
    assertEquals("acme", generate.at("/requestParameters/encryptionContext/tenant").asText());
    assertEquals(32, generate.at("/requestParameters/numberOfBytes").asInt());
    assertTrue(audit.events().stream().allMatch(e -> e.kmsCalls() == 1), audit.events().toString());
  }

  @Test
  void kmsKeyringAsMultiKeyringChildEncryptsTheGeneratorsDataKey() {
    String a = newKey();
    String b = newKey();
    Envelope both = Envelope.builder().keyring(MultiKeyring.create(KmsKeyring.create(admin, a),
        List.of(KmsKeyring.create(admin, b)))).build();
    byte[] message = both.encrypt(new byte[] {7}, CONTEXT);
    assertEquals(1, kmsCalls("Encrypt"));
    DecryptResult viaB = Envelope.builder().keyring(KmsKeyring.create(admin, b)).build().decrypt(message, CONTEXT);
    assertEquals(List.of(b), viaB.wrappingKeyIds());
  }

  @Test
  void disabledKeyFailsWithKeyAccessDeniedNamingTheKeyAndTheFix() {
    String key = newKey();
    Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(admin, key)).build();
    byte[] message = envelope.encrypt(new byte[1], CONTEXT);
    admin.disableKey(b -> b.keyId(key));
    KeyAccessDeniedException encrypt = assertThrows(KeyAccessDeniedException.class,
        () -> envelope.encrypt(new byte[1], CONTEXT));
    assertEquals("DisabledException", encrypt.errorCode());
    assertEquals(key, encrypt.keyId());
    assertTrue(encrypt.getMessage().contains("enable it (EnableKey)"), encrypt.getMessage());
    NoKeyringCouldDecryptException decrypt = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope.decrypt(message, CONTEXT));
    assertInstanceOf(KeyAccessDeniedException.class, decrypt.getCause());
    assertTrue(decrypt.getMessage().contains(key + ": KMS Decrypt with key " + key + " failed: DisabledException"),
        decrypt.getMessage());
  }

  @Test
  void roleMissingFromTheKeyPolicyGetsAnErrorNamingRoleKeyAndFix() {
    String key = newKey();
    Principal role = Principal.role(ACCOUNT, "lambda-exec");
    Envelope asRole = Envelope.builder().keyring(KmsKeyring.create(emulator.client(role), key)).build();
    KeyAccessDeniedException e = assertThrows(KeyAccessDeniedException.class,
        () -> asRole.encrypt(new byte[1], CONTEXT));
    assertEquals("AccessDeniedException", e.errorCode());
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains(role.arn()), e.getMessage());
    assertTrue(e.getMessage().contains("name its role in the key policy"), e.getMessage());
  }

  @Test
  void aliasConfiguredKeyringEncryptsButExplainsWhyItCannotDecrypt() {
    String key = newKey();
    admin.createAlias(b -> b.aliasName("alias/orders").targetKeyId(key));
    Envelope byAlias = Envelope.builder().keyring(KmsKeyring.create(admin, "alias/orders")).build();
    byte[] message = byAlias.encrypt(new byte[1], CONTEXT);
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> byAlias.decrypt(message, CONTEXT));
    assertTrue(e.getMessage().contains("configure the key ARN"), e.getMessage());
    assertArrayEquals(new byte[1], Envelope.builder().keyring(KmsKeyring.create(admin, key)).build()
        .decrypt(message, CONTEXT).plaintext());
  }

  @Test
  void discoveryKeyringDecryptsWithinItsAccountFilterOnly() {
    String key = newKey();
    byte[] message = Envelope.builder().keyring(KmsKeyring.create(admin, key)).build().encrypt(new byte[2], CONTEXT);
    Envelope discovery = Envelope.builder().keyring(KmsDiscoveryKeyring.builder().kmsClient(admin)
        .accounts(Set.of(ACCOUNT)).build()).build();
    assertEquals(List.of(key), discovery.decrypt(message, CONTEXT).wrappingKeyIds());
    Envelope otherAccounts = Envelope.builder().keyring(KmsDiscoveryKeyring.builder().kmsClient(admin)
        .accounts(Set.of("999999999999")).build()).build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> otherAccounts.decrypt(message, CONTEXT));
    assertTrue(e.getMessage().contains("outside the discovery filter"), e.getMessage());
  }

  @Test
  void cachingManagerOverKmsCallsKmsOncePerEntryAndCountsWhatItSaved() {
    String key = newKey();
    CachingMaterialsManager cache = CachingMaterialsManager.builder().keyring(KmsKeyring.create(admin, key))
        .maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(100).build();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    Envelope envelope = Envelope.builder().materialsManager(cache).auditSink(audit)
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();
    for (int i = 0; i < 250; i++) {
      envelope.encrypt(new byte[] {(byte) i}, CONTEXT);
    }
    assertEquals(3, kmsCalls("GenerateDataKey"));
    assertEquals(247, cache.stats().kmsCallsSaved());
    assertEquals(3, audit.events().stream().mapToInt(AuditEvent::kmsCalls).sum());
  }

  @Test
  void kmsArnMatchesRelatedMultiRegionKeysOnly() {
    KmsArn east = KmsArn.parse("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")
        .orElseThrow();
    KmsArn west = east.inRegion("us-west-2");
    assertTrue(east.matchesForDecrypt(west));
    KmsArn single = KmsArn.parse("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .orElseThrow();
    assertFalse(single.matchesForDecrypt(single.inRegion("us-west-2")));
    assertFalse(KmsArn.parse("alias/orders").isPresent());
  }
}
