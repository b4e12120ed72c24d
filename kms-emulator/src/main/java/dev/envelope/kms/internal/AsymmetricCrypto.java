package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Asymmetric keys: Sign and Verify (RAW and DIGEST message types, interchangeable as in KMS), GetPublicKey (DER
 * SubjectPublicKeyInfo), RSA-OAEP Encrypt/Decrypt that is real RSA-OAEP (decryptable offline with the private key,
 * encryptable offline with the public key), and GenerateDataKeyPair(WithoutPlaintext).
 */
final class AsymmetricCrypto {
  private static final byte[] SHA256_PREFIX = HexFormat.of().parseHex("3031300d060960864801650304020105000420");
  private static final byte[] SHA384_PREFIX = HexFormat.of().parseHex("3041300d060960864801650304020205000430");
  private static final byte[] SHA512_PREFIX = HexFormat.of().parseHex("3051300d060960864801650304020305000440");
  static final List<String> KEY_PAIR_SPECS = List.of("RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256",
      "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1");

  private final KmsEngine engine;
  private final SymmetricCrypto symmetric;

  AsymmetricCrypto(KmsEngine engine, SymmetricCrypto symmetric) {
    this.engine = engine;
    this.symmetric = symmetric;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("Sign", this::sign);
    ops.put("Verify", this::verify);
    ops.put("GetPublicKey", this::getPublicKey);
    ops.put("DeriveSharedSecret", this::deriveSharedSecret);
    ops.put("GenerateDataKeyPair", c -> dataKeyPair(c, true));
    ops.put("GenerateDataKeyPairWithoutPlaintext", c -> dataKeyPair(c, false));
  }

  private KmsKey signingKey(Call call, String operation) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId);
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, Map.of());
    KmsEngine.requireUsable(key);
    if (!key.keyUsage.equals("SIGN_VERIFY")) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for " + operation + ".");
    }
    return key;
  }

  private static void requireAlgorithm(KmsKey key, String algorithm) {
    if (!KeyUsages.signingAlgorithms(key).contains(algorithm)) {
      throw new KmsError("InvalidKeyUsageException", "Algorithm " + algorithm + " is incompatible with key spec "
          + key.keySpec + ".");
    }
  }

  /** EXTERNAL_MU belongs to ML-DSA. */
  private static void requireClassicType(String messageType) {
    if (messageType.equals("EXTERNAL_MU")) {
      throw KmsError.validation("MessageType EXTERNAL_MU is valid only with the ML_DSA_SHAKE_256 signing algorithm.");
    }
  }

  /** The JCA signature for a KMS signing algorithm over a message (RAW) or a precomputed digest (DIGEST). */
  private static Signature signature(KmsKey key, String algorithm, boolean digest) throws GeneralSecurityException {
    requireAlgorithm(key, algorithm);
    String hash = "SHA-" + algorithm.substring(algorithm.length() - 3);
    String shortHash = "SHA" + algorithm.substring(algorithm.length() - 3);
    boolean k1 = key.keySpec.equals("ECC_SECG_P256K1");
    if (algorithm.startsWith("ECDSA_")) {
      String name = digest ? "NONEwithECDSA" : shortHash + "withECDSA";
      return k1 ? Signature.getInstance(name, Asymmetric.BC) : Signature.getInstance(name);
    }
    if (algorithm.startsWith("RSASSA_PSS_")) {
      int saltLength = Integer.parseInt(algorithm.substring(algorithm.length() - 3)) / 8;
      PSSParameterSpec pss = new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, 1);
      Signature s = digest ? Signature.getInstance("RAWRSASSA-PSS", Asymmetric.BC)
          : Signature.getInstance("RSASSA-PSS");
      s.setParameter(pss);
      return s;
    }
    return digest ? Signature.getInstance("NONEwithRSA") : Signature.getInstance(shortHash + "withRSA");
  }

  /** The message as the JCA signature wants it: the message, the digest, or DigestInfo || digest (PKCS #1). */
  private static byte[] input(String algorithm, byte[] message, boolean digest) {
    if (!digest) {
      return message;
    }
    int bits = Integer.parseInt(algorithm.substring(algorithm.length() - 3));
    if (message.length != bits / 8) {
      throw KmsError.validation("Digest is invalid length for algorithm " + algorithm + ".");
    }
    if (!algorithm.startsWith("RSASSA_PKCS1_V1_5_")) {
      return message;
    }
    byte[] prefix = bits == 256 ? SHA256_PREFIX : bits == 384 ? SHA384_PREFIX : SHA512_PREFIX;
    byte[] out = Arrays.copyOf(prefix, prefix.length + message.length);
    System.arraycopy(message, 0, out, prefix.length, message.length);
    return out;
  }

  private static String messageType(Call call) {
    String type = Json.optionalString(call.request, "MessageType");
    if (type == null) {
      return "RAW";
    }
    if (type.equals("RAW") || type.equals("DIGEST") || type.equals("EXTERNAL_MU")) {
      return type;
    }
    throw KmsError.constraint("messageType", type, "Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]");
  }

  private ObjectNode sign(Call call) {
    byte[] message = Json.blob(call.request, "Message", true, 1, 4096);
    String algorithm = Json.string(call.request, "SigningAlgorithm");
    String type = messageType(call);
    boolean digest = type.equals("DIGEST");
    call.requestParameters.put("signingAlgorithm", algorithm).put("messageType", type);
    KmsKey key = signingKey(call, "Sign");
    KeyPair pair = key.shared.current().keyPair();
    try {
      if (ModernSignatures.handles(key)) {
        requireAlgorithm(key, algorithm);
        ObjectNode out = Json.object();
        out.put("KeyId", key.arn());
        Json.putBlob(out, "Signature", ModernSignatures.sign(key, algorithm, type, message, engine.random));
        out.put("SigningAlgorithm", algorithm);
        return out;
      }
      requireClassicType(type);
      Signature s = signature(key, algorithm, digest);
      s.initSign(pair.getPrivate(), engine.random);
      s.update(input(algorithm, message, digest));
      ObjectNode out = Json.object();
      out.put("KeyId", key.arn());
      Json.putBlob(out, "Signature", s.sign());
      out.put("SigningAlgorithm", algorithm);
      return out;
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "Signing failed: " + e.getMessage(), 500);
    }
  }

  private ObjectNode verify(Call call) {
    byte[] message = Json.blob(call.request, "Message", true, 1, 4096);
    byte[] signatureBytes = Json.blob(call.request, "Signature", false, 1, 6144);
    String algorithm = Json.string(call.request, "SigningAlgorithm");
    String type = messageType(call);
    boolean digest = type.equals("DIGEST");
    call.requestParameters.put("signingAlgorithm", algorithm).put("messageType", type);
    KmsKey key = signingKey(call, "Verify");
    boolean valid;
    try {
      if (ModernSignatures.handles(key)) {
        requireAlgorithm(key, algorithm);
        valid = ModernSignatures.verify(key, algorithm, type, message, signatureBytes);
      } else {
        requireClassicType(type);
        Signature s = signature(key, algorithm, digest);
        s.initVerify(key.shared.current().keyPair().getPublic());
        s.update(input(algorithm, message, digest));
        valid = s.verify(signatureBytes);
      }
    } catch (java.security.SignatureException e) {
      valid = false; // a malformed signature is an invalid one
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "Verification failed: " + e.getMessage(), 500);
    }
    if (!valid) {
      throw new KmsError("KMSInvalidSignatureException", "");
    }
    return Json.object().put("KeyId", key.arn()).put("SignatureValid", true).put("SigningAlgorithm", algorithm);
  }

  private ObjectNode getPublicKey(Call call) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId);
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, "GetPublicKey", Map.of());
    if (key.state != KeyState.Disabled) { // real KMS serves public keys of disabled keys
      KmsEngine.requireUsable(key);
    }
    if (key.isSymmetric() || key.isHmac()) {
      throw new KmsError("UnsupportedOperationException", key.arn() + " key spec " + key.keySpec
          + " has no public key.");
    }
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn());
    Json.putBlob(out, "PublicKey", key.shared.current().keyPair().getPublic().getEncoded());
    out.put("CustomerMasterKeySpec", key.keySpec).put("KeySpec", key.keySpec).put("KeyUsage", key.keyUsage);
    KeyUsages.putAlgorithms(out, key);
    return out;
  }

  /**
   * ECDH with a KEY_AGREEMENT key's private key and the caller's public key (DER SubjectPublicKeyInfo on the key's
   * curve): the x coordinate of the shared point, as KMS returns it. The Nitro Enclaves {@code Recipient} form
   * is refused.
   */
  private ObjectNode deriveSharedSecret(Call call) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId);
    String algorithm = Json.string(call.request, "KeyAgreementAlgorithm");
    call.requestParameters.put("keyAgreementAlgorithm", algorithm);
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, "DeriveSharedSecret", Map.of());
    KmsEngine.requireUsable(key);
    if (!key.keyUsage.equals("KEY_AGREEMENT")) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for DeriveSharedSecret.");
    }
    if (!algorithm.equals("ECDH")) {
      throw new KmsError("ValidationException", "1 validation error detected: Value '" + algorithm + "' at "
          + "'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]");
    }
    if (call.request.has("Recipient")) {
      throw new KmsError("ValidationException", "The Recipient parameter (Nitro Enclaves attestation) is not "
          + "supported by this emulator.");
    }
    byte[] publicKey = Json.blob(call.request, "PublicKey", false, 1, 8192);
    if (Json.bool(call.request, "DryRun")) {
      throw new KmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
    }
    try {
      java.security.PublicKey peer = java.security.KeyFactory.getInstance("EC")
          .generatePublic(new java.security.spec.X509EncodedKeySpec(publicKey));
      KeyPair pair = key.shared.current().keyPair();
      if (!(peer instanceof java.security.interfaces.ECPublicKey ec) || !ec.getParams().getCurve().equals(
          ((java.security.interfaces.ECPublicKey) pair.getPublic()).getParams().getCurve())) {
        throw new KmsError("ValidationException", "The public key is not on the curve of " + key.arn() + " ("
            + key.keySpec + ").");
      }
      javax.crypto.KeyAgreement agreement = javax.crypto.KeyAgreement.getInstance("ECDH");
      agreement.init(pair.getPrivate());
      agreement.doPhase(peer, true);
      ObjectNode out = Json.object();
      out.put("KeyId", key.arn());
      Json.putBlob(out, "SharedSecret", agreement.generateSecret());
      out.put("KeyAgreementAlgorithm", "ECDH").put("KeyOrigin", key.origin);
      return out;
    } catch (GeneralSecurityException e) {
      throw new KmsError("ValidationException", "The public key is not a valid DER-encoded EC public key: "
          + e.getMessage());
    }
  }

  // ---- RSA encryption, called by SymmetricCrypto for RSA ENCRYPT_DECRYPT keys ---------------------------------

  private static OAEPParameterSpec oaep(String algorithm) {
    return switch (algorithm) {
      case "RSAES_OAEP_SHA_1" -> new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1,
          PSource.PSpecified.DEFAULT);
      case "RSAES_OAEP_SHA_256" -> new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
          PSource.PSpecified.DEFAULT);
      default -> throw new KmsError("InvalidKeyUsageException", "Algorithm " + algorithm + " is not valid for an "
          + "RSA key.");
    };
  }

  private static String rsaAlgorithm(Call call, KmsKey key) {
    String algorithm = Json.optionalString(call.request, "EncryptionAlgorithm");
    if (algorithm == null || algorithm.equals("SYMMETRIC_DEFAULT")) {
      throw new KmsError("InvalidKeyUsageException", "Algorithm " + (algorithm == null ? "SYMMETRIC_DEFAULT"
          : algorithm) + " is not valid for key " + key.arn() + "; use RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256.");
    }
    return algorithm;
  }

  ObjectNode rsaEncrypt(Call call, KmsKey key, byte[] plaintext) {
    String algorithm = rsaAlgorithm(call, key);
    OAEPParameterSpec spec = oaep(algorithm);
    int keyBytes = ((RSAKey) key.shared.current().keyPair().getPublic()).getModulus().bitLength() / 8;
    int hashBytes = algorithm.endsWith("SHA_1") ? 20 : 32;
    int max = keyBytes - 2 * hashBytes - 2;
    if (plaintext.length > max) {
      throw KmsError.validation("Algorithm " + algorithm + " and key spec " + key.keySpec + " cannot encrypt data "
          + "larger than " + max + " bytes.");
    }
    if (!Json.stringMap(call.request, "EncryptionContext").isEmpty()) {
      throw KmsError.validation("EncryptionContext is not supported for asymmetric KMS keys.");
    }
    try {
      Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.shared.current().keyPair().getPublic(), spec, engine.random);
      ObjectNode out = Json.object();
      Json.putBlob(out, "CiphertextBlob", cipher.doFinal(plaintext));
      out.put("KeyId", key.arn()).put("EncryptionAlgorithm", algorithm);
      return out;
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "RSA-OAEP failed: " + e.getMessage(), 500);
    }
  }

  ObjectNode rsaDecrypt(Call call, KmsKey key, byte[] ciphertext) {
    String algorithm = rsaAlgorithm(call, key);
    OAEPParameterSpec spec = oaep(algorithm);
    try {
      Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.shared.current().keyPair().getPrivate(), spec);
      byte[] plaintext = cipher.doFinal(ciphertext);
      ObjectNode out = Json.object();
      out.put("KeyId", key.arn());
      Json.putBlob(out, "Plaintext", plaintext);
      Arrays.fill(plaintext, (byte) 0);
      out.put("EncryptionAlgorithm", algorithm);
      return out;
    } catch (GeneralSecurityException e) {
      throw KmsError.invalidCiphertext();
    }
  }

  // ---- data key pairs ----------------------------------------------------------------------------------------

  private ObjectNode dataKeyPair(Call call, boolean withPlaintext) {
    String keyId = Json.string(call.request, "KeyId");
    String spec = Json.string(call.request, "KeyPairSpec");
    call.requestParameters.put("keyId", keyId).put("keyPairSpec", spec);
    if (!KEY_PAIR_SPECS.contains(spec)) {
      throw KmsError.constraint("keyPairSpec", spec, "Member must satisfy enum value set: " + KEY_PAIR_SPECS);
    }
    Map<String, String> context = Json.stringMap(call.request, "EncryptionContext");
    KmsKey key = engine.resolve(call, keyId, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext",
        context);
    KmsEngine.requireUsable(key);
    if (!key.isSymmetric() || !key.keyUsage.equals("ENCRYPT_DECRYPT")) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for GenerateDataKeyPair.");
    }
    KeyPair pair = Asymmetric.generate(spec);
    byte[] privateKey = pair.getPrivate().getEncoded();
    ObjectNode out = Json.object();
    Json.putBlob(out, "PrivateKeyCiphertextBlob", symmetric.seal(key, privateKey, context));
    if (withPlaintext) {
      Json.putBlob(out, "PrivateKeyPlaintext", privateKey);
    }
    Arrays.fill(privateKey, (byte) 0);
    Json.putBlob(out, "PublicKey", pair.getPublic().getEncoded());
    out.put("KeyId", key.arn()).put("KeyPairSpec", spec);
    return out;
  }
}
