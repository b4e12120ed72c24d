package dev.envelope.s3;

import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.spi.KmsErrors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * The S3EC's {@code kms+context} wrapping: {@code GenerateDataKey} (AES_256) with the caller's context plus the
 * reserved entry {@code aws:x-amz-cek-alg}; on read, the stored context minus the reserved keys must equal the
 * caller's, and {@code Decrypt} gets the stored context and this key id. The SDK v1 {@code kms} wrapping is read
 * with legacy modes only.
 */
public final class KmsS3ecKeyring implements S3ecKeyring {
  /** The context key the S3EC reserves for the content cipher's name. */
  public static final String CEK_ALGORITHM_KEY = "aws:x-amz-cek-alg";
  static final String LEGACY_KEY_ID_KEY = "kms_cmk_id";

  private final KmsClient kms;
  private final String keyId;

  private KmsS3ecKeyring(KmsClient kms, String keyId) {
    this.kms = Objects.requireNonNull(kms, "kms");
    this.keyId = Objects.requireNonNull(keyId, "keyId");
  }

  /** {@code keyId}: a key ARN, key id, alias name or alias ARN, as KMS accepts it. */
  public static KmsS3ecKeyring create(KmsClient kms, String keyId) {
    return new KmsS3ecKeyring(kms, keyId);
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public S3ecDataKey generate(S3ecContentAlgorithm algorithm, Map<String, String> encryptionContext) {
    if (encryptionContext.containsKey(CEK_ALGORITHM_KEY)) {
      throw new PolicyViolationException(CEK_ALGORITHM_KEY + " is a reserved key for the S3 encryption client");
    }
    Map<String, String> context = new HashMap<>(encryptionContext);
    context.put(CEK_ALGORITHM_KEY, algorithm.cekAlgorithm());
    try {
      GenerateDataKeyResponse r = kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)
          .encryptionContext(context));
      byte[] plaintext = r.plaintext().asByteArray();
      try {
        return new S3ecDataKey(plaintext, r.ciphertextBlob().asByteArray(), "kms+context", context,
            r.keyId() == null ? keyId : r.keyId(), 1);
      } finally {
        java.util.Arrays.fill(plaintext, (byte) 0);
      }
    } catch (SdkException e) {
      throw KmsErrors.translate("GenerateDataKey", keyId, e);
    }
  }

  /** One KMS Encrypt of {@code dataKey} under this key, with the context and the content cipher's name. */
  @Override
  public S3ecDataKey wrap(S3ecContentAlgorithm algorithm, byte[] dataKey, Map<String, String> encryptionContext) {
    if (encryptionContext.containsKey(CEK_ALGORITHM_KEY)) {
      throw new PolicyViolationException(CEK_ALGORITHM_KEY + " is a reserved key for the S3 encryption client");
    }
    Map<String, String> context = new HashMap<>(encryptionContext);
    context.put(CEK_ALGORITHM_KEY, algorithm.cekAlgorithm());
    try {
      var r = kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(dataKey)).encryptionContext(context));
      return new S3ecDataKey(dataKey, r.ciphertextBlob().asByteArray(), "kms+context", context,
          r.keyId() == null ? keyId : r.keyId(), 1);
    } catch (SdkException e) {
      throw KmsErrors.translate("Encrypt", keyId, e);
    }
  }

  @Override
  public byte[] unwrap(S3ecContentAlgorithm algorithm, String wrappingAlgorithm, byte[] encryptedKey,
      Map<String, String> description, Map<String, String> requestContext, boolean allowLegacy) {
    if ("kms+context".equals(wrappingAlgorithm)) {
      String stored = description.get(CEK_ALGORITHM_KEY);
      if (!algorithm.cekAlgorithm().equals(stored)) {
        throw new EncryptionContextMismatchException("Stored encryption context names content cipher '" + stored
            + "' but the object uses " + algorithm.cekAlgorithm() + ": the metadata was modified");
      }
      Map<String, String> comparable = new HashMap<>(description);
      comparable.remove(CEK_ALGORITHM_KEY);
      comparable.remove(LEGACY_KEY_ID_KEY);
      if (!comparable.equals(requestContext)) {
        throw new EncryptionContextMismatchException("Provided encryption context does not match information "
            + "retrieved from S3: the object was stored with context keys " + new java.util.TreeSet<>(
            comparable.keySet()) + ", the request gave " + new java.util.TreeSet<>(requestContext.keySet()));
      }
    } else if ("kms".equals(wrappingAlgorithm)) {
      if (!allowLegacy) {
        throw new PolicyViolationException("Object's data key uses the legacy 'kms' wrapping of the SDK v1 "
            + "client; enable legacy modes to read it");
      }
    } else {
      throw new NoKeyringCouldDecryptException(List.of(new NoKeyringCouldDecryptException.Attempt(keyId,
          "KMS keyring cannot unwrap a '" + wrappingAlgorithm + "' data key")));
    }
    try {
      DecryptResponse r = kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(encryptedKey))
          .encryptionContext(description));
      return r.plaintext().asByteArray();
    } catch (SdkException e) {
      throw KmsErrors.translate("Decrypt", keyId, e);
    }
  }

  @Override
  public String toString() {
    return "KmsS3ecKeyring[" + keyId + "]";
  }

  /** True: the KMS encryption context carries the S3EC's pairs and the caller's. */
  @Override
  public boolean bindsContext() {
    return true;
  }

  /** One {@code Decrypt} per unwrap. */
  @Override
  public int kmsCallsPerUnwrap() {
    return 1;
  }
}
