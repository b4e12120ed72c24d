package dev.envelope.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.keyring.EcdhCurve;
import dev.envelope.core.keyring.KmsEcdhKeyring;
import dev.envelope.core.keyring.RawEcdhKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.KmsHttpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsEcdhKeyringInput;
import software.amazon.cryptography.materialproviders.model.KmsEcdhStaticConfigurations;
import software.amazon.cryptography.materialproviders.model.KmsPrivateKeyToStaticPublicKeyInput;
import software.amazon.cryptography.materialproviders.model.KmsPublicKeyDiscoveryInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;
import software.amazon.cryptography.primitives.model.ECDHCurveSpec;

/**
 * Our KMS ECDH keyring against the AWS Material Providers Library 1.11.0's, both ways, on KEY_AGREEMENT keys of the
 * KMS emulator reached over HTTP (the emulator's DeriveSharedSecret); and the raw and KMS ECDH EDKs read by each
 * other's keyrings.
 */
class KmsEcdhInteropTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final byte[] PLAINTEXT = new byte[1200];
  private static KmsEmulator emulator;
  private static KmsHttpServer server;
  private static KmsClient kms;

  @BeforeAll
  static void start() throws IOException {
    new Random(9).nextBytes(PLAINTEXT);
    emulator = KmsEmulator.create();
    server = emulator.startHttpServer(0);
    kms = KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
  }

  @AfterAll
  static void stop() {
    kms.close();
    emulator.close();
  }

  private static String agreementKey(EcdhCurve curve) {
    return kms.createKey(b -> b.keySpec("ECC_NIST_" + curve.name()).keyUsage("KEY_AGREEMENT")).keyMetadata()
        .arn();
  }

  private static byte[] der(String keyArn) {
    return kms.getPublicKey(b -> b.keyId(keyArn)).publicKey().asByteArray();
  }

  private static PublicKey publicKey(String keyArn) throws Exception {
    return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der(keyArn)));
  }

  private static IKeyring theirs(EcdhCurve curve, KmsEcdhStaticConfigurations scheme) {
    return MPL.CreateAwsKmsEcdhKeyring(CreateAwsKmsEcdhKeyringInput.builder().kmsClient(kms)
        .curveSpec(ECDHCurveSpec.valueOf("ECC_NIST_" + curve.name())).KeyAgreementScheme(scheme).build());
  }

  private static IKeyring theirStatic(EcdhCurve curve, String sender, String recipient) {
    return theirs(curve, KmsEcdhStaticConfigurations.builder().KmsPrivateKeyToStaticPublicKey(
        KmsPrivateKeyToStaticPublicKeyInput.builder().senderKmsIdentifier(sender)
            .senderPublicKey(ByteBuffer.wrap(der(sender))).recipientPublicKey(ByteBuffer.wrap(der(recipient)))
            .build()).build());
  }

  private static IKeyring theirDiscovery(EcdhCurve curve, String recipient) {
    return theirs(curve, KmsEcdhStaticConfigurations.builder().KmsPublicKeyDiscovery(
        KmsPublicKeyDiscoveryInput.builder().recipientKmsIdentifier(recipient).build()).build());
  }

  private static final AlgorithmSuite SUITE = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

  private static AwsCrypto esdk() {
    return AwsCrypto.builder().withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt).build();
  }

  private static Envelope ours(dev.envelope.core.keyring.Keyring keyring) {
    return Envelope.builder().keyring(keyring).suite(SUITE).build();
  }

  @ParameterizedTest
  @EnumSource(EcdhCurve.class)
  void bothWays(EcdhCurve curve) throws Exception {
    String alice = agreementKey(curve);
    String bob = agreementKey(curve);
    Map<String, String> context = Map.of("tenant", "acme");
    byte[] theirMessage = esdk().encryptData(theirStatic(curve, alice, bob), PLAINTEXT, context).getResult();
    assertArrayEquals(PLAINTEXT, ours(KmsEcdhKeyring.discovery(kms, bob, List.of())).decrypt(theirMessage, context)
        .plaintext());
    assertArrayEquals(PLAINTEXT, ours(KmsEcdhKeyring.staticKeys(kms, bob, publicKey(alice), List.of()))
        .decrypt(theirMessage, context).plaintext());

    byte[] ourMessage = ours(KmsEcdhKeyring.staticKeys(kms, alice, publicKey(bob), List.of())).encrypt(PLAINTEXT,
        context);
    assertArrayEquals(PLAINTEXT, esdk().decryptData(theirDiscovery(curve, bob), ourMessage).getResult());
    assertArrayEquals(PLAINTEXT, esdk().decryptData(theirStatic(curve, bob, alice), ourMessage).getResult());
  }

  @Test
  void rawAndKmsEcdhReadEachOther() throws Exception {
    String bob = agreementKey(EcdhCurve.P384);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair alice = generator.generateKeyPair();
    byte[] fromRaw = ours(RawEcdhKeyring.staticKeys(alice, publicKey(bob))).encrypt(PLAINTEXT, Map.of());
    assertArrayEquals(PLAINTEXT, ours(KmsEcdhKeyring.discovery(kms, bob, List.of())).decrypt(fromRaw, Map.of())
        .plaintext());
    byte[] fromKms = ours(KmsEcdhKeyring.staticKeys(kms, bob, alice.getPublic(), List.of())).encrypt(PLAINTEXT,
        Map.of());
    assertArrayEquals(PLAINTEXT, ours(RawEcdhKeyring.discovery(alice)).decrypt(fromKms, Map.of()).plaintext());
  }

  @Test
  void theEmulatorDerivesWhatTheJcaDerivesAndChecksKeyUsage() throws Exception {
    String key = agreementKey(EcdhCurve.P256);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair local = generator.generateKeyPair();
    byte[] fromKms = kms.deriveSharedSecret(b -> b.keyId(key).keyAgreementAlgorithm("ECDH")
        .publicKey(SdkBytes.fromByteArray(local.getPublic().getEncoded()))).sharedSecret().asByteArray();
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(local.getPrivate());
    agreement.doPhase(publicKey(key), true);
    assertArrayEquals(agreement.generateSecret(), fromKms);

    String symmetric = kms.createKey(b -> { }).keyMetadata().arn();
    InvalidKeyUsageException usage = assertThrows(InvalidKeyUsageException.class,
        () -> kms.deriveSharedSecret(b -> b.keyId(symmetric).keyAgreementAlgorithm("ECDH")
            .publicKey(SdkBytes.fromByteArray(local.getPublic().getEncoded()))));
    assertEquals(symmetric + " key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret.",
        usage.awsErrorDetails().errorMessage());
    EnvelopeException notAgreement = assertThrows(EnvelopeException.class,
        () -> KmsEcdhKeyring.discovery(kms, kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
            .keyMetadata().arn(), List.of()));
    assertEquals(true, notAgreement.getMessage().contains("needs a KEY_AGREEMENT key"), notAgreement.getMessage());
  }
}
