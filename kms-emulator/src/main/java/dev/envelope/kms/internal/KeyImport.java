package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Imported key material (keys with {@code Origin=EXTERNAL}): GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial, and expiry at {@code ValidTo}. The wrapping is real: the caller wraps its material
 * under the returned RSA public key with the named algorithm, exactly as for KMS.
 *
 * <p>The KeyMaterialId of imported material is derived from the material, so re-importing the same material after
 * deletion or expiry (or into a multi-Region replica) makes the old ciphertexts decrypt again, as in KMS.
 */
final class KeyImport {
  static final Set<String> WRAPPING_ALGORITHMS = Set.of("RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1",
      "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256");
  static final Set<String> WRAPPING_KEY_SPECS = Set.of("RSA_2048", "RSA_3072", "RSA_4096");
  private static final Duration PARAMETERS_VALIDITY = Duration.ofHours(24);
  private static final Duration MAX_VALID_TO = Duration.ofDays(365);

  private final KmsEngine engine;

  KeyImport(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("GetParametersForImport", this::getParameters);
    ops.put("ImportKeyMaterial", this::importMaterial);
    ops.put("DeleteImportedKeyMaterial", this::deleteMaterial);
  }

  private KmsKey external(Call call, String operation) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    KmsKey key = engine.resolve(call, id, false);
    engine.authorize(call, key, operation, Map.of());
    if (!key.origin.equals("EXTERNAL")) {
      throw new KmsError("UnsupportedOperationException", key.arn() + " origin is " + key.origin
          + " which is not valid for this operation.");
    }
    if (!operation.equals("DeleteImportedKeyMaterial")) {
      KmsEngine.requireNotPendingDeletion(key);
    }
    if (key.state == KeyState.Creating) {
      throw KmsError.invalidState(key.arn() + " is creating.");
    }
    return key;
  }

  private ObjectNode getParameters(Call call) {
    String algorithm = Json.string(call.request, "WrappingAlgorithm");
    if (algorithm.equals("RSAES_PKCS1_V1_5")) {
      // Still in the API's enum, but KMS stopped accepting it (PKCS #1 v1.5 padding is open to padding oracles).
      throw KmsError.validation("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported for importing key "
          + "material. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.");
    }
    if (!WRAPPING_ALGORITHMS.contains(algorithm)) {
      throw KmsError.constraint("wrappingAlgorithm", algorithm, "Member must satisfy enum value set: "
          + WRAPPING_ALGORITHMS);
    }
    String spec = Json.string(call.request, "WrappingKeySpec");
    if (!WRAPPING_KEY_SPECS.contains(spec)) {
      throw KmsError.constraint("wrappingKeySpec", spec, "Member must satisfy enum value set: "
          + WRAPPING_KEY_SPECS);
    }
    KmsKey key = external(call, "GetParametersForImport");
    call.requestParameters.put("wrappingAlgorithm", algorithm).put("wrappingKeySpec", spec);
    KeyPair wrapping;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(Integer.parseInt(spec.substring(4)), engine.random);
      wrapping = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "Cannot generate a wrapping key: " + e.getMessage(), 500);
    }
    Instant validTo = engine.clock.instant().plus(PARAMETERS_VALIDITY);
    key.importParameters = new KmsKey.ImportParameters(engine.randomBytes(64), wrapping, algorithm, validTo);
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn());
    Json.putBlob(out, "ImportToken", key.importParameters.token());
    Json.putBlob(out, "PublicKey", wrapping.getPublic().getEncoded());
    Json.putTime(out, "ParametersValidTo", validTo);
    return out;
  }

  private ObjectNode importMaterial(Call call) {
    byte[] token = Json.blob(call.request, "ImportToken", false, 1, 6144);
    byte[] wrapped = Json.blob(call.request, "EncryptedKeyMaterial", true, 1, 6144);
    String model = Json.optionalString(call.request, "ExpirationModel");
    model = model == null ? "KEY_MATERIAL_EXPIRES" : model;
    if (!model.equals("KEY_MATERIAL_EXPIRES") && !model.equals("KEY_MATERIAL_DOES_NOT_EXPIRE")) {
      throw KmsError.constraint("expirationModel", model,
          "Member must satisfy enum value set: [KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]");
    }
    Instant validTo = call.request.hasNonNull("ValidTo")
        ? Instant.ofEpochMilli((long) (call.request.get("ValidTo").asDouble() * 1000)) : null;
    if (model.equals("KEY_MATERIAL_EXPIRES") && validTo == null) {
      throw KmsError.validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    }
    if (model.equals("KEY_MATERIAL_DOES_NOT_EXPIRE") && validTo != null) {
      throw KmsError.validation("A validTo date must not be set if the ExpirationModel is "
          + "KEY_MATERIAL_DOES_NOT_EXPIRE");
    }
    Instant now = engine.clock.instant();
    if (validTo != null && (!validTo.isAfter(now) || validTo.isAfter(now.plus(MAX_VALID_TO)))) {
      throw KmsError.validation("The validTo date must be in the future and at most 365 days from now.");
    }
    String importType = Json.optionalString(call.request, "ImportType");
    if ("NEW_KEY_MATERIAL".equals(importType)) {
      throw new KmsError("UnsupportedOperationException", "ImportType NEW_KEY_MATERIAL (on-demand rotation of "
          + "imported key material) is not supported by the emulator.");
    }
    KmsKey key = external(call, "ImportKeyMaterial");
    KmsKey.ImportParameters parameters = key.importParameters;
    if (parameters == null || !MessageDigest.isEqual(parameters.token(), token)) {
      throw new KmsError("InvalidImportTokenException", "The import token is invalid or was not issued for "
          + key.arn() + ". Call GetParametersForImport again.");
    }
    if (!parameters.validTo().isAfter(now)) {
      throw new KmsError("ExpiredImportTokenException", "The import token expired at " + parameters.validTo()
          + ". Call GetParametersForImport again.");
    }
    byte[] material = unwrap(parameters, wrapped);
    try {
      KeyMaterial imported = toKeyMaterial(key, material, now);
      KeyMaterial existing = key.shared.current();
      if (existing != null && !Arrays.equals(existing.id(), imported.id())) {
        throw new KmsError("IncorrectKeyMaterialException", "The key material is not the material previously "
            + "imported into " + key.arn() + ". Reimport the same key material.");
      }
      if (existing == null) {
        key.shared.versions.add(imported);
      }
    } finally {
      Arrays.fill(material, (byte) 0);
    }
    key.expirationModel = model;
    key.validTo = validTo;
    key.importParameters = null; // a token is good for one import
    if (key.state == KeyState.PendingImport) {
      key.state = KeyState.Enabled;
    }
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn());
    out.put("KeyMaterialId", key.shared.current().idHex());
    return out;
  }

  private ObjectNode deleteMaterial(Call call) {
    KmsKey key = external(call, "DeleteImportedKeyMaterial");
    KeyMaterial current = key.shared.current();
    removeMaterial(key);
    ObjectNode out = Json.object().put("KeyId", key.arn());
    if (current != null) {
      out.put("KeyMaterialId", current.idHex());
    }
    return out;
  }

  /** Deletes imported material (on request or at expiry): the key is unusable until the same material returns. */
  static void removeMaterial(KmsKey key) {
    key.shared.versions.clear();
    key.validTo = null;
    if (key.state != KeyState.PendingDeletion) {
      key.state = KeyState.PendingImport;
    }
  }

  private static byte[] unwrap(KmsKey.ImportParameters parameters, byte[] wrapped) {
    java.security.PrivateKey privateKey = parameters.wrappingKey().getPrivate();
    try {
      return switch (parameters.wrappingAlgorithm()) {
        case "RSAES_OAEP_SHA_1" -> rsa("RSA/ECB/OAEPPadding", oaep("SHA-1"), privateKey, wrapped);
        case "RSAES_OAEP_SHA_256" -> rsa("RSA/ECB/OAEPPadding", oaep("SHA-256"), privateKey, wrapped);
        default -> {
          // RSA_AES_KEY_WRAP_SHA_*: an ephemeral AES-256 key under RSA-OAEP, then the material under AES-KWP.
          int modulusBytes = ((java.security.interfaces.RSAKey) privateKey).getModulus().bitLength() / 8;
          if (wrapped.length <= modulusBytes) {
            throw KmsError.invalidCiphertext();
          }
          String hash = parameters.wrappingAlgorithm().endsWith("SHA_1") ? "SHA-1" : "SHA-256";
          byte[] aesKey = rsa("RSA/ECB/OAEPPadding", oaep(hash), privateKey,
              Arrays.copyOf(wrapped, modulusBytes));
          Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
          kwp.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
          Arrays.fill(aesKey, (byte) 0);
          yield kwp.doFinal(wrapped, modulusBytes, wrapped.length - modulusBytes);
        }
      };
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw KmsError.invalidCiphertext();
    }
  }

  private static OAEPParameterSpec oaep(String hash) {
    return new OAEPParameterSpec(hash, "MGF1", hash.equals("SHA-1") ? MGF1ParameterSpec.SHA1
        : MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
  }

  private static byte[] rsa(String transformation, OAEPParameterSpec spec, java.security.PrivateKey key,
      byte[] input) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance(transformation);
    c.init(Cipher.DECRYPT_MODE, key, spec);
    return c.doFinal(input);
  }

  /** Validates the unwrapped material against the key spec and gives it its material-derived id. */
  static KeyMaterial toKeyMaterial(KmsKey key, byte[] material, Instant now) {
    byte[] id;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("envelope-kms-imported-material".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      id = sha.digest(material);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    if (key.isSymmetric()) {
      if (material.length != 32) {
        throw new KmsError("IncorrectKeyMaterialException", "Symmetric key material must be 256 bits (32 bytes); "
            + "got " + material.length + " bytes.");
      }
      return new KeyMaterial(id, material.clone(), null, now, null);
    }
    if (key.isHmac()) {
      int bits = Integer.parseInt(key.keySpec.substring(5));
      int min = bits / 8;
      int max = bits <= 256 ? 64 : 128;
      if (material.length < min || material.length > max) {
        throw new KmsError("IncorrectKeyMaterialException", key.keySpec + " key material must be " + min + " to "
            + max + " bytes; got " + material.length + " bytes.");
      }
      return new KeyMaterial(id, material.clone(), null, now, null);
    }
    if (key.keySpec.startsWith("RSA_") && !key.keyUsage.equals("ENCRYPT_DECRYPT")
        && !key.keyUsage.equals("SIGN_VERIFY")) {
      throw new KmsError("UnsupportedOperationException", "Cannot import material for key usage " + key.keyUsage);
    }
    KeyPair pair = Asymmetric.fromPrivateKey(key.keySpec, material);
    return new KeyMaterial(id, null, pair, now, null);
  }
}
