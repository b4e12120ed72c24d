package dev.envelope.core;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Test keyring that counts calls to its delegate and remembers every data key it produced. */
public final class CountingKeyring implements Keyring {
  private final Keyring delegate;
  private final AtomicInteger encryptCalls = new AtomicInteger();
  private final AtomicInteger decryptCalls = new AtomicInteger();
  private final List<byte[]> dataKeys = new ArrayList<>();

  public CountingKeyring(Keyring delegate) {
    this.delegate = delegate;
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    encryptCalls.incrementAndGet();
    EncryptionMaterials result = delegate.onEncrypt(materials);
    synchronized (dataKeys) {
      dataKeys.add(result.dataKey().orElseThrow().toByteArray());
    }
    return result;
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
    decryptCalls.incrementAndGet();
    return delegate.onDecrypt(materials, edks);
  }

  public int encryptCalls() {
    return encryptCalls.get();
  }

  public int decryptCalls() {
    return decryptCalls.get();
  }

  public List<byte[]> dataKeys() {
    synchronized (dataKeys) {
      return List.copyOf(dataKeys);
    }
  }
}
