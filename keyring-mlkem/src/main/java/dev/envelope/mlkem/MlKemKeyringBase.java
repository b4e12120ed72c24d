package dev.envelope.mlkem;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.AEADBadTagException;

/** What both ML-KEM keyrings do around their encapsulation and decapsulation ({@link MlKemWrapping}). */
abstract class MlKemKeyringBase implements Keyring {
  private final String providerId;
  private final byte[] label;
  private final byte[] keyName;
  private final MlKemParameterSet set;
  private final String keyId;

  MlKemKeyringBase(String providerId, String label, String keyName, MlKemParameterSet set, String keyId) {
    this.providerId = providerId;
    this.label = label.getBytes(StandardCharsets.US_ASCII);
    this.keyName = keyName.getBytes(StandardCharsets.UTF_8);
    this.set = set;
    this.keyId = keyId;
  }

  /** A fresh shared secret and its ciphertext. */
  abstract MlKem.Encapsulated encapsulate();

  /** KMS calls one {@link #encapsulate} makes (0 when local). */
  abstract int encapsulateKmsCalls();

  /** The shared secret of {@code kemCiphertext}; KMS calls are counted by the caller. */
  abstract byte[] decapsulate(byte[] kemCiphertext);

  /** KMS calls one {@link #decapsulate} makes. */
  abstract int decapsulateKmsCalls();

  /** Whether this keyring can encapsulate; the reason it cannot otherwise. */
  abstract String cannotEncapsulate();

  MlKemParameterSet parameterSet() {
    return set;
  }

  @Override
  public final EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    String reason = cannotEncapsulate();
    if (reason != null) {
      throw new EnvelopeException(this + " cannot encrypt: " + reason);
    }
    MlKem.Encapsulated encapsulated = encapsulate(); // first, so that a failure leaves the materials as they were
    EncryptionMaterials.Builder out = materials.toBuilder().addKmsCalls(encapsulateKmsCalls());
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] plaintextKey = dataKey.toByteArray();
    byte[] wrappingKey = null;
    try {
      byte[] salt = SecureRandoms.bytes(MlKemWrapping.SALT_LENGTH);
      byte[] fixedInfo = MlKemWrapping.fixedInfo(label, set, keyName, materials.encryptionContext());
      wrappingKey = MlKemWrapping.wrappingKey(encapsulated.sharedSecret(), fixedInfo, salt);
      byte[] ciphertext = MlKemWrapping.seal(encapsulated.ciphertext(), salt, wrappingKey, fixedInfo, plaintextKey);
      return out.addEncryptedDataKey(EncryptedDataKey.of(providerId, MlKemWrapping.providerInfo(keyName),
          ciphertext), keyId).build();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException(this + " cannot wrap the data key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(plaintextKey, (byte) 0);
      Arrays.fill(encapsulated.sharedSecret(), (byte) 0);
      if (wrappingKey != null) {
        Arrays.fill(wrappingKey, (byte) 0);
      }
    }
  }

  @Override
  public final DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    int calls = 0;
    int expected = set.ciphertextLength() + MlKemWrapping.SALT_LENGTH + materials.suite().dataKeyLength()
        + MlKemWrapping.TAG_LENGTH;
    for (EncryptedDataKey edk : edks) {
      if (!edk.providerId().equals(providerId)) {
        others.add(edk.providerId());
        continue;
      }
      byte[] name = MlKemWrapping.keyName(edk.providerInfo());
      if (name == null || !Arrays.equals(name, keyName)) {
        others.add(providerId + (name == null ? " (provider info not of version 1)"
            : " (key " + new String(name, StandardCharsets.UTF_8) + ")"));
        continue;
      }
      byte[] ciphertext = edk.ciphertext();
      if (ciphertext.length != expected) {
        attempts.add(new Attempt(keyId, "the wrapped data key is " + ciphertext.length + " bytes; "
            + set.standardName() + " with " + materials.suite() + " wraps " + expected));
        continue;
      }
      byte[] secret = null;
      byte[] wrappingKey = null;
      try {
        calls += decapsulateKmsCalls();
        secret = decapsulate(Arrays.copyOf(ciphertext, set.ciphertextLength()));
        byte[] fixedInfo = MlKemWrapping.fixedInfo(label, set, keyName, materials.encryptionContext());
        wrappingKey = MlKemWrapping.wrappingKey(secret, fixedInfo, Arrays.copyOfRange(ciphertext,
            set.ciphertextLength(), set.ciphertextLength() + MlKemWrapping.SALT_LENGTH));
        byte[] key = MlKemWrapping.open(ciphertext, set.ciphertextLength() + MlKemWrapping.SALT_LENGTH, wrappingKey,
            fixedInfo);
        return materials.toBuilder().dataKey(DataKey.wrap(key), keyId).addKmsCalls(calls).build();
      } catch (AEADBadTagException e) {
        // ML-KEM rejects implicitly: a changed KEM ciphertext gives another secret, which fails here like any
        // other change (salt, wrapped key, tag, encryption context).
        attempts.add(new Attempt(keyId, "ML-KEM unwrap failed: the encrypted data key was changed, or the "
            + "message's encryption context differs from the one it was wrapped with"));
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(keyId, "ML-KEM unwrap failed: " + e.getMessage()));
      } catch (EnvelopeException e) {
        attempts.add(new Attempt(keyId, e.getMessage()));
      } finally {
        if (secret != null) {
          Arrays.fill(secret, (byte) 0);
        }
        if (wrappingKey != null) {
          Arrays.fill(wrappingKey, (byte) 0);
        }
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyId, "the message has no data key wrapped for this ML-KEM key (it has " + others
          + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts, null, calls);
  }
}
