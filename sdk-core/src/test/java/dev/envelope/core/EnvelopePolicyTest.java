package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RsaPadding;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.core.materials.RequiredEncryptionContextMaterialsManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvelopePolicyTest {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "purpose", "policy-test");

  private static Keyring threeKeys() {
    return MultiKeyring.create(TestKeyrings.aes("ns", "k1", TestKeyrings.bytes(32, 1)),
        List.of(TestKeyrings.aes("ns", "k2", TestKeyrings.bytes(32, 2)),
            TestKeyrings.aes("ns", "k3", TestKeyrings.bytes(32, 3))));
  }

  @Test
  void decryptWithMoreEncryptedDataKeysThanAllowedFailsBeforeAnyUnwrap() {
    byte[] message = Envelope.builder().keyring(threeKeys()).build().encrypt(new byte[4], CONTEXT);
    CountingKeyring counting = new CountingKeyring(threeKeys());
    Envelope limited = Envelope.builder().keyring(counting).maxEncryptedDataKeys(2).build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> limited.decrypt(message));
    assertTrue(e.getMessage().contains("3 encrypted data keys"), e.getMessage());
    assertEquals(0, counting.decryptCalls());
    assertArrayEquals(new byte[4], Envelope.builder().keyring(threeKeys()).maxEncryptedDataKeys(3).build()
        .decrypt(message).plaintext());
  }

  @Test
  void encryptWithMoreEncryptedDataKeysThanAllowedFails() {
    Envelope limited = Envelope.builder().keyring(threeKeys()).maxEncryptedDataKeys(2).build();
    assertThrows(PolicyViolationException.class, () -> limited.encrypt(new byte[4], CONTEXT));
  }

  @Test
  void requireRequireRefusesToDecryptNonCommittingMessages() {
    byte[] legacy = Envelope.builder().keyring(TestKeyrings.aes())
        .commitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build().encrypt(new byte[4], CONTEXT);
    Envelope strict = Envelope.builder().keyring(TestKeyrings.aes()).build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> strict.decrypt(legacy));
    assertTrue(e.getMessage().contains("AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384(0x0378)"), e.getMessage());
    Envelope migrating = Envelope.builder().keyring(TestKeyrings.aes())
        .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    assertArrayEquals(new byte[4], migrating.decrypt(legacy).plaintext());
  }

  @Test
  void defaultSuitesFollowTheCommitmentPolicy() {
    Envelope forbid = Envelope.builder().keyring(TestKeyrings.aes())
        .commitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
    Envelope allow = Envelope.builder().keyring(TestKeyrings.aes())
        .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    assertEquals(AlgorithmSuite.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
        allow.decrypt(forbid.encrypt(new byte[1], CONTEXT)).suite());
    assertEquals(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        allow.decrypt(allow.encrypt(new byte[1], CONTEXT)).suite());
  }

  @Test
  void builderRejectsSuitesThePolicyForbidsAndBadFrameLengths() {
    assertThrows(IllegalArgumentException.class, () -> Envelope.builder().keyring(TestKeyrings.aes())
        .suite(AlgorithmSuite.AES_256_GCM_IV12_TAG16_HKDF_SHA256).build());
    assertThrows(IllegalArgumentException.class, () -> Envelope.builder().keyring(TestKeyrings.aes())
        .commitmentPolicy(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build());
    assertThrows(IllegalArgumentException.class, () -> Envelope.builder().keyring(TestKeyrings.aes())
        .frameLength(0).build());
    assertThrows(IllegalStateException.class, () -> Envelope.builder().build());
    assertThrows(NullPointerException.class, () -> Envelope.builder().keyring(TestKeyrings.aes()).build()
        .decrypt(null));
  }

  @Test
  void requiredContextIsAuthenticatedButNotStored() {
    var cmm = RequiredEncryptionContextMaterialsManager.create(DefaultMaterialsManager.create(TestKeyrings.aes()),
        Set.of("tenant"));
    Envelope envelope = Envelope.builder().materialsManager(cmm).build();
    byte[] message = envelope.encrypt("x".getBytes(), CONTEXT);
    assertFalse(new String(message, java.nio.charset.StandardCharsets.ISO_8859_1).contains("acme"),
        "the required value is not stored in the message");

    DecryptResult result = envelope.decrypt(message, Map.of("tenant", "acme"));
    assertEquals("acme", result.encryptionContext().get("tenant"));
    assertEquals("policy-test", result.encryptionContext().get("purpose"));

    EncryptionContextMismatchException missing = assertThrows(EncryptionContextMismatchException.class,
        () -> envelope.decrypt(message));
    assertTrue(missing.getMessage().contains("[tenant]"), missing.getMessage());
    assertThrows(NoKeyringCouldDecryptException.class, () -> envelope.decrypt(message, Map.of("tenant", "evil")));
    assertThrows(EncryptionContextMismatchException.class, () -> envelope.encrypt(new byte[1], Map.of("a", "b")));
  }

  @Test
  void requiredContextWithRsaFailsOnTheHeaderTagWhenTheValueDiffers() {
    // RSA-wrapped keys are not bound to the context: the header tag is what catches a wrong required value.
    var cmm = RequiredEncryptionContextMaterialsManager.create(
        DefaultMaterialsManager.create(TestKeyrings.rsa(RsaPadding.OAEP_SHA256_MGF1)), Set.of("tenant"));
    Envelope envelope = Envelope.builder().materialsManager(cmm).build();
    byte[] message = envelope.encrypt("x".getBytes(), CONTEXT);
    assertArrayEquals("x".getBytes(), envelope.decrypt(message, Map.of("tenant", "acme")).plaintext());
    assertThrows(AuthenticationFailedException.class, () -> envelope.decrypt(message, Map.of("tenant", "evil")));
  }

  @Test
  void pkcs1IsRefusedForNewMessages() {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.rsa(RsaPadding.PKCS1)).build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> envelope.encrypt(new byte[1], CONTEXT));
    assertTrue(e.getMessage().contains("OAEP"), e.getMessage());
  }

  @Test
  void encryptingStreamWritingMoreThanDeclaredFails() throws java.io.IOException {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).build();
    java.io.OutputStream out = envelope.encryptingStream(new java.io.ByteArrayOutputStream(), CONTEXT, 10);
    out.write(new byte[10]);
    assertThrows(PolicyViolationException.class, () -> out.write(1));
    assertThrows(java.io.IOException.class, () -> out.write(1), "a failed stream stays failed");
  }

  @Test
  void base64InputGetsAClearError() {
    byte[] message = Envelope.builder().keyring(TestKeyrings.aes()).build().encrypt(new byte[1], CONTEXT);
    byte[] base64 = java.util.Base64.getEncoder().encode(message);
    MalformedMessageException e = assertThrows(MalformedMessageException.class,
        () -> Envelope.builder().keyring(TestKeyrings.aes()).build().decrypt(base64));
    assertTrue(e.getMessage().contains("base64"), e.getMessage());
  }
}
