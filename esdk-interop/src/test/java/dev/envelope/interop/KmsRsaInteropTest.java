package dev.envelope.interop;

import static dev.envelope.interop.Suites.esdk;
import static dev.envelope.interop.Suites.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.keyring.KmsRsaKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.KmsHttpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsRsaKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Our KMS RSA keyring against the AWS Material Providers Library 1.11.0's, both ways, on an RSA_3072 key of the
 * KMS emulator reached over its HTTP server: each encrypts with the public key, each decrypts through KMS.
 */
class KmsRsaInteropTest {
  private static KmsEmulator emulator;
  private static KmsHttpServer server;
  private static KmsClient kms;
  private static String keyArn;
  private static byte[] publicKey;
  private static final byte[] PLAINTEXT = new byte[1500];

  @BeforeAll
  static void start() throws IOException {
    new Random(3).nextBytes(PLAINTEXT);
    emulator = KmsEmulator.create();
    server = emulator.startHttpServer(0);
    kms = KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    keyArn = kms.createKey(b -> b.keySpec("RSA_3072").keyUsage("ENCRYPT_DECRYPT")).keyMetadata().arn();
    publicKey = kms.getPublicKey(b -> b.keyId(keyArn)).publicKey().asByteArray();
  }

  @AfterAll
  static void stop() {
    kms.close();
    emulator.close();
  }

  private static IKeyring theirs(EncryptionAlgorithmSpec algorithm) {
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKey)
        + "\n-----END PUBLIC KEY-----\n";
    return MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build()
        .CreateAwsKmsRsaKeyring(CreateAwsKmsRsaKeyringInput.builder().kmsKeyId(keyArn).kmsClient(kms)
            .encryptionAlgorithm(algorithm).publicKey(ByteBuffer.wrap(pem.getBytes(StandardCharsets.US_ASCII)))
            .build());
  }

  private static KmsRsaKeyring ours(EncryptionAlgorithmSpec algorithm) {
    return KmsRsaKeyring.builder().kmsClient(kms).keyArn(keyArn).encryptionAlgorithm(algorithm)
        .publicKey(publicKey).build();
  }

  @ParameterizedTest
  @EnumSource(value = EncryptionAlgorithmSpec.class, names = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"})
  void bothWays(EncryptionAlgorithmSpec algorithm) {
    for (AlgorithmSuite suite : List.of(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        AlgorithmSuite.AES_128_GCM_IV12_TAG16_HKDF_SHA256)) {
      for (Map<String, String> context : List.of(Map.<String, String>of(), Map.of("tenant", "acmé"))) {
        byte[] theirMessage = esdk(suite).encryptData(theirs(algorithm), PLAINTEXT, context).getResult();
        assertArrayEquals(PLAINTEXT, envelope(ours(algorithm), suite).decrypt(theirMessage, context).plaintext());
        byte[] ourMessage = envelope(ours(algorithm), suite).encrypt(PLAINTEXT, context);
        assertArrayEquals(PLAINTEXT, esdk(suite).decryptData(theirs(algorithm), ourMessage).getResult());
      }
    }
  }

  @Test
  void signedSuitesAndMissingPartsAreRefusedWithTheReason() {
    EnvelopeException signed = assertThrows(EnvelopeException.class,
        () -> envelope(ours(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256),
            AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).encrypt(PLAINTEXT, Map.of()));
    assertTrue(signed.getMessage().startsWith("The KMS RSA keyring cannot be used with "), signed.getMessage());
    KmsRsaKeyring decryptOnly = KmsRsaKeyring.builder().kmsClient(kms).keyArn(keyArn)
        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256).build();
    EnvelopeException noPublicKey = assertThrows(EnvelopeException.class,
        () -> envelope(decryptOnly, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).encrypt(PLAINTEXT,
            Map.of()));
    assertEquals("KMS RSA keyring " + keyArn + " has no public key to encrypt with: give it one (KMS GetPublicKey "
        + "returns it) or use this keyring to decrypt only", noPublicKey.getMessage());
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    byte[] message = envelope(ours(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256), suite).encrypt(PLAINTEXT,
        Map.of("tenant", "a"));
    NoKeyringCouldDecryptException wrongAlgorithm = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope(ours(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1), suite).decrypt(message, Map.of("tenant",
            "a")));
    assertTrue(wrongAlgorithm.getMessage().contains("InvalidCiphertextException"), wrongAlgorithm.getMessage());
  }
}
