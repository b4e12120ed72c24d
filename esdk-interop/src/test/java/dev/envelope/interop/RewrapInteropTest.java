package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.RewrappedHeader;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.Keyring;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CollectionOfErrors;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * A header re-wrapped by {@link Envelope#rewrapHeader} in front of the original body is a message the AWS Encryption
 * SDK for Java decrypts with the new key alone and refuses with the old one, whichever library wrote the original.
 */
class RewrapInteropTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final byte[] OLD_KEY = TestKeyrings.bytes(32, 101);
  private static final byte[] NEW_KEY = TestKeyrings.bytes(32, 202);
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "\u00fcnicode", "v\u00e4lue");

  static Stream<AlgorithmSuite> unsignedSuites() {
    return Arrays.stream(AlgorithmSuite.values()).filter(s -> !s.isSigned());
  }

  @ParameterizedTest
  @MethodSource("unsignedSuites")
  void esdkWritesWeRewrapEsdkReadsWithTheNewKeyOnly(AlgorithmSuite suite) throws IOException {
    byte[] plaintext = TestKeyrings.bytes(3 * 4096 + 5, suite.id());
    byte[] original = Suites.esdk(suite).encryptData(theirs("old", OLD_KEY), plaintext, CONTEXT).getResult();
    byte[] rewrapped = rewrap(original, suite);
    assertArrayEquals(plaintext, Suites.esdk(suite).decryptData(theirs("new", NEW_KEY), rewrapped, CONTEXT)
        .getResult());
    assertThrows(CollectionOfErrors.class, () -> Suites.esdk(suite).decryptData(theirs("old", OLD_KEY), rewrapped));
  }

  @ParameterizedTest
  @MethodSource("unsignedSuites")
  void weWriteAndRewrapEsdkReads(AlgorithmSuite suite) throws IOException {
    byte[] plaintext = TestKeyrings.bytes(70_000, suite.id() + 1);
    byte[] original = Suites.envelope(ours("old", OLD_KEY), suite).encrypt(plaintext, CONTEXT);
    byte[] rewrapped = rewrap(original, suite);
    assertArrayEquals(plaintext, Suites.esdk(suite).decryptData(theirs("new", NEW_KEY), rewrapped, CONTEXT)
        .getResult());
  }

  private static byte[] rewrap(byte[] original, AlgorithmSuite suite) throws IOException {
    RewrappedHeader header = Suites.envelope(ours("old", OLD_KEY), suite)
        .rewrapHeader(new ByteArrayInputStream(original), ours("new", NEW_KEY), Map.of());
    byte[] body = Arrays.copyOfRange(original, header.originalHeaderLength(), original.length);
    return ByteBuffer.allocate(header.header().length + body.length).put(header.header()).put(body).array();
  }

  private static Keyring ours(String name, byte[] key) {
    return TestKeyrings.aes("rewrap", name, key);
  }

  private static IKeyring theirs(String name, byte[] key) {
    return MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("rewrap").keyName(name)
        .wrappingKey(ByteBuffer.wrap(key)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
  }
}
