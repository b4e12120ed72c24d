package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Cipher;

/**
 * Wraps data keys with a local RSA key pair, compatible with the AWS Encryption SDK's raw RSA keyring:
 * providerId = key namespace, providerInfo = key name (UTF-8), ciphertext = RSA(dataKey). RSA-wrapped keys are
 * not bound to the encryption context (the message header is).
 *
 * <p>With only a public key the keyring encrypts; with only a private key it decrypts. PKCS #1 v1.5 is accepted
 * for decrypting old messages but refused for new ones. Its decryption uses implicit rejection (a malformed
 * ciphertext yields a pseudo-random key, which then fails the key commitment or header tag like any wrong key), so
 * the keyring is no padding oracle; even so, PKCS #1 v1.5 must never face messages from untrusted senders, and
 * old messages should be re-encrypted under OAEP. Immutable and thread-safe.
 */
public final class RawRsaKeyring implements Keyring {
  private final String keyNamespace;
  private final String keyName;
  private final byte[] keyNameBytes;
  private final PublicKey publicKey;
  private final PrivateKey privateKey;
  private final RsaPadding padding;
  private final String keyId;
  private final Pkcs1ImplicitRejection pkcs1;

  private RawRsaKeyring(Builder b) {
    this.keyNamespace = b.keyNamespace;
    this.keyName = b.keyName;
    this.keyNameBytes = b.keyName.getBytes(StandardCharsets.UTF_8);
    this.publicKey = b.publicKey;
    this.privateKey = b.privateKey;
    this.padding = b.padding;
    this.keyId = keyNamespace + "/" + keyName;
    this.pkcs1 = padding == RsaPadding.PKCS1 && privateKey != null ? new Pkcs1ImplicitRejection(privateKey) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String keyId() {
    return keyId;
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    if (publicKey == null) {
      throw new EnvelopeException("Raw RSA keyring " + keyId + " has no public key and cannot encrypt");
    }
    if (padding == RsaPadding.PKCS1) {
      throw new PolicyViolationException("Raw RSA keyring " + keyId + ": PKCS #1 v1.5 padding is accepted for "
          + "decrypting old messages only; encrypt with an OAEP padding");
    }
    EncryptionMaterials.Builder out = materials.toBuilder();
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] plaintextKey = dataKey.toByteArray();
    try {
      Cipher cipher = Cipher.getInstance(padding.transformation());
      cipher.init(Cipher.ENCRYPT_MODE, publicKey, padding.parameters(), SecureRandoms.get());
      byte[] wrapped = cipher.doFinal(plaintextKey);
      return out.addEncryptedDataKey(EncryptedDataKey.of(keyNamespace, keyNameBytes, wrapped), keyId).build();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Raw RSA keyring " + keyId + " cannot wrap the data key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(plaintextKey, (byte) 0);
    }
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    if (privateKey == null) {
      throw new NoKeyringCouldDecryptException(List.of(new Attempt(keyId, "keyring has no private key")));
    }
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    for (EncryptedDataKey edk : encryptedDataKeys) {
      if (!edk.providerId().equals(keyNamespace) || !Arrays.equals(edk.providerInfo(), keyNameBytes)) {
        others.add(edk.providerId());
        continue;
      }
      if (pkcs1 != null) {
        // Implicit rejection: a key comes back whatever the ciphertext; a wrong one fails at the commitment or
        // header tag like any wrong key, so padding and length failures are never told apart.
        return materials.toBuilder().dataKey(DataKey.wrap(pkcs1.decrypt(edk.ciphertext(),
            materials.suite().dataKeyLength())), keyId).build();
      }
      try {
        Cipher cipher = Cipher.getInstance(padding.transformation());
        cipher.init(Cipher.DECRYPT_MODE, privateKey, padding.parameters());
        byte[] plaintextKey = cipher.doFinal(edk.ciphertext());
        if (plaintextKey.length != materials.suite().dataKeyLength()) {
          Arrays.fill(plaintextKey, (byte) 0);
          attempts.add(new Attempt(keyId, "unwrapped key has the wrong length for " + materials.suite()));
          continue;
        }
        return materials.toBuilder().dataKey(DataKey.wrap(plaintextKey), keyId).build();
      } catch (GeneralSecurityException e) {
        // Deliberately vague: padding-oracle details must not leak.
        attempts.add(new Attempt(keyId, "RSA unwrap failed (wrong key or padding " + padding + ")"));
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyId, "the message has no data key wrapped by this key (it has keys from "
          + others + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts);
  }

  @Override
  public String toString() {
    return "RawRsaKeyring[" + keyId + ", " + padding + (publicKey != null ? ", encrypt" : "")
        + (privateKey != null ? ", decrypt" : "") + "]";
  }

  /** Builder: namespace, name, padding and at least one of the two keys. */
  public static final class Builder {
    private String keyNamespace;
    private String keyName;
    private PublicKey publicKey;
    private PrivateKey privateKey;
    private RsaPadding padding;

    private Builder() {}

    /** The provider id written in the message. Required. */
    public Builder keyNamespace(String keyNamespace) {
      this.keyNamespace = keyNamespace;
      return this;
    }

    /** The key name written in the message. Required. */
    public Builder keyName(String keyName) {
      this.keyName = keyName;
      return this;
    }

    /** The key that wraps. Required to encrypt; a decrypt-only keyring may omit it. */
    public Builder publicKey(PublicKey publicKey) {
      this.publicKey = publicKey;
      return this;
    }

    /** The key that unwraps. Required to decrypt; an encrypt-only keyring may omit it. */
    public Builder privateKey(PrivateKey privateKey) {
      this.privateKey = privateKey;
      return this;
    }

    /** The RSA padding, as the peer uses it. Required (no default: a wrong guess fails every message). */
    public Builder padding(RsaPadding padding) {
      this.padding = padding;
      return this;
    }

    public RawRsaKeyring build() {
      Objects.requireNonNull(keyNamespace, "keyNamespace");
      Objects.requireNonNull(keyName, "keyName");
      Objects.requireNonNull(padding, "padding");
      if (keyNamespace.startsWith("aws-kms")) {
        throw new IllegalArgumentException("keyNamespace must not start with 'aws-kms' (reserved for KMS keyrings)");
      }
      if (publicKey == null && privateKey == null) {
        throw new IllegalArgumentException("publicKey or privateKey is required");
      }
      for (Object key : new Object[] {publicKey, privateKey}) {
        if (key != null && !(key instanceof RSAKey)) {
          throw new IllegalArgumentException("not an RSA key: " + key.getClass().getName());
        }
      }
      return new RawRsaKeyring(this);
    }
  }
}
