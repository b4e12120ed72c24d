package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom for symmetric keys.
 *
 * <p>Ciphertext blob (our own format; KMS's is opaque too):
 * <pre>
 * 01 | u8 len | account (ASCII) | u8 len | key id (ASCII) | key material id (32) | IV (12) | AES-GCM ciphertext | tag (16)
 * AAD = every byte before the IV || canonical context
 * canonical context = u32 count || sorted by key (UTF-8 bytes) { u32 len | key | u32 len | value }
 * </pre>
 * The length prefixes make {"ab":"c"} and {"a":"bc"} different contexts (LocalStack, moto and local-kms
 * concatenate and confuse them). The key id, not the ARN, is bound, so a multi-Region replica decrypts its
 * primary's ciphertexts; the material id keeps every rotated version decryptable.
 */
final class SymmetricCrypto {
  private static final int VERSION = 1;
  private final KmsEngine engine;
  /** RSA ENCRYPT_DECRYPT keys are served by Encrypt and Decrypt too. */
  AsymmetricCrypto asymmetric;

  SymmetricCrypto(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("Encrypt", this::encrypt);
    ops.put("Decrypt", this::decrypt);
    ops.put("ReEncrypt", this::reEncrypt);
    ops.put("GenerateDataKey", c -> generateDataKey(c, true));
    ops.put("GenerateDataKeyWithoutPlaintext", c -> generateDataKey(c, false));
    ops.put("GenerateRandom", this::generateRandom);
  }

  private KmsKey usableKey(Call call, String keyIdParam, String operation, Map<String, String> context) {
    KmsKey key = engine.resolve(call, keyIdParam, true);
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, context);
    KmsEngine.requireUsable(key);
    if (!key.keyUsage.equals("ENCRYPT_DECRYPT") || !key.isSymmetric()) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for " + operation + ".");
    }
    return key;
  }

  /** The key named by {@code keyId} if it is an RSA ENCRYPT_DECRYPT key (authorized and usable), else null. */
  private KmsKey rsaKey(Call call, String keyId, String operation) {
    KmsKey key = engine.resolve(call, keyId, true);
    if (key.isSymmetric() || !key.keyUsage.equals("ENCRYPT_DECRYPT")) {
      call.resourceArns.remove(call.resourceArns.size() - 1);
      return null;
    }
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, Map.of());
    KmsEngine.requireUsable(key);
    return key;
  }

  private static void checkAlgorithm(Call call, String member) {
    String algorithm = Json.optionalString(call.request, member);
    if (algorithm != null && !algorithm.equals("SYMMETRIC_DEFAULT")) {
      throw new KmsError("InvalidKeyUsageException", "Algorithm " + algorithm + " is not valid for a symmetric key.");
    }
  }

  private static void dryRun(Call call) {
    if (Json.bool(call.request, "DryRun")) {
      throw new KmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
    }
  }

  private static Map<String, String> context(Call call, String member, String trailName) {
    Map<String, String> context = Json.stringMap(call.request, member);
    if (!context.isEmpty()) {
      call.requestParameters.set(trailName, Json.objectOf(context));
    }
    return context;
  }

  private ObjectNode encrypt(Call call) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId).put("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
    byte[] plaintext = Json.blob(call.request, "Plaintext", true, 1, 4096);
    Map<String, String> context = context(call, "EncryptionContext", "encryptionContext");
    KmsKey rsa = rsaKey(call, keyId, "Encrypt");
    if (rsa != null) {
      dryRun(call);
      return asymmetric.rsaEncrypt(call, rsa, plaintext);
    }
    KmsKey key = usableKey(call, keyId, "Encrypt", context);
    checkAlgorithm(call, "EncryptionAlgorithm");
    dryRun(call);
    ObjectNode out = Json.object();
    Json.putBlob(out, "CiphertextBlob", seal(key, plaintext, context));
    out.put("KeyId", key.arn()).put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return out;
  }

  private ObjectNode generateDataKey(Call call, boolean withPlaintext) {
    String keyId = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", keyId);
    Integer numberOfBytes = Json.optionalInt(call.request, "NumberOfBytes", 1, 1024);
    String keySpec = Json.optionalString(call.request, "KeySpec");
    if ((numberOfBytes == null) == (keySpec == null)) {
      throw KmsError.validation("Please specify either number of bytes or key spec.");
    }
    int length;
    if (keySpec != null) {
      length = switch (keySpec) {
        case "AES_256" -> 32;
        case "AES_128" -> 16;
        default -> throw KmsError.constraint("keySpec", keySpec, "Member must satisfy enum value set: [AES_256, "
            + "AES_128]");
      };
      call.requestParameters.put("keySpec", keySpec);
    } else {
      length = numberOfBytes;
      call.requestParameters.put("numberOfBytes", length);
    }
    Map<String, String> context = context(call, "EncryptionContext", "encryptionContext");
    KmsKey key = usableKey(call, keyId,
        withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext", context);
    dryRun(call);
    byte[] dataKey = engine.randomBytes(length);
    ObjectNode out = Json.object();
    Json.putBlob(out, "CiphertextBlob", seal(key, dataKey, context));
    if (withPlaintext) {
      Json.putBlob(out, "Plaintext", dataKey);
    }
    Arrays.fill(dataKey, (byte) 0);
    out.put("KeyId", key.arn());
    out.put("KeyMaterialId", key.shared.current().idHex());
    return out;
  }

  private ObjectNode decrypt(Call call) {
    byte[] blob = Json.blob(call.request, "CiphertextBlob", false, 1, 6144);
    String keyIdParam = Json.optionalString(call.request, "KeyId");
    call.requestParameters.put("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
    if (keyIdParam != null) {
      call.requestParameters.put("keyId", keyIdParam);
    }
    Map<String, String> context = context(call, "EncryptionContext", "encryptionContext");
    KmsKey rsa = keyIdParam == null ? null : rsaKey(call, keyIdParam, "Decrypt");
    if (rsa != null) {
      dryRun(call);
      return asymmetric.rsaDecrypt(call, rsa, blob);
    }
    Opened opened = open(call, blob, keyIdParam, context, "Decrypt");
    checkAlgorithm(call, "EncryptionAlgorithm");
    dryRun(call);
    ObjectNode out = Json.object();
    out.put("KeyId", opened.key.arn());
    Json.putBlob(out, "Plaintext", opened.plaintext);
    Arrays.fill(opened.plaintext, (byte) 0);
    out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    out.put("KeyMaterialId", opened.material.idHex());
    return out;
  }

  private ObjectNode reEncrypt(Call call) {
    byte[] blob = Json.blob(call.request, "CiphertextBlob", false, 1, 6144);
    String sourceKeyId = Json.optionalString(call.request, "SourceKeyId");
    String destinationKeyId = Json.string(call.request, "DestinationKeyId");
    call.requestParameters.put("destinationKeyId", destinationKeyId);
    if (sourceKeyId != null) {
      call.requestParameters.put("sourceKeyId", sourceKeyId);
    }
    Map<String, String> sourceContext = context(call, "SourceEncryptionContext", "sourceEncryptionContext");
    Map<String, String> destinationContext = context(call, "DestinationEncryptionContext",
        "destinationEncryptionContext");
    Opened opened = open(call, blob, sourceKeyId, sourceContext, "ReEncryptFrom");
    try {
      KmsKey destination = usableKey(call, destinationKeyId, "ReEncryptTo", destinationContext);
      checkAlgorithm(call, "SourceEncryptionAlgorithm");
      checkAlgorithm(call, "DestinationEncryptionAlgorithm");
      dryRun(call);
      ObjectNode out = Json.object();
      Json.putBlob(out, "CiphertextBlob", seal(destination, opened.plaintext, destinationContext));
      out.put("SourceKeyId", opened.key.arn());
      out.put("KeyId", destination.arn());
      out.put("SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      out.put("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      return out;
    } finally {
      Arrays.fill(opened.plaintext, (byte) 0);
    }
  }

  private ObjectNode generateRandom(Call call) {
    Integer n = Json.optionalInt(call.request, "NumberOfBytes", 1, 1024);
    if (n == null) {
      throw KmsError.validation("NumberOfBytes is required.");
    }
    call.requestParameters.put("numberOfBytes", n);
    engine.authorizeIdentity(call, "GenerateRandom");
    ObjectNode out = Json.object();
    Json.putBlob(out, "Plaintext", engine.randomBytes(n));
    return out;
  }

  // ---- the ciphertext format ----------------------------------------------------------------------------------

  private record Opened(KmsKey key, KeyMaterial material, byte[] plaintext) {}

  byte[] seal(KmsKey key, byte[] plaintext, Map<String, String> context) {
    KeyMaterial material = key.shared.current();
    byte[] header = header(key.accountId, key.keyId, material.id());
    byte[] iv = engine.randomBytes(12);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material.secret(), "AES"), new GCMParameterSpec(128, iv));
      cipher.updateAAD(header);
      cipher.updateAAD(canonical(context));
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(header.length + iv.length + sealed.length).put(header).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new KmsError("KMSInternalException", "AES-GCM failed: " + e.getMessage(), 500);
    }
  }

  private Opened open(Call call, byte[] blob, String keyIdParam, Map<String, String> context, String operation) {
    ByteBuffer b = ByteBuffer.wrap(blob);
    String account;
    String keyId;
    byte[] materialId = new byte[32];
    try {
      if (b.get() != VERSION) {
        throw KmsError.invalidCiphertext();
      }
      account = ascii(b, b.get() & 0xFF);
      keyId = ascii(b, b.get() & 0xFF);
      b.get(materialId);
      if (b.remaining() < 12 + 16) {
        throw KmsError.invalidCiphertext();
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw KmsError.invalidCiphertext();
    }
    int headerLength = b.position();
    KmsKey key = engine.keyById(call.region, account, keyId);
    if (keyIdParam != null) {
      KmsKey named = engine.resolve(call, keyIdParam, true);
      if (key == null || named != key) {
        throw new KmsError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can "
            + "perform this operation.");
      }
    }
    if (key == null) {
      throw KmsError.accessDenied("The ciphertext refers to a customer master key that does not exist, does not "
          + "exist in this region, or you are not allowed to access.");
    }
    if (keyIdParam == null) {
      call.resourceArns.add(key.arn());
    }
    Grants.checkTokens(engine, call);
    engine.authorize(call, key, operation, context);
    KmsEngine.requireUsable(key);
    if (!key.isSymmetric() || !key.keyUsage.equals("ENCRYPT_DECRYPT")) {
      throw new KmsError("InvalidKeyUsageException", key.arn() + " key usage is " + key.keyUsage
          + " which is not valid for " + operation + ".");
    }
    KeyMaterial material = key.shared.find(materialId);
    if (material == null) {
      throw KmsError.invalidCiphertext();
    }
    if (blob.length < headerLength + 12 + 16) {
      throw KmsError.invalidCiphertext(); // and the JDK's GCM would throw a ProviderException, not a tag failure
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(material.secret(), "AES"),
          new GCMParameterSpec(128, blob, headerLength, 12));
      cipher.updateAAD(blob, 0, headerLength);
      cipher.updateAAD(canonical(context));
      byte[] plaintext = cipher.doFinal(blob, headerLength + 12, blob.length - headerLength - 12);
      return new Opened(key, material, plaintext);
    } catch (GeneralSecurityException e) {
      throw KmsError.invalidCiphertext();
    }
  }

  private static String ascii(ByteBuffer b, int length) {
    if (length == 0 || length > b.remaining()) {
      throw KmsError.invalidCiphertext();
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static byte[] header(String account, String keyId, byte[] materialId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    out.write(VERSION);
    byte[] a = account.getBytes(StandardCharsets.US_ASCII);
    out.write(a.length);
    out.writeBytes(a);
    byte[] k = keyId.getBytes(StandardCharsets.US_ASCII);
    out.write(k.length);
    out.writeBytes(k);
    out.writeBytes(materialId);
    return out.toByteArray();
  }

  /** Length-prefixed, sorted: an unambiguous encoding of the encryption context. */
  static byte[] canonical(Map<String, String> context) {
    List<byte[][]> pairs = new ArrayList<>();
    context.forEach((k, v) -> pairs.add(new byte[][] {k.getBytes(StandardCharsets.UTF_8),
        v.getBytes(StandardCharsets.UTF_8)}));
    pairs.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeInt(out, pairs.size());
    for (byte[][] p : pairs) {
      writeInt(out, p[0].length);
      out.writeBytes(p[0]);
      writeInt(out, p[1].length);
      out.writeBytes(p[1]);
    }
    return out.toByteArray();
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
