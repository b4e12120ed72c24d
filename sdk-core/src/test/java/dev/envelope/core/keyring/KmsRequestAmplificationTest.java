package dev.envelope.core.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.kms.KmsEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Regression: one forged message carrying 2,000 encrypted data keys that name the victim's KMS key made 2,000 KMS
 * Decrypt calls (strict and discovery keyrings alike). Now the default EDK limit refuses it before any call, and
 * with the limit raised each keyring stops after two failed calls per key.
 */
class KmsRequestAmplificationTest {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "victim");
  private final KmsEmulator emulator = KmsEmulator.create();
  private final KmsClient kms = emulator.client();
  private final String key = kms.createKey(b -> b.description("victim")).keyMetadata().arn();

  private long decryptCalls() {
    return emulator.trail().stream().filter(e -> e.get("eventName").asText().equals("Decrypt")).count();
  }

  /** A header of suite 0x0478 whose EDK list holds {@code count} copies of a KMS EDK for the victim's key. */
  private byte[] forged(int count) {
    byte[] genuine = Envelope.builder().keyring(KmsKeyring.create(kms, key))
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build().encrypt(new byte[10], CONTEXT);
    int p = 3 + 32;
    int aad = ((genuine[p] & 0xFF) << 8) | (genuine[p + 1] & 0xFF);
    int edkStart = p + 2 + aad;
    int q = edkStart + 2;
    for (int i = 0; i < 3; i++) {
      q += 2 + (((genuine[q] & 0xFF) << 8) | (genuine[q + 1] & 0xFF));
    }
    byte[] edk = java.util.Arrays.copyOfRange(genuine, edkStart + 2, q);
    edk[edk.length - 1] ^= 1; // the ciphertext blob no longer decrypts: every call fails
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(genuine, 0, edkStart);
    out.write(count >>> 8);
    out.write(count);
    for (int i = 0; i < count; i++) {
      out.writeBytes(edk);
    }
    out.write(genuine, q, genuine.length - q);
    return out.toByteArray();
  }

  @Test
  void theDefaultLimitRefusesTheFloodBeforeAnyKmsCall() {
    byte[] message = forged(2000);
    Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(kms, key)).build();
    for (Executable decrypt : new Executable[] {() -> envelope.decrypt(message, CONTEXT),
        () -> envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT).readAllBytes(),
        () -> envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)}) {
      PolicyViolationException e = assertThrows(PolicyViolationException.class, decrypt);
      assertEquals("Message has 2000 encrypted data keys, over the configured maximum of 10 "
          + "(Envelope.Builder.maxEncryptedDataKeys)", e.getMessage());
    }
    assertEquals(0, decryptCalls());
  }

  @Test
  void withTheLimitRaisedAKmsKeyringStopsAfterTwoFailedCallsForItsKey() {
    InMemoryAuditSink audit = new InMemoryAuditSink();
    Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(kms, key)).maxEncryptedDataKeys(5000)
        .auditSink(audit).build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope.decrypt(forged(2000), CONTEXT));
    assertEquals(2, decryptCalls());
    assertEquals(2, e.kmsCalls());
    assertEquals(2, audit.events().get(0).kmsCalls(), "the failed decrypt's audit event counts its KMS requests");
    assertEquals(3, e.attempts().size());
    assertEquals("1998 more encrypted data keys were not tried: 2 Decrypt calls with this key already failed for "
        + "this message (maxDecryptFailuresPerKey bounds what a forged message can cost)",
        e.attempts().get(2).reason());

    Envelope stricter = Envelope.builder().maxEncryptedDataKeys(5000)
        .keyring(KmsKeyring.builder().kmsClient(kms).keyId(key).maxDecryptFailuresPerKey(1).build()).build();
    assertThrows(NoKeyringCouldDecryptException.class, () -> stricter.decrypt(forged(2000), CONTEXT));
    assertEquals(3, decryptCalls());
  }

  @Test
  void aDiscoveryKeyringStopsAfterTwoFailedCallsPerKey() {
    Envelope envelope = Envelope.builder().maxEncryptedDataKeys(5000)
        .keyring(KmsDiscoveryKeyring.builder().kmsClient(kms).build()).build();
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope.decrypt(forged(2000), CONTEXT));
    assertEquals(2, decryptCalls());
    assertTrue(e.attempts().get(e.attempts().size() - 1).reason().startsWith("1998 more encrypted data keys were "
        + "not tried"), e.getMessage());
  }

  @Test
  void aGenuineMessageStillDecryptsWithOneCall() {
    Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(kms, key)).build();
    byte[] message = envelope.encrypt(new byte[] {1, 2, 3}, CONTEXT);
    assertEquals(3, envelope.decrypt(message, CONTEXT).plaintext().length);
    assertEquals(1, decryptCalls());
  }
}
