package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * The S3EC's {@code RSA-OAEP-SHA1} wrapping: RSA-OAEP (SHA-1, MGF1-SHA-1) over the "pseudo data key"
 * {@code length(1) || dataKey || cipherName}, so that a key wrapped for one content cipher cannot be used with
 * another. A public key alone writes; a private key alone reads.
 */
public final class RsaS3ecKeyring implements S3ecKeyring {
  private static final OAEPParameterSpec OAEP_SHA1 =
      new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);

  private final PublicKey publicKey;
  private final PrivateKey privateKey;
  private final Map<String, String> materialDescription;
  private final String keyId;

  private RsaS3ecKeyring(PublicKey publicKey, PrivateKey privateKey, Map<String, String> materialDescription,
      String keyId) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.materialDescription = Map.copyOf(materialDescription);
    this.keyId = keyId;
  }

  /** Either key may be null, not both. {@code keyId} names the key pair in errors and audit events. */
  public static RsaS3ecKeyring create(PublicKey publicKey, PrivateKey privateKey, String keyId,
      Map<String, String> materialDescription) {
    if (publicKey == null && privateKey == null) {
      throw new IllegalArgumentException("RSA keyring needs a public key, a private key or both");
    }
    return new RsaS3ecKeyring(publicKey, privateKey, materialDescription, Objects.requireNonNull(keyId, "keyId"));
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
    if (publicKey == null) {
      throw new EnvelopeException("RSA keyring " + keyId + " has no public key and cannot encrypt");
    }
    byte[] name = algorithm.cekAlgorithm().getBytes(StandardCharsets.UTF_8);
    byte[] pseudo = new byte[1 + dataKey.length + name.length];
    pseudo[0] = (byte) dataKey.length;
    System.arraycopy(dataKey, 0, pseudo, 1, dataKey.length);
    System.arraycopy(name, 0, pseudo, 1 + dataKey.length, name.length);
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.ENCRYPT_MODE, publicKey, OAEP_SHA1, SecureRandoms.get());
      return new S3ecDataKey(dataKey, c.doFinal(pseudo), "RSA-OAEP-SHA1", materialDescription, keyId, 0);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("RSA-OAEP key wrapping with " + keyId + " failed: " + e.getMessage(), e);
    } finally {
      Arrays.fill(pseudo, (byte) 0);
    }
  }

  @Override
  public byte[] unwrap(S3ecContentAlgorithm algorithm, String wrappingAlgorithm, byte[] encryptedKey,
      Map<String, String> description, Map<String, String> requestContext, boolean allowLegacy) {
    if (!"RSA-OAEP-SHA1".equals(wrappingAlgorithm)) {
      throw failed("RSA keyring cannot unwrap a '" + wrappingAlgorithm + "' data key");
    }
    if (privateKey == null) {
      throw failed("RSA keyring has no private key");
    }
    byte[] pseudo = null;
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.DECRYPT_MODE, privateKey, OAEP_SHA1);
      pseudo = c.doFinal(encryptedKey);
      int length = pseudo.length == 0 ? -1 : pseudo[0] & 0xFF;
      if (length != 16 && length != 24 && length != 32 || pseudo.length < 1 + length) {
        throw failed("unwrapped data key has an invalid length");
      }
      String name = new String(pseudo, 1 + length, pseudo.length - 1 - length, StandardCharsets.UTF_8);
      if (!name.equals(algorithm.cekAlgorithm())) {
        throw failed("data key was wrapped for content cipher '" + name + "', not " + algorithm.cekAlgorithm());
      }
      return Arrays.copyOfRange(pseudo, 1, 1 + length);
    } catch (GeneralSecurityException e) {
      throw failed("RSA-OAEP unwrap failed: wrong private key, or the data key was modified");
    } finally {
      if (pseudo != null) {
        Arrays.fill(pseudo, (byte) 0);
      }
    }
  }

  private NoKeyringCouldDecryptException failed(String reason) {
    return new NoKeyringCouldDecryptException(List.of(new NoKeyringCouldDecryptException.Attempt(keyId, reason)));
  }

  @Override
  public String toString() {
    return "RsaS3ecKeyring[" + keyId + "]";
  }
}
