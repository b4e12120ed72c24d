package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.io.IOException;
import java.security.KeyPair;
import java.util.Map;
import java.util.function.Function;

/**
 * Encapsulate and Decapsulate with ML-KEM keys (key specs ML_KEM_512/768/1024, usage ENCAPSULATE_DECAPSULATE), over
 * Bouncy Castle's FIPS 203 implementation ({@link MlKemCrypto}, loaded only when a call needs it). Decapsulate
 * answers {@code InvalidCiphertextException} only for a ciphertext of the wrong length; any other wrong ciphertext
 * yields a pseudo-random 32-byte secret (implicit rejection), as KMS documents.
 */
final class KeyEncapsulation {
  private final KmsEngine engine;

  KeyEncapsulation(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("Encapsulate", this::encapsulate);
    ops.put("Decapsulate", this::decapsulate);
  }

  private KmsKey key(Call call, String operation) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId);
    String algorithm = Json.string(call.request, "EncapsulationAlgorithm");
    call.requestParameters.put("encapsulationAlgorithm", algorithm);
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, Map.of());
    KmsEngine.requireUsable(key);
    if (!key.keyUsage.equals("ENCAPSULATE_DECAPSULATE")) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for " + operation + ".");
    }
    if (!algorithm.equals("ML_KEM")) {
      throw KmsError.constraint("encapsulationAlgorithm", algorithm, "Member must satisfy enum value set: [ML_KEM]");
    }
    if (Json.bool(call.request, "DryRun")) {
      throw new KmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
    }
    return key;
  }

  private ObjectNode encapsulate(Call call) {
    KmsKey key = key(call, "Encapsulate");
    KeyPair pair = key.shared.current().keyPair();
    try {
      byte[][] result = MlKemCrypto.encapsulate(pair.getPublic().getEncoded());
      ObjectNode out = Json.object();
      out.put("KeyId", key.arn());
      Json.putBlob(out, "SharedSecret", result[0]);
      Json.putBlob(out, "SharedSecretCiphertextBlob", result[1]);
      out.put("EncapsulationAlgorithm", "ML_KEM");
      return out;
    } catch (IOException e) {
      throw new KmsError("KMSInternalException", "Cannot encapsulate with " + key.arn() + ": " + e.getMessage(), 500);
    }
  }

  private ObjectNode decapsulate(Call call) {
    KmsKey key = key(call, "Decapsulate");
    byte[] ciphertext = Json.blob(call.request, "SharedSecretCiphertextBlob", false, 1, 6144);
    int expected = switch (key.keySpec) {
      case "ML_KEM_512" -> 768;
      case "ML_KEM_768" -> 1088;
      default -> 1568;
    };
    if (ciphertext.length != expected) {
      throw new KmsError("InvalidCiphertextException", "The ciphertext is " + ciphertext.length + " bytes; a "
          + key.keySpec + " key decapsulates " + expected + "-byte ciphertexts.");
    }
    try {
      byte[] secret = MlKemCrypto.decapsulate(key.shared.current().keyPair().getPrivate().getEncoded(), ciphertext);
      ObjectNode out = Json.object();
      out.put("KeyId", key.arn());
      Json.putBlob(out, "SharedSecret", secret);
      out.put("EncapsulationAlgorithm", "ML_KEM");
      return out;
    } catch (IOException e) {
      throw new KmsError("KMSInternalException", "Cannot decapsulate with " + key.arn() + ": " + e.getMessage(), 500);
    }
  }
}
