package dev.envelope.core.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each field of a raw ECDH EDK changed fails the unwrap with its own reason; the untouched EDK unwraps. */
class RawEcdhKeyringTest {
  private static final AlgorithmSuite SUITE = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme");

  private static KeyPair pair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static byte[] flip(byte[] b, int index) {
    byte[] copy = b.clone();
    copy[index] ^= 1;
    return copy;
  }

  @Test
  void everyTamperedFieldFailsWithItsReason() throws Exception {
    KeyPair alice = pair();
    KeyPair bob = pair();
    RawEcdhKeyring sender = RawEcdhKeyring.staticKeys(alice, bob.getPublic());
    EncryptionMaterials encrypted = sender.onEncrypt(EncryptionMaterials.builder().suite(SUITE)
        .encryptionContext(CONTEXT).build());
    EncryptedDataKey edk = encrypted.encryptedDataKeys().get(0);
    assertEquals("raw-ecdh", edk.providerId());
    assertEquals(75, edk.providerInfo().length);
    assertEquals(112, edk.ciphertext().length);
    RawEcdhKeyring recipient = RawEcdhKeyring.discovery(bob);
    DecryptionMaterials fresh = DecryptionMaterials.builder().suite(SUITE).encryptionContext(CONTEXT).build();
    assertArrayEquals(encrypted.dataKey().get().toByteArray(),
        recipient.onDecrypt(fresh, List.of(edk)).dataKey().get().toByteArray());

    Map<String, UnaryOperator<EncryptedDataKey>> tampers = new LinkedHashMap<>();
    tampers.put("salt", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(), flip(e.ciphertext(), 0)));
    tampers.put("commitment key", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(),
        flip(e.ciphertext(), 40)));
    tampers.put("wrapped key", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(), flip(e.ciphertext(), 70)));
    tampers.put("tag", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(), flip(e.ciphertext(), 111)));
    tampers.put("truncated", e -> EncryptedDataKey.of(e.providerId(), e.providerInfo(),
        java.util.Arrays.copyOf(e.ciphertext(), 111)));
    tampers.put("version", e -> EncryptedDataKey.of(e.providerId(), flip(e.providerInfo(), 0), e.ciphertext()));
    tampers.put("sender key", e -> EncryptedDataKey.of(e.providerId(), flip(e.providerInfo(), 74),
        e.ciphertext()));
    tampers.put("recipient key", e -> EncryptedDataKey.of(e.providerId(), flip(e.providerInfo(), 10),
        e.ciphertext()));
    Map<String, String> reasons = new LinkedHashMap<>();
    for (var tamper : tampers.entrySet()) {
      NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
          () -> recipient.onDecrypt(fresh, List.of(tamper.getValue().apply(edk))), tamper.getKey());
      reasons.put(tamper.getKey(), e.attempts().get(0).reason());
    }
    assertTrue(reasons.get("salt").contains("the commitment key does not match"), reasons.get("salt"));
    assertTrue(reasons.get("commitment key").contains("the commitment key does not match"),
        reasons.get("commitment key"));
    assertTrue(reasons.get("wrapped key").startsWith("ECDH unwrap failed: Tag mismatch"),
        reasons.get("wrapped key"));
    assertTrue(reasons.get("tag").startsWith("ECDH unwrap failed: Tag mismatch"), reasons.get("tag"));
    assertEquals("ECDH unwrap failed: the wrapped data key is 111 bytes, not 112", reasons.get("truncated"));
    assertEquals("unknown ECDH keyring version 0", reasons.get("version"));
    assertTrue(reasons.get("sender key").startsWith("ECDH unwrap failed: "), reasons.get("sender key"));
    assertTrue(reasons.get("recipient key").startsWith("the message has no data key wrapped for this key pair"),
        reasons.get("recipient key"));

    // Another encryption context: the commitment check refuses it before AES-GCM.
    DecryptionMaterials otherContext = DecryptionMaterials.builder().suite(SUITE)
        .encryptionContext(Map.of("tenant", "other")).build();
    NoKeyringCouldDecryptException wrongContext = assertThrows(NoKeyringCouldDecryptException.class,
        () -> recipient.onDecrypt(otherContext, List.of(edk)));
    assertTrue(wrongContext.attempts().get(0).reason().contains("the commitment key does not match"),
        wrongContext.getMessage());
  }
}
