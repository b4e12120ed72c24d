package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CryptoResult;
import com.amazonaws.encryptionsdk.exception.AwsCryptoException;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.TestKeyrings;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The README promises that the AWS Encryption SDK reads every message Envelope encrypts. At the edges of the
 * encryption context: what the ESDK for Java refuses to read (empty keys or values, entries over 32,767 bytes)
 * Envelope refuses to write, and what it reads up to those limits (non-ASCII, exactly 32,767 bytes) Envelope writes.
 */
class ContextPortabilityTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final Envelope OURS = Envelope.builder().keyring(TestKeyrings.aes("ns", "k", TestKeyrings.AES_KEY))
      .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).build();

  private static IKeyring theirs() {
    return MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ns").keyName("k")
        .wrappingKey(ByteBuffer.wrap(TestKeyrings.AES_KEY)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
        .build());
  }

  @Test
  void contextsTheEsdkRefusesAreRefusedByUsToo() {
    for (Map<String, String> context : List.of(Map.of("k", ""), Map.of("", "v"), Map.of("", ""),
        Map.of("k", "x".repeat(32768)), Map.of("x".repeat(32768), "v"))) {
      String shape = context.keySet().iterator().next().length() + "/" + context.values().iterator().next().length();
      assertThrows(AwsCryptoException.class, () -> AwsCrypto.standard().encryptData(theirs(), new byte[1], context),
          "the ESDK refuses " + shape);
      assertThrows(PolicyViolationException.class, () -> OURS.encrypt(new byte[1], context), "we refuse " + shape);
    }
  }

  @Test
  void contextsAtTheEdgeOfWhatTheEsdkReadsAreWrittenAndRead() {
    for (Map<String, String> context : List.of(Map.of("k", "x".repeat(32767)), Map.of("x".repeat(32767), "v"),
        Map.of("\u79df\u6237", "\uD83D\uDD11", "a", "b", "\u00e9", "\u0000"), Map.of("k", "v"))) {
      byte[] plaintext = TestKeyrings.bytes(100, context.hashCode());
      CryptoResult<byte[], ?> result = AwsCrypto.standard().decryptData(theirs(), OURS.encrypt(plaintext, context));
      assertArrayEquals(plaintext, result.getResult());
      for (Map.Entry<String, String> e : context.entrySet()) {
        assertEquals(e.getValue(), result.getEncryptionContext().get(e.getKey()));
      }
    }
  }
}
