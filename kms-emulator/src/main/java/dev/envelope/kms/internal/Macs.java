package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** GenerateMac and VerifyMac for HMAC keys; a failed verification is KMSInvalidMacException, as in KMS. */
final class Macs {
  private final KmsEngine engine;

  Macs(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("GenerateMac", this::generate);
    ops.put("VerifyMac", this::verify);
  }

  private byte[] mac(Call call, String operation) {
    byte[] message = Json.blob(call.request, "Message", true, 1, 4096);
    String algorithm = Json.string(call.request, "MacAlgorithm");
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId).put("macAlgorithm", algorithm);
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, Map.of());
    KmsEngine.requireUsable(key);
    if (!key.isHmac()) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for " + operation + ".");
    }
    if (!KeyUsages.macAlgorithms(key).contains(algorithm)) {
      throw new KmsError("InvalidKeyUsageException", "Algorithm " + algorithm + " is incompatible with key spec "
          + key.keySpec + ".");
    }
    String jca = "Hmac" + algorithm.replace("HMAC_SHA_", "SHA");
    try {
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(key.shared.current().secret(), jca));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "HMAC failed: " + e.getMessage(), 500);
    }
  }

  private ObjectNode generate(Call call) {
    byte[] mac = mac(call, "GenerateMac");
    ObjectNode out = Json.object();
    Json.putBlob(out, "Mac", mac);
    out.put("MacAlgorithm", Json.string(call.request, "MacAlgorithm"));
    out.put("KeyId", call.resourceArns.get(0));
    return out;
  }

  private ObjectNode verify(Call call) {
    byte[] given = Json.blob(call.request, "Mac", false, 1, 6144);
    byte[] expected = mac(call, "VerifyMac");
    if (!MessageDigest.isEqual(given, expected)) {
      throw new KmsError("KMSInvalidMacException", "");
    }
    return Json.object().put("KeyId", call.resourceArns.get(0)).put("MacValid", true)
        .put("MacAlgorithm", Json.string(call.request, "MacAlgorithm"));
  }
}
