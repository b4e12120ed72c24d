package dev.envelope.core;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.util.List;

/** Test keyring that "decrypts" to a data key it was given: for vectors that publish their data key. */
final class StaticKeyring implements Keyring {
  private final byte[] dataKey;

  StaticKeyring(byte[] dataKey) {
    this.dataKey = dataKey.clone();
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    throw new UnsupportedOperationException("decrypt only");
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
    return materials.toBuilder().dataKey(DataKey.copyOf(dataKey), "static").build();
  }
}
