package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A generator keyring plus child keyrings (ESDK spec, multi-keyring.md). On encrypt the generator makes the data
 * key and every keyring wraps it, so any one of them can decrypt the message; any failure fails the encrypt. On
 * decrypt the generator and then each child are tried in order until one decrypts; every failure is collected
 * into the final error. Immutable and thread-safe if its keyrings are.
 */
public final class MultiKeyring implements Keyring {
  private final Keyring generator;
  private final List<Keyring> children;

  private MultiKeyring(Keyring generator, List<Keyring> children) {
    this.generator = generator;
    this.children = children;
  }

  /** A multi-keyring whose {@code generator} makes the data key, wrapped also by each of {@code children}. */
  public static MultiKeyring create(Keyring generator, List<? extends Keyring> children) {
    List<Keyring> copy = List.copyOf(children);
    if (generator == null && copy.isEmpty()) {
      throw new IllegalArgumentException("a generator or at least one child keyring is required");
    }
    return new MultiKeyring(generator, copy);
  }

  /** A multi-keyring without generator: encryption needs materials that already hold a data key. */
  public static MultiKeyring ofChildren(List<? extends Keyring> children) {
    return create(null, children);
  }

  /**
   * The generator (if any), then the children, in the order they wrap: for formats that give each keyring a key of
   * its own to wrap (the AWS Database Encryption SDK's intermediate key wrapping).
   */
  public List<Keyring> keyrings() {
    List<Keyring> all = new ArrayList<>();
    if (generator != null) {
      all.add(generator);
    }
    all.addAll(children);
    return List.copyOf(all);
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    EncryptionMaterials current = materials;
    if (generator != null) {
      if (materials.dataKey().isPresent()) {
        throw new EnvelopeException("Multi-keyring with a generator was given materials that already hold a "
            + "data key");
      }
      current = generator.onEncrypt(current);
      if (current.dataKey().isEmpty()) {
        throw new EnvelopeException("Generator keyring " + generator + " produced no data key");
      }
    } else if (materials.dataKey().isEmpty()) {
      throw new EnvelopeException("Multi-keyring has no generator and the materials have no data key");
    }
    for (Keyring child : children) {
      current = child.onEncrypt(current);
    }
    return current;
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    List<Attempt> attempts = new ArrayList<>();
    List<Keyring> all = new ArrayList<>();
    if (generator != null) {
      all.add(generator);
    }
    all.addAll(children);
    EnvelopeException last = null;
    int failedKmsCalls = 0;
    int failedStoreCalls = 0;
    for (Keyring keyring : all) {
      try {
        DecryptionMaterials result = keyring.onDecrypt(materials, encryptedDataKeys);
        if (result.dataKey().isPresent()) {
          return failedKmsCalls == 0 && failedStoreCalls == 0 ? result
              : result.toBuilder().addKmsCalls(failedKmsCalls).addKeyStoreCalls(failedStoreCalls).build();
        }
      } catch (NoKeyringCouldDecryptException e) {
        attempts.addAll(e.attempts());
        failedKmsCalls += e.kmsCalls();
        failedStoreCalls += e.keyStoreCalls();
        last = e;
      } catch (EnvelopeException e) {
        attempts.add(new Attempt(keyring.toString(), e.getMessage()));
        last = e;
      }
    }
    throw new NoKeyringCouldDecryptException(attempts, last, failedKmsCalls, failedStoreCalls);
  }

  @Override
  public String toString() {
    return "MultiKeyring[generator=" + generator + ", children=" + children + "]";
  }
}
