package dev.envelope.mlkem;

import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.CounterKdf;
import dev.envelope.core.spi.EncryptionContextCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The EDK of the ML-KEM keyrings, after the AWS KMS ML-KEM keyring draft specification, revision C
 * ({@code framework/aws-kms/aws-kms-ml-kem-keyring.md} at {@code eaa4f7e}), whose FixedInfo fields carry u16
 * lengths (revision A separated them with 0x00 instead):
 * <pre>
 * providerInfo = 0x01 || u16 len || key name (the KMS key ARN, or the raw keyring's key name)
 * ciphertext   = KEM ciphertext (768 | 1088 | 1568) || salt (32) || AES-256-GCM(data key) || tag (16)
 * FixedInfo    = u16-length-prefixed: label, "ML-KEM-768", "HMAC_SHA384", key name, 0x01, serialized context
 * wrapping key = SP 800-108 counter KDF, HMAC-SHA384 (shared secret, label FixedInfo, context salt), 32 bytes
 * AES-GCM      = IV 12 zero bytes (the key is new for every EDK), AAD FixedInfo
 * </pre>
 * The drafts do not say where the salt enters the KDF; it goes where the AWS library's other keyrings put theirs
 * (the KDF's context, after the label and a zero byte). Label: {@code AWS-KMS-ML-KEM-KEY-DERIVATION} for the KMS
 * keyring, {@code ENVELOPE-RAW-ML-KEM-KEY-DERIVATION} for the raw one.
 */
final class MlKemWrapping {
  static final byte VERSION = 1;
  static final int SALT_LENGTH = 32;
  static final int TAG_LENGTH = 16;
  private static final byte[] PRF = "HMAC_SHA384".getBytes(StandardCharsets.US_ASCII);

  private MlKemWrapping() {}

  static byte[] providerInfo(byte[] keyName) {
    return new ByteWriter(3 + keyName.length).u8(VERSION).u16Prefixed(keyName).toByteArray();
  }

  /** The key name in {@code info}, or null if it is not a version-1 provider info. */
  static byte[] keyName(byte[] info) {
    if (info.length < 3 || info[0] != VERSION) {
      return null;
    }
    int length = ((info[1] & 0xff) << 8) | (info[2] & 0xff);
    return info.length == 3 + length ? Arrays.copyOfRange(info, 3, info.length) : null;
  }

  static byte[] fixedInfo(byte[] label, MlKemParameterSet set, byte[] keyName, Map<String, String> context) {
    byte[] ec = EncryptionContextCodec.serialize(context);
    byte[] name = set.standardName().getBytes(StandardCharsets.US_ASCII);
    return new ByteWriter(64 + keyName.length + ec.length).u16Prefixed(label).u16Prefixed(name).u16Prefixed(PRF)
        .u16Prefixed(keyName).u16Prefixed(new byte[] {VERSION}).u16Prefixed(ec).toByteArray();
  }

  static byte[] wrappingKey(byte[] sharedSecret, byte[] fixedInfo, byte[] salt) throws GeneralSecurityException {
    return CounterKdf.derive("HmacSHA384", sharedSecret, fixedInfo, salt, 32);
  }

  /** The EDK ciphertext: the KEM ciphertext, the salt, and the data key sealed under the derived key. */
  static byte[] seal(byte[] kemCiphertext, byte[] salt, byte[] wrappingKey, byte[] fixedInfo, byte[] dataKey)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(wrappingKey, "AES"),
        new GCMParameterSpec(TAG_LENGTH * 8, new byte[12]));
    cipher.updateAAD(fixedInfo);
    byte[] sealed = cipher.doFinal(dataKey);
    return ByteBuffer.allocate(kemCiphertext.length + SALT_LENGTH + sealed.length).put(kemCiphertext).put(salt)
        .put(sealed).array();
  }

  static byte[] open(byte[] ciphertext, int offset, byte[] wrappingKey, byte[] fixedInfo)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(wrappingKey, "AES"),
        new GCMParameterSpec(TAG_LENGTH * 8, new byte[12]));
    cipher.updateAAD(fixedInfo);
    return cipher.doFinal(ciphertext, offset, ciphertext.length - offset);
  }
}
