package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.CryptoInputStream;
import com.amazonaws.encryptionsdk.CryptoResult;
import com.amazonaws.encryptionsdk.exception.AwsCryptoException;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.DecryptResult;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.adversarial.Adversarial;
import dev.envelope.core.adversarial.Mutation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Random messages through the real AWS Encryption SDK for Java, both ways, as the outside review ran them: random
 * suites, frame lengths, sizes and contexts (non-ASCII, long, and on the ESDK side empty keys and values, which
 * both libraries must refuse), through the one-shot and the streaming APIs of each. And messages the ESDK wrote,
 * mutated, must fail in ours with an {@link EnvelopeException}. Short mode in CI; {@code -Denvelope.adversarial=long}
 * for more.
 */
class RandomInteropTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final IKeyring THEIRS = MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
      .keyNamespace("random").keyName("aes").wrappingKey(ByteBuffer.wrap(TestKeyrings.AES_KEY))
      .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());

  private static Map<String, String> context(Random random) {
    Map<String, String> context = new HashMap<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      context.put(Adversarial.text(random, random.nextInt(10) == 0 ? 2000 : 12),
          Adversarial.text(random, random.nextInt(10) == 0 ? 3000 : 24));
    }
    return context;
  }

  @Test
  void randomMessagesCrossBothWaysAndMutatedOnesNeverDecrypt() throws IOException {
    long seed = Adversarial.seed("RandomInteropTest");
    Random random = new Random(seed);
    int rounds = Adversarial.rounds(300);
    for (int round = 0; round < rounds; round++) {
      AlgorithmSuite suite = AlgorithmSuite.values()[random.nextInt(AlgorithmSuite.values().length)];
      int frame = random.nextInt(6) == 0 ? 1 + random.nextInt(64) : 64 + random.nextInt(8192);
      int size = random.nextInt(20) == 0 ? random.nextInt(300_000) : random.nextInt(3 * frame + 2);
      byte[] plaintext = TestKeyrings.bytes(size, random.nextLong());
      Map<String, String> context = context(random);
      String where = "seed " + seed + " round " + round + " (" + suite + ", frame " + frame + ", " + size
          + " bytes, " + context.size() + " context pairs)";
      boolean committing = suite.isCommitting();
      Envelope ours = Envelope.builder().keyring(TestKeyrings.aes("random", "aes", TestKeyrings.AES_KEY))
          .suite(suite).frameLength(frame).commitmentPolicy(committing
              ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
              : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).build();
      AwsCrypto theirs = AwsCrypto.builder().withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name()))
          .withEncryptionFrameSize(frame).withCommitmentPolicy(committing
              ? CommitmentPolicy.RequireEncryptRequireDecrypt : CommitmentPolicy.ForbidEncryptAllowDecrypt).build();

      byte[] ourMessage = random.nextBoolean() ? ours.encrypt(plaintext, context) : encryptStream(ours, plaintext,
          context);
      Read read = random.nextBoolean() ? Read.of(theirs.decryptData(THEIRS, ourMessage))
          : decryptStreamTheirs(theirs, ourMessage);
      assertArrayEquals(plaintext, read.plaintext(), where + ": ours -> ESDK");
      context.forEach((k, v) -> assertEquals(v, read.context().get(k), where));

      byte[] theirMessage = theirs.encryptData(THEIRS, plaintext, context).getResult();
      DecryptResult result = ours.decrypt(theirMessage, context);
      assertArrayEquals(plaintext, result.plaintext(), where + ": ESDK -> ours");
      try (InputStream in = ours.decryptingStream(new ByteArrayInputStream(theirMessage), context)) {
        assertArrayEquals(plaintext, in.readAllBytes(), where + ": ESDK -> our stream");
      }

      Mutation mutation = Mutation.of(theirMessage, ourMessage, random);
      try {
        ours.decrypt(mutation.bytes(), context);
        throw new AssertionError(where + ": mutated ESDK message decrypted: " + mutation);
      } catch (EnvelopeException expected) {
        // refused
      }

      if (random.nextInt(4) == 0) {
        Map<String, String> empty = new HashMap<>(context);
        empty.put(random.nextBoolean() ? "" : "k", random.nextBoolean() ? "" : "v");
        if (empty.containsKey("") || empty.containsValue("")) {
          assertThrows(AwsCryptoException.class, () -> theirs.encryptData(THEIRS, plaintext, empty), where);
          assertThrows(PolicyViolationException.class, () -> ours.encrypt(plaintext, empty), where);
        }
      }
    }
    System.out.println("RandomInteropTest: " + rounds + " rounds both ways");
  }

  private static byte[] encryptStream(Envelope envelope, byte[] plaintext, Map<String, String> context)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = envelope.encryptingStream(out, context)) {
      enc.write(plaintext);
    }
    return out.toByteArray();
  }

  /** What the ESDK read: the plaintext and the context it reports. */
  private record Read(byte[] plaintext, Map<String, String> context) {
    static Read of(CryptoResult<byte[], ?> result) {
      return new Read(result.getResult(), result.getEncryptionContext());
    }
  }

  private static Read decryptStreamTheirs(AwsCrypto theirs, byte[] message) throws IOException {
    try (CryptoInputStream<?> in = theirs.createDecryptingStream(THEIRS, new ByteArrayInputStream(message))) {
      byte[] plaintext = in.readAllBytes();
      return new Read(plaintext, in.getCryptoResult().getEncryptionContext());
    }
  }
}
