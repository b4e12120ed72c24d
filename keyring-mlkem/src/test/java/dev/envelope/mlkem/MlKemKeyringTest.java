package dev.envelope.mlkem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.kms.KmsEmulator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.kms.KmsClient;

/** The ML-KEM keyrings on the KMS emulator's ML-KEM keys: round trips, local encapsulation, every tampered field. */
class MlKemKeyringTest {
  private static final byte[] PLAINTEXT = new byte[777];
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "pq", "yes");
  private static KmsEmulator emulator;
  private static KmsClient kms;

  @BeforeAll
  static void start() {
    new Random(11).nextBytes(PLAINTEXT);
    emulator = KmsEmulator.create();
    kms = emulator.client();
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static String key(MlKemParameterSet set) {
    return kms.createKey(b -> b.keySpec(set.kmsKeySpec()).keyUsage("ENCAPSULATE_DECAPSULATE")).keyMetadata().arn();
  }

  @ParameterizedTest
  @EnumSource(MlKemParameterSet.class)
  void kmsAndLocalEncapsulationRoundTrip(MlKemParameterSet set) {
    String keyArn = key(set);
    KmsMlKemKeyring viaKms = KmsMlKemKeyring.builder().kmsClient(kms).keyArn(keyArn).parameterSet(set).build();
    byte[] publicKey = kms.getPublicKey(b -> b.keyId(keyArn)).publicKey().asByteArray();
    KmsMlKemKeyring local = KmsMlKemKeyring.builder().keyArn(keyArn).parameterSet(set)
        .localEncapsulation(publicKey).build();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    Envelope encryptsInKms = Envelope.builder().keyring(viaKms).auditSink(audit).build();
    Envelope encryptsLocally = Envelope.builder().keyring(local).auditSink(audit).build();
    byte[] fromKms = encryptsInKms.encrypt(PLAINTEXT, CONTEXT);
    byte[] fromLocal = encryptsLocally.encrypt(PLAINTEXT, CONTEXT);
    assertArrayEquals(PLAINTEXT, encryptsInKms.decrypt(fromKms, CONTEXT).plaintext());
    assertArrayEquals(PLAINTEXT, encryptsInKms.decrypt(fromLocal, CONTEXT).plaintext());
    assertEquals(List.of(1, 0, 1, 1), audit.events().stream().map(AuditEvent::kmsCalls).toList(),
        "Encapsulate, local, Decapsulate, Decapsulate");
    for (AlgorithmSuite suite : List.of(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        AlgorithmSuite.AES_128_GCM_IV12_TAG16_HKDF_SHA256)) {
      Envelope envelope = Envelope.builder().keyring(viaKms).suite(suite)
          .commitmentPolicy(suite.isCommitting() ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
              : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
      assertArrayEquals(PLAINTEXT, envelope.decrypt(envelope.encrypt(PLAINTEXT, Map.of()), Map.of()).plaintext());
    }

    RawMlKemKeyring.KeyPair pair = RawMlKemKeyring.generateKeyPair(set);
    RawMlKemKeyring sender = RawMlKemKeyring.builder().keyNamespace("pq").keyName("k1").parameterSet(set)
        .publicKey(pair.publicKey()).build();
    RawMlKemKeyring recipient = RawMlKemKeyring.builder().keyNamespace("pq").keyName("k1").parameterSet(set)
        .privateKey(pair.privateKey()).build();
    byte[] raw = Envelope.builder().keyring(sender).build().encrypt(PLAINTEXT, CONTEXT);
    assertArrayEquals(PLAINTEXT, Envelope.builder().keyring(recipient).build().decrypt(raw, CONTEXT).plaintext());
  }

  /** KMS refusing the key: encrypting fails with KMS's error and the fix, decrypting names it per EDK. */
  @Test
  void aDisabledKeyFailsWithTheKmsErrorAndTheFix() {
    MlKemParameterSet set = MlKemParameterSet.ML_KEM_512;
    String keyArn = key(set);
    Envelope envelope = Envelope.builder().keyring(KmsMlKemKeyring.builder().kmsClient(kms).keyArn(keyArn)
        .parameterSet(set).build()).build();
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);
    kms.disableKey(b -> b.keyId(keyArn));
    try {
      dev.envelope.core.KeyAccessDeniedException encrypt = assertThrows(
          dev.envelope.core.KeyAccessDeniedException.class, () -> envelope.encrypt(PLAINTEXT, CONTEXT));
      assertEquals(true, encrypt.getMessage().contains("DisabledException")
          && encrypt.getMessage().contains("EnableKey"), encrypt.getMessage());
      NoKeyringCouldDecryptException decrypt = assertThrows(NoKeyringCouldDecryptException.class,
          () -> envelope.decrypt(message, CONTEXT));
      assertEquals(1, decrypt.kmsCalls(), "the refused Decapsulate is a key use too");
      assertEquals(true, decrypt.attempts().get(0).reason().contains("Decapsulate"), decrypt.getMessage());
    } finally {
      kms.enableKey(b -> b.keyId(keyArn));
    }
    assertArrayEquals(PLAINTEXT, envelope.decrypt(message, CONTEXT).plaintext());
  }

  private static byte[] flip(byte[] b, int index) {
    byte[] copy = b.clone();
    copy[index] ^= 1;
    return copy;
  }

  @Test
  void everyTamperedFieldFailsWithOneError() {
    MlKemParameterSet set = MlKemParameterSet.ML_KEM_768;
    KmsMlKemKeyring keyring = KmsMlKemKeyring.builder().kmsClient(kms).keyArn(key(set)).parameterSet(set).build();
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    EncryptionMaterials encrypted = keyring.onEncrypt(EncryptionMaterials.builder().suite(suite)
        .encryptionContext(CONTEXT).build());
    EncryptedDataKey edk = encrypted.encryptedDataKeys().get(0);
    assertEquals(1088 + 32 + 32 + 16, edk.ciphertext().length);
    DecryptionMaterials fresh = DecryptionMaterials.builder().suite(suite).encryptionContext(CONTEXT).build();
    assertArrayEquals(encrypted.dataKey().get().toByteArray(),
        keyring.onDecrypt(fresh, List.of(edk)).dataKey().get().toByteArray());

    String unwrapFailed = "ML-KEM unwrap failed: the encrypted data key was changed, or the message's encryption "
        + "context differs from the one it was wrapped with";
    Map<String, UnaryOperator<EncryptedDataKey>> tampers = new LinkedHashMap<>();
    tampers.put("KEM ciphertext", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(), flip(e.ciphertext(), 5)));
    tampers.put("salt", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(), flip(e.ciphertext(), 1090)));
    tampers.put("wrapped key", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(),
        flip(e.ciphertext(), 1125)));
    tampers.put("tag", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(),
        flip(e.ciphertext(), e.ciphertext().length - 1)));
    Map<String, String> expected = new LinkedHashMap<>();
    tampers.keySet().forEach(k -> expected.put(k, unwrapFailed));
    tampers.put("truncated", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(),
        Arrays.copyOf(e.ciphertext(), e.ciphertext().length - 1)));
    expected.put("truncated", "the wrapped data key is 1167 bytes; ML-KEM-768 with " + suite + " wraps 1168");
    for (var tamper : tampers.entrySet()) {
      NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
          () -> keyring.onDecrypt(fresh, List.of(tamper.getValue().apply(edk))), tamper.getKey());
      assertEquals(1, e.attempts().size(), tamper.getKey());
      assertEquals(expected.get(tamper.getKey()), e.attempts().get(0).reason(), tamper.getKey());
    }
    // Provider info (version byte, key ARN) and another context.
    NoKeyringCouldDecryptException version = assertThrows(NoKeyringCouldDecryptException.class,
        () -> keyring.onDecrypt(fresh, List.of(EncryptedDataKey.of(edk.providerId(), flip(edk.providerInfo(), 0),
            edk.ciphertext()))));
    assertEquals("the message has no data key wrapped for this ML-KEM key (it has [aws-kms-ml-kem (provider info "
        + "not of version 1)])", version.attempts().get(0).reason());
    NoKeyringCouldDecryptException otherKey = assertThrows(NoKeyringCouldDecryptException.class,
        () -> keyring.onDecrypt(fresh, List.of(EncryptedDataKey.of(edk.providerId(),
            flip(edk.providerInfo(), edk.providerInfo().length - 1), edk.ciphertext()))));
    assertEquals(true, otherKey.attempts().get(0).reason().startsWith("the message has no data key wrapped for "
        + "this ML-KEM key"), otherKey.getMessage());
    DecryptionMaterials otherContext = DecryptionMaterials.builder().suite(suite)
        .encryptionContext(Map.of("tenant", "other")).build();
    assertEquals(unwrapFailed, assertThrows(NoKeyringCouldDecryptException.class,
        () -> keyring.onDecrypt(otherContext, List.of(edk))).attempts().get(0).reason());
  }
}
