package dev.envelope.core.materials;

import dev.envelope.core.EncryptionContextMismatchException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes some encryption-context keys required (ESDK spec, required-encryption-context-cmm.md): encrypt fails
 * without them, and they are authenticated but not stored in the message, so decrypt must be given them again as
 * the expected context. Useful when the context holds values that should not travel with the data (a tenant id
 * the reader knows anyway).
 *
 * <p>Immutable and thread-safe if the delegate is.
 */
public final class RequiredEncryptionContextMaterialsManager implements CryptoMaterialsManager {
  private final CryptoMaterialsManager delegate;
  private final Set<String> requiredKeys;

  private RequiredEncryptionContextMaterialsManager(CryptoMaterialsManager delegate, Set<String> requiredKeys) {
    this.delegate = delegate;
    this.requiredKeys = requiredKeys;
  }

  public static RequiredEncryptionContextMaterialsManager create(CryptoMaterialsManager delegate,
      Set<String> requiredKeys) {
    Objects.requireNonNull(delegate, "delegate");
    if (requiredKeys.isEmpty()) {
      throw new IllegalArgumentException("requiredKeys is empty");
    }
    return new RequiredEncryptionContextMaterialsManager(delegate, Set.copyOf(requiredKeys));
  }

  @Override
  public EncryptionMaterials getEncryptionMaterials(EncryptionRequest request) {
    Set<String> missing = new TreeSet<>(requiredKeys);
    missing.removeAll(request.encryptionContext().keySet());
    if (!missing.isEmpty()) {
      throw new EncryptionContextMismatchException("Encryption context lacks the required keys " + missing);
    }
    Set<String> all = new HashSet<>(request.requiredContextKeys());
    all.addAll(requiredKeys);
    EncryptionMaterials materials = delegate.getEncryptionMaterials(request.toBuilder()
        .requiredContextKeys(all).build());
    if (!materials.requiredContextKeys().containsAll(requiredKeys)) {
      throw new EncryptionContextMismatchException("Delegate materials manager dropped required context keys");
    }
    return materials;
  }

  @Override
  public DecryptionMaterials decryptMaterials(DecryptionRequest request) {
    Set<String> missing = new TreeSet<>(requiredKeys);
    missing.removeAll(request.reproducedContext().keySet());
    if (!missing.isEmpty()) {
      throw new EncryptionContextMismatchException("Expected encryption context lacks the required keys "
          + missing + ": pass them to decrypt");
    }
    return delegate.decryptMaterials(request);
  }
}
