package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.cache.CachingMaterialsManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One Envelope (with a caching manager and an audit sink) shared by eight threads, as documented. */
class ConcurrencyTest {
  @Test
  void sharedEnvelopeWithCacheIsSafeAcrossThreads() throws Exception {
    CountingKeyring keyring = new CountingKeyring(TestKeyrings.aes());
    CachingMaterialsManager cache = CachingMaterialsManager.builder().keyring(keyring)
        .maxAge(Duration.ofMinutes(1)).maxMessagesPerKey(50).build();
    InMemoryAuditSink audit = new InMemoryAuditSink();
    Envelope envelope = Envelope.builder().materialsManager(cache).auditSink(audit)
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 250; i++) {
            byte[] plaintext = TestKeyrings.bytes(100 + i, thread * 1000L + i);
            Map<String, String> context = Map.of("thread", "t" + (thread % 2));
            assertArrayEquals(plaintext, envelope.decrypt(envelope.encrypt(plaintext, context), context)
                .plaintext());
          }
          return 250;
        }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertEquals(2000, total);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(4000, audit.events().size());
    long encryptMisses = cache.stats().encryptMisses();
    // 2 contexts x 1000 messages / 50 per key = 40 keys at least; a few more when threads miss at the same time.
    assertTrue(encryptMisses >= 40 && encryptMisses <= 40 + 16, "encrypt misses " + encryptMisses);
    assertEquals(encryptMisses, keyring.encryptCalls());
  }
}
