package dev.envelope.core.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.Envelope;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.internal.crypto.DerivedKeys;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression: the PKCS #1 v1.5 raw RSA keyring had three distinguishable outcomes for a modified data key (unwrap
 * failed, wrong length, commitment mismatch): a padding oracle. With implicit rejection every such input fails at
 * the same later point with the same error, and a genuine PKCS #1 data key still decrypts.
 */
class Pkcs1PaddingOracleTest {
  private static final Map<String, String> CONTEXT = Map.of("k", "v");
  private final KeyPair pair = TestKeyrings.rsaKeyPair();
  private final RawRsaKeyring oaep = TestKeyrings.rsa(RsaPadding.OAEP_SHA256_MGF1);
  private final RawRsaKeyring pkcs1 = RawRsaKeyring.builder().keyNamespace("test-rsa").keyName("rsa-2048")
      .padding(RsaPadding.PKCS1).privateKey(pair.getPrivate()).build();

  /** Offset of the first EDK's ciphertext (the last field of the only EDK) and its length. */
  private static int[] edkCiphertext(AlgorithmSuite suite, byte[] message) {
    int p = suite.messageFormatVersion() == 1 ? 4 + 16 : 3 + 32;
    p += 2 + (((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF));
    p += 2; // EDK count: 1
    for (int i = 0; i < 2; i++) {
      p += 2 + (((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF));
    }
    return new int[] {p + 2, ((message[p] & 0xFF) << 8) | (message[p + 1] & 0xFF)};
  }

  private byte[] pkcs1Encrypt(byte[] plaintext) throws Exception {
    Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
    c.init(Cipher.ENCRYPT_MODE, pair.getPublic());
    return c.doFinal(plaintext);
  }

  /**
   * The message with another EDK ciphertext and its header tag recomputed under the genuine data key: what a
   * sender holding the data key (or a MITM who learnt it) could produce, so that only the keyring's handling of
   * the EDK decides the outcome.
   */
  private static byte[] withEdk(AlgorithmSuite suite, byte[] message, int[] at, byte[] ciphertext, byte[] dataKey)
      throws Exception {
    byte[] out = message.clone();
    System.arraycopy(ciphertext, 0, out, at[0], at[1]);
    int v1 = suite.messageFormatVersion() == 1 ? 1 : 0;
    int bodyEnd = at[0] + at[1] + 1 + (v1 == 1 ? 4 + 1 + 4 : 4 + 32);
    byte[] body = Arrays.copyOf(out, bodyEnd);
    byte[] messageId = Arrays.copyOfRange(out, v1 == 1 ? 4 : 3, v1 == 1 ? 20 : 35);
    byte[] iv = v1 == 1 ? Arrays.copyOfRange(out, bodyEnd, bodyEnd + 12) : new byte[12];
    DerivedKeys keys = DerivedKeys.derive(suite, dataKey, messageId);
    // A cipher of its own: the JDK refuses a second GCM encryption under one key and IV on one cipher object.
    byte[] tag = FrameCipher.dedicated(keys.encryptionKey(), messageId).headerTag(body, new byte[0], iv);
    System.arraycopy(tag, 0, out, bodyEnd + 12 * v1, 16);
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = AlgorithmSuite.class, names = {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
      "AES_256_GCM_IV12_TAG16_HKDF_SHA256"})
  void everyMalformedDataKeyFailsWithTheSameErrorAndAGenuineOneDecrypts(AlgorithmSuite suite) throws Exception {
    CommitmentPolicy policy = suite.isCommitting() ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT;
    byte[][] dataKey = new byte[1][];
    Keyring capturing = new Keyring() {
      @Override
      public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
        EncryptionMaterials out = oaep.onEncrypt(materials);
        dataKey[0] = out.dataKey().orElseThrow().toByteArray();
        return out;
      }

      @Override
      public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
        return oaep.onDecrypt(materials, edks);
      }
    };
    byte[] plaintext = TestKeyrings.bytes(500, 1);
    byte[] message = Envelope.builder().keyring(capturing).suite(suite).commitmentPolicy(policy).build()
        .encrypt(plaintext, CONTEXT);
    int[] at = edkCiphertext(suite, message);
    assertEquals(256, at[1]);
    Envelope reader = Envelope.builder().keyring(pkcs1).commitmentPolicy(policy).build();

    assertArrayEquals(plaintext, reader.decrypt(withEdk(suite, message, at, pkcs1Encrypt(dataKey[0]), dataKey[0]),
        CONTEXT).plaintext(), "a genuine PKCS #1 v1.5 data key decrypts");

    byte[] notPkcs1 = TestKeyrings.bytes(256, 2);
    notPkcs1[0] = 0x01; // below the modulus, but no 00 02 prefix after decryption (overwhelmingly likely)
    byte[] aboveModulus = new byte[256];
    Arrays.fill(aboveModulus, (byte) 0xFF);
    Map<String, byte[]> malformed = new LinkedHashMap<>();
    malformed.put("bad padding", notPkcs1);
    malformed.put("above the modulus", aboveModulus);
    malformed.put("key one byte short", pkcs1Encrypt(Arrays.copyOf(dataKey[0], dataKey[0].length - 1)));
    malformed.put("key one byte long", pkcs1Encrypt(Arrays.copyOf(dataKey[0], dataKey[0].length + 1)));
    malformed.put("another key", pkcs1Encrypt(TestKeyrings.bytes(dataKey[0].length, 3)));
    malformed.put("empty message", pkcs1Encrypt(new byte[0]));
    String first = null;
    for (Map.Entry<String, byte[]> e : malformed.entrySet()) {
      byte[] forged = withEdk(suite, message, at, e.getValue(), dataKey[0]);
      AuthenticationFailedException error = assertThrows(AuthenticationFailedException.class,
          () -> reader.decrypt(forged, CONTEXT), e.getKey());
      if (first == null) {
        first = error.getMessage();
      }
      assertEquals(first, error.getMessage(), e.getKey() + " must fail exactly like the others");
    }
  }
}
