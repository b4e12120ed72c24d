package dev.envelope.s3;

import java.util.Map;

/**
 * Wraps and unwraps the data keys of the S3 Encryption Client formats (V1, V2, V3), whose key wrapping differs
 * from the AWS Encryption SDK's: KMS with the context entry {@code aws:x-amz-cek-alg}, AES-GCM with the content
 * cipher's name as AAD, RSA-OAEP over a "pseudo data key". Implementations: {@link KmsS3ecKeyring},
 * {@link AesS3ecKeyring}, {@link RsaS3ecKeyring}. Immutable and thread-safe; never logs or throws key material.
 */
public interface S3ecKeyring {
  /** Generates a 256-bit data key for {@code algorithm} and wraps it, binding {@code encryptionContext} if it can. */
  S3ecDataKey generate(S3ecContentAlgorithm algorithm, Map<String, String> encryptionContext);

  /**
   * Wraps an existing data key, for re-wrapping an object's key under another wrapping key without touching its
   * content (what the S3 Encryption Client calls re-encrypting an instruction file). Keyrings that cannot throw
   * {@link UnsupportedOperationException}, which this default does.
   */
  default S3ecDataKey wrap(S3ecContentAlgorithm algorithm, byte[] dataKey, Map<String, String> encryptionContext) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot wrap an existing data key");
  }

  /**
   * Unwraps {@code encryptedKey}. {@code requestContext} is what the reader expects: KMS keyrings require the
   * stored context, minus the S3EC's reserved keys, to equal it.
   *
   * @throws dev.envelope.core.NoKeyringCouldDecryptException if this keyring cannot unwrap it
   */
  byte[] unwrap(S3ecContentAlgorithm algorithm, String wrappingAlgorithm, byte[] encryptedKey,
      Map<String, String> description, Map<String, String> requestContext, boolean allowLegacy);

  /** The wrapping key's id, for errors and audit. */
  String keyId();

  /**
   * Whether the wrapping binds an encryption context (KMS does; raw AES and RSA wrapping do not, so a context
   * given for them is refused rather than silently dropped). False by default.
   */
  default boolean bindsContext() {
    return false;
  }

  /** KMS requests one {@link #unwrap} makes, for the audit event's count. 0 by default (local keys). */
  default int kmsCallsPerUnwrap() {
    return 0;
  }
}
