package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.DecryptResult;
import dev.envelope.core.Envelope;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.KmsHttpServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The AWS Encryption SDK for Java 3.0.2, with its AWS KMS keyring pointed at the emulator's HTTP server through an
 * unmodified SDK {@link KmsClient}, decrypts what our {@link KmsKeyring} encrypted, and the reverse: the
 * {@code aws-kms} data keys, the encryption context passed to KMS and the data-key sizes agree.
 */
class EsdkKmsInteropTest {
  private static KmsEmulator emulator;
  private static KmsHttpServer server;
  private static KmsClient kms;
  private static String keyArn;
  private static IKeyring theirs;
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme", "purpose", "kms-interop");

  @BeforeAll
  static void startEmulator() throws IOException {
    emulator = KmsEmulator.create();
    server = emulator.startHttpServer(0);
    kms = KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
    keyArn = kms.createKey(b -> b.description("esdk interop")).keyMetadata().arn();
    theirs = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build()
        .CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(keyArn).kmsClient(kms).build());
  }

  @AfterAll
  static void stop() {
    kms.close();
    emulator.close();
  }

  private static AwsCrypto esdk(AlgorithmSuite suite) {
    return AwsCrypto.builder()
        .withCommitmentPolicy(suite.isCommitting() ? CommitmentPolicy.RequireEncryptRequireDecrypt
            : CommitmentPolicy.ForbidEncryptAllowDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name())).build();
  }

  private static Envelope ours(AlgorithmSuite suite) {
    return Envelope.builder().keyring(KmsKeyring.create(kms, keyArn)).suite(suite)
        .commitmentPolicy(suite.isCommitting() ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  @ParameterizedTest
  @EnumSource(AlgorithmSuite.class)
  void oursEncryptsWithKmsEsdkDecryptsWithKms(AlgorithmSuite suite) {
    byte[] plaintext = TestKeyrings.bytes(10_000, suite.id());
    byte[] message = ours(suite).encrypt(plaintext, CONTEXT);
    assertArrayEquals(plaintext, esdk(suite).decryptData(theirs, message, CONTEXT).getResult());
  }

  @ParameterizedTest
  @EnumSource(AlgorithmSuite.class)
  void esdkEncryptsWithKmsOursDecryptsWithKms(AlgorithmSuite suite) {
    byte[] plaintext = TestKeyrings.bytes(10_000, suite.id() + 1);
    byte[] message = esdk(suite).encryptData(theirs, plaintext, CONTEXT).getResult();
    DecryptResult result = ours(suite).decrypt(message, CONTEXT);
    assertArrayEquals(plaintext, result.plaintext());
    assertEquals(List.of(keyArn), result.wrappingKeyIds());
  }
}
