package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Material Providers Library's intermediate key wrapping, which every EDK of the Database Encryption SDK's
 * suites uses: each wrapping keyring wraps a fresh 32-byte intermediate key of its own, not the data key, and the
 * data key is wrapped under a key derived from it; a second derived key signs the item for that recipient only.
 * <pre>
 * kek            = HKDF-SHA512(intermediate key, no salt, "AWS_MPL_INTERMEDIATE_KEYWRAP_ENC", 32)
 * signing key    = HKDF-SHA512(intermediate key, no salt, "AWS_MPL_INTERMEDIATE_KEYWRAP_MAC", 32)
 * EDK ciphertext = AES-256-GCM(kek, 12 zero bytes, AAD = encryption context, data key) (48)
 *                  || the keyring's own EDK ciphertext of the intermediate key
 * </pre>
 * Keyrings are called as for a 32-byte data key of an ESDK suite ({@link #KEYRING_SUITE}), which is what they see
 * in the AWS library too: the same EDK bytes.
 */
public final class IntermediateKeyWrapping {
  /** The suite keyrings are told about: only its 32-byte key length matters to them. */
  public static final AlgorithmSuite KEYRING_SUITE = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
  public static final int WRAPPED_DATA_KEY_LENGTH = 32 + 16;

  private static final byte[] ENC_LABEL = "AWS_MPL_INTERMEDIATE_KEYWRAP_ENC".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAC_LABEL = "AWS_MPL_INTERMEDIATE_KEYWRAP_MAC".getBytes(StandardCharsets.US_ASCII);

  private IntermediateKeyWrapping() {}

  /** One recipient: its EDK, the key of its recipient tag, the calls it made and the key it names. */
  public record Recipient(EncryptedDataKey edk, byte[] signingKey, String wrappingKeyId, int kmsCalls,
      int keyStoreCalls) {}

  /** The data key and the recipient tag key recovered from one EDK, with the calls it took. */
  public record Unwrapped(byte[] dataKey, byte[] signingKey, String wrappingKeyId, int kmsCalls,
      int keyStoreCalls) {}

  /** The keyrings that each wrap an intermediate key of their own: a multi-keyring's, or the one given. */
  public static List<Keyring> recipients(Keyring keyring) {
    List<Keyring> out = new ArrayList<>();
    if (keyring instanceof MultiKeyring multi) {
      for (Keyring each : multi.keyrings()) {
        out.addAll(recipients(each));
      }
    } else {
      out.add(keyring);
    }
    return out;
  }

  /** Wraps {@code dataKey} for every recipient keyring of {@code keyring}. */
  public static List<Recipient> wrap(Keyring keyring, byte[] dataKey, Map<String, String> context) {
    byte[] aad = EncryptionContextCodec.serialize(context);
    List<Recipient> recipients = new ArrayList<>();
    for (Keyring recipient : recipients(keyring)) {
      byte[] intermediate = SecureRandoms.bytes(32);
      byte[] prk = null;
      byte[] kek = null;
      try {
        EncryptionMaterials wrapped = recipient.onEncrypt(EncryptionMaterials.builder().suite(KEYRING_SUITE)
            .encryptionContext(context).dataKey(DataKey.copyOf(intermediate)).build());
        if (wrapped.encryptedDataKeys().size() != 1) {
          throw new EnvelopeException("Keyring " + recipient + " wrapped the key " + wrapped.encryptedDataKeys()
              .size() + " times; the DB-ESDK format gives every wrapping key an intermediate key of its own, so use "
              + "a MultiKeyring of single-key keyrings");
        }
        EncryptedDataKey own = wrapped.encryptedDataKeys().get(0);
        prk = Hkdf.extract("HmacSHA512", null, intermediate);
        kek = Hkdf.expand("HmacSHA512", prk, ENC_LABEL, 32);
        Cipher cipher = JcaPerThread.aesGcm();
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, new byte[12]));
        cipher.updateAAD(aad);
        byte[] wrappedDataKey = cipher.doFinal(dataKey);
        byte[] ciphertext = Arrays.copyOf(wrappedDataKey, wrappedDataKey.length + own.ciphertext().length);
        System.arraycopy(own.ciphertext(), 0, ciphertext, wrappedDataKey.length, own.ciphertext().length);
        recipients.add(new Recipient(EncryptedDataKey.of(own.providerId(), own.providerInfo(), ciphertext),
            Hkdf.expand("HmacSHA512", prk, MAC_LABEL, 32), wrapped.wrappingKeyIds().get(0),
            wrapped.kmsCalls(), wrapped.keyStoreCalls()));
        wrapped.dataKey().ifPresent(DataKey::destroy);
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("Intermediate key wrapping failed: " + e.getMessage(), e);
      } finally {
        Arrays.fill(intermediate, (byte) 0);
        zero(prk);
        zero(kek);
      }
    }
    return recipients;
  }

  /**
   * The data key of {@code edk}, through {@code keyring} (which sees the EDK as the AWS library's keyrings do, with
   * the intermediate key as its ciphertext).
   *
   * @throws dev.envelope.core.NoKeyringCouldDecryptException if the keyring cannot unwrap it
   * @throws GeneralSecurityException if the unwrapped intermediate key does not open the data key: the EDK was
   *     changed, or the encryption context differs
   */
  public static Unwrapped unwrap(Keyring keyring, EncryptedDataKey edk, Map<String, String> context)
      throws GeneralSecurityException {
    byte[] ciphertext = edk.ciphertext();
    if (ciphertext.length <= WRAPPED_DATA_KEY_LENGTH) {
      throw new GeneralSecurityException("the EDK of " + edk.providerId() + " is " + ciphertext.length + " bytes, "
          + "too short for intermediate key wrapping");
    }
    EncryptedDataKey own = EncryptedDataKey.of(edk.providerId(), edk.providerInfo(),
        Arrays.copyOfRange(ciphertext, WRAPPED_DATA_KEY_LENGTH, ciphertext.length));
    DecryptionMaterials materials = keyring.onDecrypt(DecryptionMaterials.builder().suite(KEYRING_SUITE)
        .encryptionContext(context).build(), List.of(own));
    DataKey intermediateKey = materials.dataKey().orElseThrow(() -> new GeneralSecurityException("keyring "
        + keyring + " returned no key"));
    byte[] intermediate = intermediateKey.toByteArray();
    intermediateKey.destroy();
    byte[] prk = null;
    byte[] kek = null;
    try {
      prk = Hkdf.extract("HmacSHA512", null, intermediate);
      kek = Hkdf.expand("HmacSHA512", prk, ENC_LABEL, 32);
      Cipher cipher = JcaPerThread.aesGcm();
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, new byte[12]));
      cipher.updateAAD(EncryptionContextCodec.serialize(context));
      byte[] dataKey = cipher.doFinal(ciphertext, 0, WRAPPED_DATA_KEY_LENGTH);
      return new Unwrapped(dataKey, Hkdf.expand("HmacSHA512", prk, MAC_LABEL, 32),
          materials.wrappingKeyIds().isEmpty() ? edk.providerId() : materials.wrappingKeyIds().get(0),
          materials.kmsCalls(), materials.keyStoreCalls());
    } finally {
      Arrays.fill(intermediate, (byte) 0);
      zero(prk);
      zero(kek);
    }
  }

  private static void zero(byte[] key) {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
  }
}
