package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every single-bit flip and every truncation of a two-frame message must fail with an authentication or
 * malformed-message error, through the array API and the stream API alike, with two exact exceptions by region:
 * flips inside the encrypted data keys or the stored context may surface as
 * {@link NoKeyringCouldDecryptException} (those bytes are first checked by the keyring's own AES-GCM unwrap,
 * whose AAD is the context, and which cannot tell a tampered wrapped key from a wrong wrapping key), and flips
 * inside the stored context may surface as {@link EncryptionContextMismatchException} (the caller's expected
 * context no longer matches: true, and found before any key is unwrapped). A randomized mutation run then checks that nothing but
 * {@link EnvelopeException} subtypes ever escapes, and that nothing hangs.
 */
class TamperingTest {
  private static final int FRAME = 64;
  private static final Map<String, String> CONTEXT = Map.of("purpose", "tamper-test", "tenant", "t-1");
  private static final Set<Class<? extends EnvelopeException>> STRICT =
      Set.of(AuthenticationFailedException.class, MalformedMessageException.class);

  private static Envelope envelope(AlgorithmSuite suite) {
    return Envelope.builder().keyring(TestKeyrings.aes()).suite(suite).frameLength(FRAME)
        .commitmentPolicy(suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  /** Offsets: start of the context section, start of the EDK section, end of the EDK section. */
  private static int[] keyringAuthenticatedRegion(AlgorithmSuite suite, byte[] message) {
    int p = suite.messageFormatVersion() == 1 ? 4 + 16 : 3 + 32;
    int aadLength = ((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF);
    int start = p;
    p += 2 + aadLength;
    int edkStart = p;
    int count = ((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF);
    p += 2;
    for (int i = 0; i < count * 3; i++) {
      p += 2 + (((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF));
    }
    return new int[] {start, edkStart, p};
  }

  @ParameterizedTest
  @EnumSource(value = AlgorithmSuite.class, names = {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
      "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384",
      "AES_128_GCM_IV12_TAG16_NO_KDF"})
  void everyBitFlipOfTwoFrameMessageFailsAuthenticationOrParsing(AlgorithmSuite suite) throws IOException {
    Envelope envelope = envelope(suite);
    byte[] plaintext = TestKeyrings.bytes(FRAME + FRAME / 2, 5);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    assertArrayEquals(plaintext, envelope.decrypt(message, CONTEXT).plaintext());
    int[] keyringRegion = keyringAuthenticatedRegion(suite, message);
    List<String> wrong = new ArrayList<>();
    int flips = 0;
    for (int i = 0; i < message.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] tampered = message.clone();
        tampered[i] ^= (byte) (1 << bit);
        Region region = i >= keyringRegion[0] && i < keyringRegion[1] ? Region.CONTEXT
            : i >= keyringRegion[1] && i < keyringRegion[2] ? Region.ENCRYPTED_DATA_KEYS : Region.OTHER;
        check(wrong, "byte " + i + " bit " + bit, region, () -> envelope.decrypt(tampered, CONTEXT));
        check(wrong, "stream byte " + i + " bit " + bit, region,
            () -> readAll(envelope.decryptingStream(new ByteArrayInputStream(tampered), CONTEXT)));
        flips++;
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(message.length * 8, flips);
  }

  @ParameterizedTest
  @EnumSource(value = AlgorithmSuite.class, names = {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
      "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"})
  void everyTruncationFailsAsMalformed(AlgorithmSuite suite) {
    Envelope envelope = envelope(suite);
    byte[] message = envelope.encrypt(TestKeyrings.bytes(FRAME + 10, 6), CONTEXT);
    List<String> wrong = new ArrayList<>();
    for (int length = 0; length < message.length; length++) {
      byte[] truncated = Arrays.copyOf(message, length);
      check(wrong, "length " + length, Region.OTHER, () -> envelope.decrypt(truncated, CONTEXT));
      check(wrong, "stream length " + length, Region.OTHER,
          () -> readAll(envelope.decryptingStream(new ByteArrayInputStream(truncated), CONTEXT)));
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void trailingBytesFailAsMalformed() {
    Envelope envelope = envelope(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    byte[] message = envelope.encrypt(new byte[10], CONTEXT);
    byte[] longer = Arrays.copyOf(message, message.length + 1);
    MalformedMessageException e = org.junit.jupiter.api.Assertions.assertThrows(MalformedMessageException.class,
        () -> envelope.decrypt(longer));
    assertTrue(e.getMessage().contains("after its end"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(MalformedMessageException.class,
        () -> readAll(envelope.decryptingStream(new ByteArrayInputStream(longer))));
  }

  @Test
  void wrappedDataKeyShorterThanItsTagIsAFailedAttemptNotAProviderException() {
    // Found by the random mutations below: the JDK's AES-GCM throws ProviderException for input shorter than
    // the tag, which escaped as a non-Envelope exception.
    var keyring = TestKeyrings.aes();
    var suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    var edk = keyring.onEncrypt(dev.envelope.core.materials.EncryptionMaterials.builder().suite(suite).build())
        .encryptedDataKeys().get(0);
    for (int length = 0; length < 16; length++) {
      var shortEdk = dev.envelope.core.materials.EncryptedDataKey.of(edk.providerId(), edk.providerInfo(),
          Arrays.copyOf(edk.ciphertext(), length));
      NoKeyringCouldDecryptException e = org.junit.jupiter.api.Assertions.assertThrows(
          NoKeyringCouldDecryptException.class, () -> keyring.onDecrypt(
              dev.envelope.core.materials.DecryptionMaterials.builder().suite(suite).build(), List.of(shortEdk)));
      assertTrue(e.getMessage().contains("wrapped data key of " + length + " bytes is shorter than its tag"),
          e.getMessage());
    }
  }

  @Test
  void randomMutationsThrowOnlyEnvelopeExceptionsAndNeverHang() {
    Envelope envelope = Envelope.builder().keyring(TestKeyrings.aes()).frameLength(FRAME)
        .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
    List<byte[]> seeds = new ArrayList<>();
    for (AlgorithmSuite suite : AlgorithmSuite.values()) {
      seeds.add(envelope(suite).encrypt(TestKeyrings.bytes(3 * FRAME + 7, suite.id()), CONTEXT));
    }
    seeds.add(envelope(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).encrypt(new byte[0], Map.of()));
    int rounds = Integer.getInteger("envelope.mutationRounds", 100_000);
    List<String> wrong = new ArrayList<>();
    int[] outcomes = new int[2];
    assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
      Random random = new Random(20261122L);
      for (int i = 0; i < rounds; i++) {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        byte[] mutated = mutate(seed, random);
        if (Arrays.equals(mutated, seed)) {
          continue;
        }
        try {
          if (i % 10 == 0) {
            readAll(envelope.decryptingStream(new ByteArrayInputStream(mutated)));
          } else {
            envelope.decrypt(mutated);
          }
          wrong.add("round " + i + ": a mutated message decrypted");
        } catch (EnvelopeException expected) {
          outcomes[0]++;
        } catch (Throwable t) {
          outcomes[1]++;
          if (wrong.size() < 20) {
            wrong.add("round " + i + ": " + t);
          }
        }
      }
    });
    assertEquals(List.of(), wrong);
    assertTrue(outcomes[0] > rounds * 0.99, "mutations tried: " + outcomes[0]);
  }

  private static byte[] mutate(byte[] seed, Random random) {
    byte[] m = seed.clone();
    switch (random.nextInt(6)) {
      case 0 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> {
        int n = 1 + random.nextInt(4);
        for (int k = 0; k < n; k++) {
          m[random.nextInt(m.length)] = (byte) random.nextInt(256);
        }
      }
      case 2 -> m = Arrays.copyOf(m, random.nextInt(m.length));
      case 3 -> {
        int at = random.nextInt(m.length);
        byte[] longer = new byte[m.length + 1 + random.nextInt(8)];
        System.arraycopy(m, 0, longer, 0, at);
        random.nextBytes(Arrays.copyOfRange(longer, at, longer.length - (m.length - at)));
        System.arraycopy(m, at, longer, longer.length - (m.length - at), m.length - at);
        m = longer;
      }
      case 4 -> {
        int at = random.nextInt(m.length);
        int n = Math.min(m.length - at, 1 + random.nextInt(16));
        byte[] shorter = new byte[m.length - n];
        System.arraycopy(m, 0, shorter, 0, at);
        System.arraycopy(m, at + n, shorter, at, m.length - at - n);
        m = shorter;
      }
      default -> {
        // Set a length-looking field to an extreme value: the parser must not trust it.
        int at = random.nextInt(Math.max(1, m.length - 4));
        byte v = random.nextBoolean() ? (byte) 0xFF : 0;
        for (int k = 0; k < 4 && at + k < m.length; k++) {
          m[at + k] = v;
        }
      }
    }
    return m;
  }

  private interface Attempt {
    void run() throws Exception;
  }

  private enum Region { CONTEXT, ENCRYPTED_DATA_KEYS, OTHER }

  private static void check(List<String> wrong, String what, Region region, Attempt attempt) {
    try {
      attempt.run();
      wrong.add(what + ": decrypted");
    } catch (EnvelopeException e) {
      boolean allowed = STRICT.contains(e.getClass())
          || e instanceof NoKeyringCouldDecryptException && region != Region.OTHER
          || e instanceof EncryptionContextMismatchException && region == Region.CONTEXT
          // a flipped EDK count or frame length over the default limits is refused before any key is read
          || e instanceof PolicyViolationException && (e.getMessage().contains("encrypted data keys, over the "
              + "configured maximum") || e.getMessage().startsWith("Message frame length"));
      if (!allowed && wrong.size() < 20) {
        wrong.add(what + " (" + region + "): " + e);
      }
    } catch (Exception e) {
      if (wrong.size() < 20) {
        wrong.add(what + ": " + e);
      }
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }
}
