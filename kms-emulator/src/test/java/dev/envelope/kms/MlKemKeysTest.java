package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.bouncycastle.pqc.crypto.util.PublicKeyFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecapsulateResponse;
import software.amazon.awssdk.services.kms.model.EncapsulateResponse;
import software.amazon.awssdk.services.kms.model.EncapsulationAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;

/** ML-KEM keys: Encapsulate and Decapsulate as the KMS API reference describes them, implicit rejection included. */
class MlKemKeysTest {
  @ParameterizedTest
  @CsvSource({"ML_KEM_512, 768, 800", "ML_KEM_768, 1088, 1184", "ML_KEM_1024, 1568, 1568"})
  void encapsulateDecapsulateAndLocalEncapsulation(String spec, int ciphertextLength, int publicKeyLength)
      throws Exception {
    try (KmsEmulator emulator = KmsEmulator.create()) {
      KmsClient kms = emulator.client();
      String key = kms.createKey(b -> b.keySpec(spec).keyUsage("ENCAPSULATE_DECAPSULATE")).keyMetadata().arn();
      assertEquals(List.of(EncapsulationAlgorithmSpec.ML_KEM), kms.describeKey(b -> b.keyId(key)).keyMetadata()
          .encapsulationAlgorithms());
      EncapsulateResponse e = kms.encapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM"));
      assertEquals(32, e.sharedSecret().asByteArray().length);
      assertEquals(ciphertextLength, e.sharedSecretCiphertextBlob().asByteArray().length);
      DecapsulateResponse d = kms.decapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM")
          .sharedSecretCiphertextBlob(e.sharedSecretCiphertextBlob()));
      assertArrayEquals(e.sharedSecret().asByteArray(), d.sharedSecret().asByteArray());
      assertEquals(key, d.keyId());

      // Encapsulated locally with the public key GetPublicKey gives, decapsulated by KMS.
      byte[] publicKey = kms.getPublicKey(b -> b.keyId(key)).publicKey().asByteArray();
      MLKEMPublicKeyParameters parameters = (MLKEMPublicKeyParameters) PublicKeyFactory.createKey(publicKey);
      assertEquals(publicKeyLength, parameters.getEncoded().length);
      SecretWithEncapsulation local = new MLKEMGenerator(new java.security.SecureRandom())
          .generateEncapsulated(parameters);
      assertArrayEquals(local.getSecret(), kms.decapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM")
          .sharedSecretCiphertextBlob(SdkBytes.fromByteArray(local.getEncapsulation()))).sharedSecret()
          .asByteArray());

      // Implicit rejection: a changed ciphertext of the right length yields another secret, no error.
      byte[] tampered = e.sharedSecretCiphertextBlob().asByteArray();
      tampered[10] ^= 1;
      byte[] rejected = kms.decapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM")
          .sharedSecretCiphertextBlob(SdkBytes.fromByteArray(tampered))).sharedSecret().asByteArray();
      assertEquals(32, rejected.length);
      assertFalse(java.util.Arrays.equals(rejected, e.sharedSecret().asByteArray()));
      // A wrong length is the only error.
      InvalidCiphertextException wrongLength = assertThrows(InvalidCiphertextException.class,
          () -> kms.decapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM")
              .sharedSecretCiphertextBlob(SdkBytes.fromByteArray(new byte[ciphertextLength - 1]))));
      assertEquals("The ciphertext is " + (ciphertextLength - 1) + " bytes; a " + spec + " key decapsulates "
          + ciphertextLength + "-byte ciphertexts.", wrongLength.awsErrorDetails().errorMessage());
    }
  }

  /** The key policy decides who may encapsulate and who may decapsulate, and a grant can allow either. */
  @Test
  void keyPoliciesAndGrantsGovernTheNewOperations() {
    Principal admin = Principal.role(KmsEmulator.DEFAULT_ACCOUNT, "admin");
    Principal sender = Principal.role(KmsEmulator.DEFAULT_ACCOUNT, "sender");
    Principal recipient = Principal.role(KmsEmulator.DEFAULT_ACCOUNT, "recipient");
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + admin.arn() + "\"},\"Action\":\"kms:*\","
        + "\"Resource\":\"*\"},"
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + sender.arn() + "\"},\"Action\":"
        + "\"kms:Encapsulate\",\"Resource\":\"*\"}]}";
    // CreateKey acts on no key: the admin role's identity policy must allow it.
    try (KmsEmulator emulator = KmsEmulator.builder().enforceAuthorization(true).iamPolicy(admin,
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:CreateKey\",\"Resource\":\"*\"}]}").build()) {
      String key = emulator.client(admin).createKey(b -> b.keySpec("ML_KEM_512").keyUsage("ENCAPSULATE_DECAPSULATE")
          .policy(policy)).keyMetadata().arn();
      EncapsulateResponse e = emulator.client(sender).encapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM"));
      software.amazon.awssdk.services.kms.model.KmsException denied = assertThrows(
          software.amazon.awssdk.services.kms.model.KmsException.class,
          () -> emulator.client(recipient).decapsulate(b -> b.keyId(key).encapsulationAlgorithm("ML_KEM")
              .sharedSecretCiphertextBlob(e.sharedSecretCiphertextBlob())));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      emulator.client(admin).createGrant(b -> b.keyId(key).granteePrincipal(recipient.arn())
          .operations(software.amazon.awssdk.services.kms.model.GrantOperation.DECAPSULATE));
      assertArrayEquals(e.sharedSecret().asByteArray(), emulator.client(recipient).decapsulate(b -> b.keyId(key)
          .encapsulationAlgorithm("ML_KEM").sharedSecretCiphertextBlob(e.sharedSecretCiphertextBlob()))
          .sharedSecret().asByteArray());
      assertEquals(true, emulator.trail().stream().anyMatch(r -> r.get("eventName").asText().equals("Decapsulate")
          && r.path("errorCode").isMissingNode()), "a CloudTrail-shaped record of the Decapsulate");
    }
  }

  @Test
  void keyUsagesAreEnforcedBothWays() {
    try (KmsEmulator emulator = KmsEmulator.create()) {
      KmsClient kms = emulator.client();
      String symmetric = kms.createKey(b -> { }).keyMetadata().arn();
      InvalidKeyUsageException notMlKem = assertThrows(InvalidKeyUsageException.class,
          () -> kms.encapsulate(b -> b.keyId(symmetric).encapsulationAlgorithm("ML_KEM")));
      assertEquals(symmetric + " key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate.",
          notMlKem.awsErrorDetails().errorMessage());
      String mlKem = kms.createKey(b -> b.keySpec("ML_KEM_768").keyUsage("ENCAPSULATE_DECAPSULATE")).keyMetadata()
          .arn();
      assertThrows(InvalidKeyUsageException.class,
          () -> kms.encrypt(b -> b.keyId(mlKem).plaintext(SdkBytes.fromUtf8String("x"))));
      assertThrows(software.amazon.awssdk.services.kms.model.KmsException.class,
          () -> kms.createKey(b -> b.keySpec("ML_KEM_768").keyUsage("ENCRYPT_DECRYPT")));
    }
  }
}
