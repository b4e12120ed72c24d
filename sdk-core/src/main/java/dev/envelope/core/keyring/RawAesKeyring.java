package dev.envelope.core.keyring;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Wraps data keys with a local AES key (128, 192 or 256 bits) in AES-GCM, compatible with the AWS Encryption
 * SDK's raw AES keyring (and 1.x/2.x {@code JceMasterKey}):
 * <pre>
 * providerId   = key namespace
 * providerInfo = keyName (UTF-8) | tagLengthBits u32 (128) | ivLength u32 (12) | IV (12)
 * ciphertext   = AES-GCM(dataKey) | tag (16), AAD = serialized encryption context of the materials
 * </pre>
 * The wrapped key is bound to the encryption context. Immutable and thread-safe.
 */
public final class RawAesKeyring implements Keyring {
  private static final int TAG_BITS = 128;
  private static final int IV_LENGTH = 12;

  private final String keyNamespace;
  private final String keyName;
  private final byte[] keyNameBytes;
  private final SecretKey wrappingKey;
  private final String keyId;
  private final int bits;

  private RawAesKeyring(Builder b) {
    this.keyNamespace = b.keyNamespace;
    this.keyName = b.keyName;
    this.keyNameBytes = b.keyName.getBytes(StandardCharsets.UTF_8);
    this.wrappingKey = new SecretKeySpec(b.wrappingKey, "AES");
    this.keyId = keyNamespace + "/" + keyName;
    this.bits = b.wrappingKey.length * 8;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The key id used in audit events and errors: {@code namespace/name}. */
  public String keyId() {
    return keyId;
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    EncryptionMaterials.Builder out = materials.toBuilder();
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] iv = SecureRandoms.bytes(IV_LENGTH);
    byte[] plaintextKey = dataKey.toByteArray();
    try {
      Cipher cipher = JcaPerThread.wrappingGcm();
      cipher.init(Cipher.ENCRYPT_MODE, wrappingKey, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(EncryptionContextCodec.serialize(materials.encryptionContext()));
      byte[] wrapped = cipher.doFinal(plaintextKey);
      byte[] info = new ByteWriter(keyNameBytes.length + 8 + IV_LENGTH)
          .bytes(keyNameBytes).u32(TAG_BITS).u32(IV_LENGTH).bytes(iv).toByteArray();
      return out.addEncryptedDataKey(EncryptedDataKey.of(keyNamespace, info, wrapped), keyId).build();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Raw AES keyring " + keyId + " cannot wrap the data key: " + e.getMessage(), e);
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
    AlgorithmSuite suite = materials.suite();
    byte[] aad = EncryptionContextCodec.serialize(materials.encryptionContext());
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    for (EncryptedDataKey edk : encryptedDataKeys) {
      byte[] info = edk.providerInfo();
      if (!edk.providerId().equals(keyNamespace) || !isOurs(info)) {
        others.add(edk.providerId());
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(info, keyNameBytes.length, 8 + IV_LENGTH);
      int tagBits = b.getInt();
      int ivLength = b.getInt();
      if (tagBits != TAG_BITS || ivLength != IV_LENGTH) {
        attempts.add(new Attempt(keyId, "unsupported tag length " + tagBits + " or IV length " + ivLength));
        continue;
      }
      byte[] ciphertext = edk.ciphertext();
      if (ciphertext.length < TAG_BITS / 8) {
        // The JDK's AES-GCM throws a ProviderException, not a tag failure, for input shorter than the tag.
        attempts.add(new Attempt(keyId, "wrapped data key of " + ciphertext.length + " bytes is shorter than its "
            + "tag"));
        continue;
      }
      try {
        Cipher cipher = JcaPerThread.wrappingGcm();
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey,
            new GCMParameterSpec(TAG_BITS, info, keyNameBytes.length + 8, IV_LENGTH));
        cipher.updateAAD(aad);
        byte[] plaintextKey = cipher.doFinal(ciphertext);
        if (plaintextKey.length != suite.dataKeyLength()) {
          Arrays.fill(plaintextKey, (byte) 0);
          attempts.add(new Attempt(keyId, "unwrapped key is " + plaintextKey.length + " bytes, " + suite
              + " needs " + suite.dataKeyLength()));
          continue;
        }
        return materials.toBuilder().dataKey(DataKey.wrap(plaintextKey), keyId).build();
      } catch (AEADBadTagException e) {
        attempts.add(new Attempt(keyId, "AES-GCM unwrap failed: wrong wrapping key, or a different encryption "
            + "context than the data key was wrapped with"));
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(keyId, "AES-GCM unwrap failed: " + e.getMessage()));
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyId, "the message has no data key wrapped by this key (it has keys from "
          + others + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts);
  }

  private boolean isOurs(byte[] info) {
    return info.length == keyNameBytes.length + 8 + IV_LENGTH
        && Arrays.equals(info, 0, keyNameBytes.length, keyNameBytes, 0, keyNameBytes.length);
  }

  @Override
  public String toString() {
    return "RawAesKeyring[" + keyId + ", " + bits + " bits]";
  }

  /** Builder; all three fields are required. */
  public static final class Builder {
    private String keyNamespace;
    private String keyName;
    private byte[] wrappingKey;

    private Builder() {}

    /** The provider id written in the message; must not start with {@code aws-kms}. Required. */
    public Builder keyNamespace(String keyNamespace) {
      this.keyNamespace = keyNamespace;
      return this;
    }

    /** The key name written in the message (with the namespace, it identifies the key). Required. */
    public Builder keyName(String keyName) {
      this.keyName = keyName;
      return this;
    }

    /** 16, 24 or 32 bytes; copied. Required. */
    public Builder wrappingKey(byte[] wrappingKey) {
      this.wrappingKey = wrappingKey == null ? null : wrappingKey.clone();
      return this;
    }

    public RawAesKeyring build() {
      Objects.requireNonNull(keyNamespace, "keyNamespace");
      Objects.requireNonNull(keyName, "keyName");
      Objects.requireNonNull(wrappingKey, "wrappingKey");
      if (keyNamespace.startsWith("aws-kms")) {
        throw new IllegalArgumentException("keyNamespace must not start with 'aws-kms' (reserved for KMS keyrings)");
      }
      int bits = wrappingKey.length * 8;
      if (bits != 128 && bits != 192 && bits != 256) {
        throw new IllegalArgumentException("wrappingKey must be 128, 192 or 256 bits, not " + bits);
      }
      RawAesKeyring keyring = new RawAesKeyring(this);
      Arrays.fill(wrappingKey, (byte) 0);
      wrappingKey = null;
      return keyring;
    }
  }
}
