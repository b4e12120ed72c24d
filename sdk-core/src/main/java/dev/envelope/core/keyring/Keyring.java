package dev.envelope.core.keyring;

import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.util.List;

/**
 * Generates, wraps and unwraps data keys, with the semantics of the AWS Encryption SDK's keyrings. Raw AES and
 * RSA keyrings hold key material locally; KMS keyrings call a {@code KmsClient}; a {@link MultiKeyring} combines
 * them.
 *
 * <p>Implementations are immutable and thread-safe, and must not log or put in exceptions any plaintext data
 * key or encryption-context value.
 */
public interface Keyring {
  /**
   * Returns materials with the data key wrapped under this keyring's key(s). If the materials have no data key
   * yet, a keyring that can generate one does so first; one that cannot throws.
   *
   * @throws dev.envelope.core.EnvelopeException if the key cannot be used (access denied, no public key, ...)
   */
  EncryptionMaterials onEncrypt(EncryptionMaterials materials);

  /**
   * Returns materials with the data key decrypted from the first of {@code encryptedDataKeys} this keyring can
   * decrypt. Materials that already have a data key are returned unchanged.
   *
   * @throws dev.envelope.core.NoKeyringCouldDecryptException listing each key tried and why it failed
   */
  DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys);
}
