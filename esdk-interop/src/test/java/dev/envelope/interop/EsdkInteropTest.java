package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.CryptoResult;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.DecryptResult;
import dev.envelope.core.Envelope;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.RawRsaKeyring;
import dev.envelope.core.keyring.RsaPadding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateRawRsaKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;
import software.amazon.cryptography.materialproviders.model.PaddingScheme;

/**
 * Our encrypt -> AWS Encryption SDK for Java 3.0.2 decrypt, and the reverse, for every suite, raw AES and raw RSA
 * keyrings, plaintext sizes around the frame boundaries and about 1 MiB, with empty and non-empty context.
 */
class EsdkInteropTest {
  private static final int FRAME = 4096;
  private static final String NAMESPACE = "interop-namespace";
  private static final String AES_NAME = "interop-aes";
  private static final String RSA_NAME = "interop-rsa";
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();

  enum KeyType { AES, RSA }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (AlgorithmSuite suite : AlgorithmSuite.values()) {
      for (KeyType key : KeyType.values()) {
        for (int size : new int[] {0, 1, FRAME - 1, FRAME, FRAME + 1, (1 << 20) + 17}) {
          for (boolean withContext : new boolean[] {false, true}) {
            out.add(Arguments.of(suite, key, size, withContext));
          }
        }
      }
    }
    return out.stream();
  }

  private static Map<String, String> context(boolean withContext) {
    return withContext ? Map.of("tenant", "acme", "order", "42", "\u00fcnicode", "v\u00e4lue \uD83D\uDD11") : Map.of();
  }

  @ParameterizedTest(name = "{0} {1} {2} bytes context={3}")
  @MethodSource("cases")
  void oursEncryptEsdkDecrypts(AlgorithmSuite suite, KeyType key, int size, boolean withContext) {
    byte[] plaintext = TestKeyrings.bytes(size, size + suite.id());
    Map<String, String> context = context(withContext);
    byte[] message = ours(suite, key).encrypt(plaintext, context);
    CryptoResult<byte[], ?> result = esdk(suite).decryptData(theirKeyring(key), message, context);
    assertArrayEquals(plaintext, result.getResult());
    assertEquals(suite.id(), result.getCryptoAlgorithm().getValue());
  }

  @ParameterizedTest(name = "{0} {1} {2} bytes context={3}")
  @MethodSource("cases")
  void esdkEncryptsOursDecrypts(AlgorithmSuite suite, KeyType key, int size, boolean withContext) {
    byte[] plaintext = TestKeyrings.bytes(size, size + suite.id());
    Map<String, String> context = context(withContext);
    byte[] message = esdk(suite).encryptData(theirKeyring(key), plaintext, context).getResult();
    DecryptResult result = ours(suite, key).decrypt(message, context);
    assertArrayEquals(plaintext, result.plaintext());
    assertEquals(suite, result.suite());
    assertEquals(List.of(NAMESPACE + "/" + (key == KeyType.AES ? AES_NAME : RSA_NAME)), result.wrappingKeyIds());
  }

  @Test
  void esdkEncryptsWithPkcs1OursDecrypts() {
    IKeyring pkcs1 = MPL.CreateRawRsaKeyring(CreateRawRsaKeyringInput.builder()
        .keyNamespace(NAMESPACE).keyName(RSA_NAME).paddingScheme(PaddingScheme.PKCS1)
        .publicKey(pem("PUBLIC KEY", TestKeyrings.rsaKeyPair().getPublic().getEncoded()))
        .privateKey(pem("PRIVATE KEY", TestKeyrings.rsaKeyPair().getPrivate().getEncoded()))
        .build());
    byte[] plaintext = "legacy padding".getBytes(StandardCharsets.UTF_8);
    byte[] message = AwsCrypto.standard().encryptData(pkcs1, plaintext, Map.of("k", "v")).getResult();
    Envelope ours = Envelope.builder().keyring(rsa(RsaPadding.PKCS1)).build();
    assertArrayEquals(plaintext, ours.decrypt(message, Map.of("k", "v")).plaintext());
  }

  private static Envelope ours(AlgorithmSuite suite, KeyType key) {
    Keyring keyring = key == KeyType.AES
        ? TestKeyrings.aes(NAMESPACE, AES_NAME, TestKeyrings.AES_KEY)
        : rsa(RsaPadding.OAEP_SHA256_MGF1);
    return Envelope.builder().keyring(keyring).suite(suite).frameLength(FRAME)
        .commitmentPolicy(suite.isCommitting() ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  private static RawRsaKeyring rsa(RsaPadding padding) {
    KeyPair pair = TestKeyrings.rsaKeyPair();
    return RawRsaKeyring.builder().keyNamespace(NAMESPACE).keyName(RSA_NAME).padding(padding)
        .publicKey(pair.getPublic()).privateKey(pair.getPrivate()).build();
  }

  private static AwsCrypto esdk(AlgorithmSuite suite) {
    return AwsCrypto.builder()
        .withCommitmentPolicy(suite.isCommitting() ? CommitmentPolicy.RequireEncryptRequireDecrypt
            : CommitmentPolicy.ForbidEncryptAllowDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name()))
        .withEncryptionFrameSize(FRAME)
        .build();
  }

  private static IKeyring theirKeyring(KeyType key) {
    if (key == KeyType.AES) {
      return MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
          .keyNamespace(NAMESPACE).keyName(AES_NAME)
          .wrappingKey(ByteBuffer.wrap(TestKeyrings.AES_KEY))
          .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
          .build());
    }
    KeyPair pair = TestKeyrings.rsaKeyPair();
    return MPL.CreateRawRsaKeyring(CreateRawRsaKeyringInput.builder()
        .keyNamespace(NAMESPACE).keyName(RSA_NAME).paddingScheme(PaddingScheme.OAEP_SHA256_MGF1)
        .publicKey(pem("PUBLIC KEY", pair.getPublic().getEncoded()))
        .privateKey(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))
        .build());
  }

  private static ByteBuffer pem(String type, byte[] der) {
    String text = "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }
}
