package dev.envelope.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.CountingKeyring;
import dev.envelope.core.Envelope;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachingMaterialsManagerTest {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme");
  private final CountingKeyring keyring = new CountingKeyring(TestKeyrings.aes());
  private final MutableClock clock = new MutableClock();

  private CachingMaterialsManager.Builder cache() {
    return CachingMaterialsManager.builder().keyring(keyring).maxAge(Duration.ofMinutes(5)).clock(clock);
  }

  private static Envelope envelope(CachingMaterialsManager cmm, AlgorithmSuite suite) {
    return Envelope.builder().materialsManager(cmm).suite(suite)
        .commitmentPolicy(suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  @Test
  void tenThousandEncryptionsWithMaxMessages1000GenerateExactlyTenDataKeys() {
    CachingMaterialsManager cmm = cache().maxMessagesPerKey(1000).build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    for (int i = 0; i < 10_000; i++) {
      envelope.encrypt(new byte[] {(byte) i}, CONTEXT);
    }
    assertEquals(10, keyring.encryptCalls());
    assertEquals(10, keyring.dataKeys().stream().map(java.util.Arrays::toString).distinct().count());
    CacheStats stats = cmm.stats();
    assertEquals(10, stats.encryptMisses());
    assertEquals(9_990, stats.encryptHits());
    assertEquals(9_990, stats.keyringCallsSaved());
  }

  @Test
  void cachedMaterialsStillDecryptAndEachMessageHasItsOwnId() {
    CachingMaterialsManager cmm = cache().build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384);
    byte[] a = envelope.encrypt("first".getBytes(), CONTEXT);
    byte[] b = envelope.encrypt("second".getBytes(), CONTEXT);
    assertEquals(1, keyring.encryptCalls());
    Envelope plain = Envelope.builder().keyring(TestKeyrings.aes()).build();
    assertArrayEquals("first".getBytes(), plain.decrypt(a).plaintext());
    assertArrayEquals("second".getBytes(), plain.decrypt(b).plaintext());
    assertFalse(java.util.Arrays.equals(plain.decrypt(a).messageId(), plain.decrypt(b).messageId()));
  }

  @Test
  void entryExpiresAfterMaxAgeMeasuredOnTheInjectedClock() {
    CachingMaterialsManager cmm = cache().maxAge(Duration.ofSeconds(60)).build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    envelope.encrypt(new byte[1], CONTEXT);
    clock.advance(Duration.ofSeconds(60));
    envelope.encrypt(new byte[1], CONTEXT);
    assertEquals(1, keyring.encryptCalls(), "an entry is usable up to and including maxAge");
    clock.advance(Duration.ofMillis(1));
    envelope.encrypt(new byte[1], CONTEXT);
    assertEquals(2, keyring.encryptCalls(), "past maxAge the keyring is asked again");
  }

  @Test
  void entryIsRetiredBeforeItsByteLimitWouldBePassed() {
    CachingMaterialsManager cmm = cache().maxBytesPerKey(1000).build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    envelope.encrypt(new byte[400], CONTEXT);
    envelope.encrypt(new byte[600], CONTEXT);
    assertEquals(1, keyring.encryptCalls(), "400 + 600 = 1000 bytes fits the limit");
    envelope.encrypt(new byte[1], CONTEXT);
    assertEquals(2, keyring.encryptCalls(), "1001 bytes would pass the limit: a new data key");
    envelope.encrypt(new byte[1001], CONTEXT);
    assertEquals(3, keyring.encryptCalls(), "a single message over the limit is never cached");
    assertEquals(1, cmm.stats().bypasses());
  }

  @Test
  void streamOfUnknownLengthIsNeverServedFromCache() throws IOException {
    CachingMaterialsManager cmm = cache().build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    for (int i = 0; i < 3; i++) {
      try (OutputStream out = envelope.encryptingStream(new ByteArrayOutputStream(), CONTEXT)) {
        out.write(1);
      }
    }
    assertEquals(3, keyring.encryptCalls());
    try (OutputStream out = envelope.encryptingStream(new ByteArrayOutputStream(), CONTEXT, 10)) {
      out.write(new byte[10]);
    }
    try (OutputStream out = envelope.encryptingStream(new ByteArrayOutputStream(), CONTEXT, 10)) {
      out.write(new byte[10]);
    }
    assertEquals(4, keyring.encryptCalls(), "declared lengths are cacheable");
  }

  @Test
  void suitesWithoutKdfAreNeverCached() {
    CachingMaterialsManager cmm = cache().build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF);
    envelope.encrypt(new byte[1], CONTEXT);
    envelope.encrypt(new byte[1], CONTEXT);
    assertEquals(2, keyring.encryptCalls());
  }

  @Test
  void differentContextsGetDifferentEntries() {
    CachingMaterialsManager cmm = cache().build();
    Envelope envelope = envelope(cmm, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    envelope.encrypt(new byte[1], Map.of("tenant", "a"));
    envelope.encrypt(new byte[1], Map.of("tenant", "b"));
    envelope.encrypt(new byte[1], Map.of("tenant", "a"));
    assertEquals(2, keyring.encryptCalls());
  }

  @Test
  void decryptOfTheSameMessageAsksTheKeyringOncePerMaxAge() {
    byte[] message = Envelope.builder().keyring(TestKeyrings.aes()).build().encrypt(new byte[5], CONTEXT);
    CachingMaterialsManager cmm = cache().maxAge(Duration.ofSeconds(10)).build();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    Envelope envelope = Envelope.builder().materialsManager(cmm).auditSink(audit).build();
    for (int i = 0; i < 100; i++) {
      assertArrayEquals(new byte[5], envelope.decrypt(message, CONTEXT).plaintext());
    }
    assertEquals(1, keyring.decryptCalls());
    assertEquals(99, cmm.stats().decryptHits());
    assertEquals(99, audit.events().stream().filter(AuditEvent::cacheHit).count());
    clock.advance(Duration.ofSeconds(11));
    envelope.decrypt(message, CONTEXT);
    assertEquals(2, keyring.decryptCalls());
  }

  @Test
  void builderRejectsLimitsOutsideTheEsdkRanges() {
    assertThrows(NullPointerException.class, () -> CachingMaterialsManager.builder().keyring(keyring).build());
    assertThrows(IllegalArgumentException.class, () -> cache().maxAge(Duration.ZERO).build());
    assertThrows(IllegalArgumentException.class, () -> cache().maxMessagesPerKey((1L << 32) + 1).build());
    assertThrows(IllegalArgumentException.class, () -> cache().maxBytesPerKey(0).build());
    assertTrue(cache().build().stats().keyringCalls() == 0);
  }
}
