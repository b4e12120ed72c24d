package dev.envelope.core.materials;

/**
 * Assembles the materials for one message: the seam for policy (required context, suite choice) and caching.
 * The {@link DefaultMaterialsManager} asks a keyring on every call; the caching manager asks its delegate once per
 * cache entry.
 *
 * <p>Implementations must be thread-safe: one instance serves every message of an {@code Envelope}.
 */
public interface CryptoMaterialsManager {
  /**
   * Materials to encrypt one message: a data key, at least one encrypted copy of it, and a signing key for signed
   * suites.
   *
   * @throws dev.envelope.core.EnvelopeException when no materials can be made (policy, key access)
   */
  EncryptionMaterials getEncryptionMaterials(EncryptionRequest request);

  /**
   * Materials to decrypt one message: the decrypted data key and, for signed suites, the verification key.
   *
   * @throws dev.envelope.core.NoKeyringCouldDecryptException when no encrypted data key could be decrypted
   * @throws dev.envelope.core.EnvelopeException for policy and context failures
   */
  DecryptionMaterials decryptMaterials(DecryptionRequest request);
}
