package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.util.List;

/** Which key usages and algorithms each key spec has (KMS developer guide, "Key spec reference"). */
final class KeyUsages {
  private KeyUsages() {}

  static String validate(String keySpec, String usage) {
    List<String> allowed;
    if (keySpec.equals("SYMMETRIC_DEFAULT")) {
      allowed = List.of("ENCRYPT_DECRYPT");
    } else if (keySpec.startsWith("HMAC_")) {
      allowed = List.of("GENERATE_VERIFY_MAC");
      if (usage == null) {
        throw KmsError.validation("You must specify a KeyUsage value for all KMS keys except for symmetric "
            + "encryption keys.");
      }
    } else if (keySpec.startsWith("ML_KEM_")) {
      allowed = List.of("ENCAPSULATE_DECAPSULATE");
      if (usage == null) {
        throw KmsError.validation("You must specify a KeyUsage value for all KMS keys except for symmetric "
            + "encryption keys.");
      }
    } else if (keySpec.startsWith("RSA_")) {
      allowed = List.of("ENCRYPT_DECRYPT", "SIGN_VERIFY");
      if (usage == null) {
        throw KmsError.validation("You must specify a KeyUsage value for all KMS keys except for symmetric "
            + "encryption keys.");
      }
    } else {
      allowed = keySpec.equals("ECC_SECG_P256K1") || keySpec.equals("ECC_NIST_EDWARDS25519")
          || keySpec.startsWith("ML_DSA_") ? List.of("SIGN_VERIFY") : List.of("SIGN_VERIFY", "KEY_AGREEMENT");
      if (usage == null) {
        throw KmsError.validation("You must specify a KeyUsage value for all KMS keys except for symmetric "
            + "encryption keys.");
      }
    }
    String effective = usage == null ? allowed.get(0) : usage;
    if (!List.of("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE")
        .contains(effective)) {
      throw KmsError.constraint("keyUsage", effective, "Member must satisfy enum value set: [ENCRYPT_DECRYPT, "
          + "SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]");
    }
    if (!allowed.contains(effective)) {
      throw KmsError.validation("KeyUsage " + effective + " is not compatible with KeySpec " + keySpec);
    }
    return effective;
  }

  static List<String> encryptionAlgorithms(KmsKey key) {
    if (!key.keyUsage.equals("ENCRYPT_DECRYPT")) {
      return List.of();
    }
    return key.isSymmetric() ? List.of("SYMMETRIC_DEFAULT") : List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256");
  }

  static List<String> signingAlgorithms(KmsKey key) {
    if (!key.keyUsage.equals("SIGN_VERIFY")) {
      return List.of();
    }
    if (key.keySpec.startsWith("RSA_")) {
      return List.of("RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
          "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512");
    }
    if (key.keySpec.startsWith("ML_DSA_")) {
      return List.of("ML_DSA_SHAKE_256");
    }
    return switch (key.keySpec) {
      case "ECC_NIST_EDWARDS25519" -> List.of("ED25519_SHA_512", "ED25519_PH_SHA_512");
      case "ECC_NIST_P384" -> List.of("ECDSA_SHA_384");
      case "ECC_NIST_P521" -> List.of("ECDSA_SHA_512");
      default -> List.of("ECDSA_SHA_256");
    };
  }

  static List<String> macAlgorithms(KmsKey key) {
    return key.isHmac() ? List.of("HMAC_SHA_" + key.keySpec.substring(5)) : List.of();
  }

  static void putAlgorithms(ObjectNode m, KmsKey key) {
    put(m, "EncryptionAlgorithms", encryptionAlgorithms(key));
    put(m, "SigningAlgorithms", signingAlgorithms(key));
    put(m, "MacAlgorithms", macAlgorithms(key));
    if (key.keyUsage.equals("KEY_AGREEMENT")) {
      put(m, "KeyAgreementAlgorithms", List.of("ECDH"));
    }
    if (key.keyUsage.equals("ENCAPSULATE_DECAPSULATE")) {
      put(m, "EncapsulationAlgorithms", List.of("ML_KEM"));
    }
  }

  private static void put(ObjectNode m, String name, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = m.putArray(name);
      values.forEach(a::add);
    }
  }
}
