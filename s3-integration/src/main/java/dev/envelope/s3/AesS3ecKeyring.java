package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The S3EC's {@code AES/GCM} wrapping: {@code IV(12) || AES-GCM(wrappingKey, dataKey) || tag(16)} with the content
 * cipher's name as AAD, and an optional material description stored in clear. SDK v1's {@code AESWrap} is read
 * with legacy modes only.
 */
public final class AesS3ecKeyring implements S3ecKeyring {
  private final SecretKey wrappingKey;
  private final Map<String, String> materialDescription;
  private final String keyId;

  private AesS3ecKeyring(SecretKey wrappingKey, Map<String, String> materialDescription, String keyId) {
    this.wrappingKey = wrappingKey;
    this.materialDescription = Map.copyOf(materialDescription);
    this.keyId = keyId;
  }

  /**
   * {@code keyId} names the key in errors and audit events only; {@code materialDescription} is stored with
   * each object (not secret, not authenticated).
   */
  public static AesS3ecKeyring create(SecretKey wrappingKey, String keyId, Map<String, String> materialDescription) {
    Objects.requireNonNull(wrappingKey, "wrappingKey");
    int length = wrappingKey.getEncoded().length;
    if (length != 16 && length != 24 && length != 32) {
      throw new IllegalArgumentException("AES wrapping key must be 128, 192 or 256 bits: " + length * 8);
    }
    return new AesS3ecKeyring(new SecretKeySpec(wrappingKey.getEncoded(), "AES"), materialDescription,
        Objects.requireNonNull(keyId, "keyId"));
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public S3ecDataKey generate(S3ecContentAlgorithm algorithm, Map<String, String> encryptionContext) {
    byte[] dataKey = SecureRandoms.bytes(32);
    try {
      return wrap(algorithm, dataKey, encryptionContext);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public S3ecDataKey wrap(S3ecContentAlgorithm algorithm, byte[] dataKey, Map<String, String> encryptionContext) {
    byte[] iv = SecureRandoms.bytes(12);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, wrappingKey, new GCMParameterSpec(128, iv));
      c.updateAAD(algorithm.cekAlgorithm().getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(dataKey);
      byte[] edk = new byte[12 + sealed.length];
      System.arraycopy(iv, 0, edk, 0, 12);
      System.arraycopy(sealed, 0, edk, 12, sealed.length);
      return new S3ecDataKey(dataKey, edk, "AES/GCM", materialDescription, keyId, 0);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES/GCM key wrapping with " + keyId + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrap(S3ecContentAlgorithm algorithm, String wrappingAlgorithm, byte[] encryptedKey,
      Map<String, String> description, Map<String, String> requestContext, boolean allowLegacy) {
    try {
      if ("AES/GCM".equals(wrappingAlgorithm)) {
        if (encryptedKey.length < 12 + 16 + 16) {
          throw failed("AES/GCM data key of " + encryptedKey.length + " bytes is too short");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, wrappingKey, new GCMParameterSpec(128, encryptedKey, 0, 12));
        c.updateAAD(algorithm.cekAlgorithm().getBytes(StandardCharsets.UTF_8));
        return c.doFinal(encryptedKey, 12, encryptedKey.length - 12);
      }
      if ("AESWrap".equals(wrappingAlgorithm)) {
        if (!allowLegacy) {
          throw new PolicyViolationException("Object's data key uses the legacy 'AESWrap' wrapping; enable legacy "
              + "modes to read it");
        }
        Cipher c = Cipher.getInstance("AESWrap");
        c.init(Cipher.UNWRAP_MODE, wrappingKey);
        return c.unwrap(encryptedKey, "AES", Cipher.SECRET_KEY).getEncoded();
      }
      throw failed("AES keyring cannot unwrap a '" + wrappingAlgorithm + "' data key");
    } catch (AEADBadTagException e) {
      throw failed("AES/GCM unwrap failed: wrong wrapping key, or the data key or its cipher name was modified");
    } catch (GeneralSecurityException e) {
      throw failed("unwrap failed: " + e.getClass().getSimpleName());
    }
  }

  private NoKeyringCouldDecryptException failed(String reason) {
    return new NoKeyringCouldDecryptException(List.of(new NoKeyringCouldDecryptException.Attempt(keyId, reason)));
  }

  @Override
  public String toString() {
    return "AesS3ecKeyring[" + keyId + "]";
  }
}
