package dev.envelope.core.adversarial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.RangeDecryptor;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attack that found the last defects, kept in CI: random messages (every suite, random frame lengths, sizes and
 * non-ASCII contexts), each mutated at random and fed to the array, streaming and ranged APIs. Every mutated input
 * must fail with an {@link EnvelopeException} subtype, nothing else; the streaming API may release only bytes of
 * the true plaintext before it fails; a ranged read may return only the true plaintext of its range (frames the
 * mutation did not touch are authentic). Short mode in CI; {@code -Denvelope.adversarial=long} for more.
 */
class MessageMutationTest {
  private static final List<AlgorithmSuite> SUITES = List.of(AlgorithmSuite.values());
  private static final int MUTATIONS_PER_MESSAGE = 6;

  @Test
  void mutatedMessagesNeverDecryptAndOnlyEnvelopeExceptionsLeave() throws IOException {
    long seed = Adversarial.seed("MessageMutationTest");
    Random random = new Random(seed);
    RawAesKeyring aes = TestKeyrings.aes("adversarial", "aes", TestKeyrings.AES_KEY);
    RawAesKeyring other = TestKeyrings.aes("adversarial", "aes-2", TestKeyrings.bytes(32, 99));
    int rounds = Adversarial.rounds(600);
    int decrypts = 0;
    for (int round = 0; round < rounds; round++) {
      AlgorithmSuite suite = SUITES.get(random.nextInt(SUITES.size()));
      int frame = random.nextInt(8) == 0 ? 1 + random.nextInt(16) : 16 + random.nextInt(2048);
      Envelope envelope = Envelope.builder().suite(suite).frameLength(frame)
          .keyring(random.nextBoolean() ? aes : MultiKeyring.create(aes, List.of(other)))
          .commitmentPolicy(suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
              : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
          .build();
      byte[] plaintext = TestKeyrings.bytes(random.nextInt(4 * frame + 3), random.nextLong());
      Map<String, String> context = new HashMap<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        context.put(Adversarial.text(random, 12), Adversarial.text(random, 20));
      }
      byte[] message = envelope.encrypt(plaintext, context);
      byte[] second = envelope.encrypt(plaintext, context);
      String where = "seed " + seed + " round " + round + " (" + suite + ", frame " + frame + ", "
          + plaintext.length + " bytes)";
      assertArrayEquals(plaintext, readStream(envelope, message, context, random), where);
      for (int m = 0; m < MUTATIONS_PER_MESSAGE; m++) {
        Mutation mutation = Mutation.of(message, second, random);
        String what = where + ": " + mutation;
        byte[] mutated = mutation.bytes();
        expectFailure(what + " [array]", () -> envelope.decrypt(mutated, context));
        expectFailure(what + " [stream]", () -> {
          ByteArrayOutputStream released = new ByteArrayOutputStream();
          try {
            readStream(envelope, mutated, context, random, released);
          } finally {
            byte[] out = released.toByteArray();
            if (!Arrays.equals(out, Arrays.copyOf(plaintext, Math.min(out.length, plaintext.length)))
                || out.length > plaintext.length) {
              fail(what + " [stream]: released bytes that are not the plaintext's");
            }
          }
        });
        if (!suite.isSigned()) {
          checkRange(envelope, mutated, plaintext, context, random, what + " [range]");
        }
        decrypts += 3;
      }
    }
    System.out.println("MessageMutationTest: " + rounds + " messages, " + decrypts + " mutated decrypts");
  }

  private interface Attempt {
    void run() throws Exception;
  }

  private static void expectFailure(String what, Attempt attempt) {
    try {
      attempt.run();
    } catch (EnvelopeException expected) {
      return;
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError(what + ": " + e.getClass().getName() + " escaped: " + e.getMessage(), e);
    }
    fail(what + ": a mutated message decrypted");
  }

  private static byte[] readStream(Envelope envelope, byte[] message, Map<String, String> context, Random random)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    readStream(envelope, message, context, random, out);
    return out.toByteArray();
  }

  /** Reads with random read sizes (one byte at a time now and then), as callers do. */
  private static void readStream(Envelope envelope, byte[] message, Map<String, String> context, Random random,
      ByteArrayOutputStream out) throws IOException {
    boolean bytewise = random.nextInt(5) == 0;
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), context)) {
      byte[] buffer = new byte[1 + random.nextInt(5000)];
      while (true) {
        if (bytewise) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          out.write(b);
        } else {
          int n = in.read(buffer, 0, 1 + random.nextInt(buffer.length));
          if (n < 0) {
            return;
          }
          out.write(buffer, 0, n);
        }
      }
    }
  }

  /**
   * A random range of the mutated message: it may fail (with an EnvelopeException) or return bytes, and bytes it
   * returns must be the true plaintext of that range.
   */
  private static void checkRange(Envelope envelope, byte[] mutated, byte[] plaintext, Map<String, String> context,
      Random random, String what) {
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(mutated), context)) {
      long length = ranged.plaintextLength(mutated.length);
      if (length == 0) {
        return;
      }
      long first = (long) (random.nextDouble() * length);
      long last = first + random.nextInt(3 * ranged.frameLength() + 1);
      RangeDecryptor.Span span = ranged.span(first, last, mutated.length);
      if (span.ciphertextEnd() >= mutated.length) {
        return;
      }
      byte[] got;
      try (InputStream in = ranged.decrypt(new ByteArrayInputStream(mutated, (int) span.ciphertextStart(),
          (int) (span.ciphertextEnd() - span.ciphertextStart() + 1)), span)) {
        got = in.readAllBytes();
      }
      long end = Math.min(last, length - 1) + 1;
      if (end > plaintext.length || !Arrays.equals(got, Arrays.copyOfRange(plaintext, (int) first, (int) end))) {
        fail(what + ": range " + first + "-" + last + " returned bytes that are not the plaintext's");
      }
    } catch (EnvelopeException expected) {
      // refused: fine
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError(what + ": " + e.getClass().getName() + " escaped: " + e.getMessage(), e);
    }
  }
}
