package dev.envelope.core.keyring;

import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.keystore.BranchKeyVersions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Names the wrapping key of an encrypted data key from its provider id and info alone, without unwrapping it, in
 * the form the keyrings give in audit events and results: a KMS key ARN ({@code aws-kms}, {@code aws-kms-rsa}),
 * {@code <branch key id>@<version>} (hierarchical), {@code <namespace>/<name>} (raw AES and RSA). ECDH keys are
 * named by their provider id and a digest of the public keys they name. For inventories: "which keys protect
 * this message". Stateless.
 */
public final class WrappingKeyIds {
  private static final int AES_INFO_TRAILER = 4 + 4 + 12; // tag length in bits, IV length, IV

  private WrappingKeyIds() {}

  public static String of(EncryptedDataKey edk) {
    String provider = edk.providerId();
    byte[] info = edk.providerInfo();
    switch (provider) {
      case KmsKeyring.PROVIDER_ID:
      case KmsRsaKeyring.PROVIDER_ID:
        return text(info);
      case HierarchicalKeyring.PROVIDER_ID:
        byte[] ciphertext = edk.ciphertext();
        return ciphertext.length >= 44 ? text(info) + "@" + BranchKeyVersions.fromBytes(ciphertext, 28)
            : text(info) + "@?";
      case EcdhWrapping.RAW_PROVIDER_ID:
      case EcdhWrapping.KMS_PROVIDER_ID:
        return provider + ":" + digest(info);
      default:
        return provider + "/" + (isAesInfo(info) ? text(Arrays.copyOf(info, info.length - AES_INFO_TRAILER))
            : text(info));
    }
  }

  /** Raw AES provider info ends in the tag length (128 bits), the IV length (12) and the IV. */
  private static boolean isAesInfo(byte[] info) {
    int t = info.length - AES_INFO_TRAILER;
    return t >= 0 && ByteBuffer.wrap(info, t, 8).getInt() == 128 && ByteBuffer.wrap(info, t + 4, 4).getInt() == 12;
  }

  /** UTF-8 text, or hex for bytes that are not UTF-8 (a forged or foreign message). */
  private static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
  }

  private static String digest(byte[] info) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(info), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
