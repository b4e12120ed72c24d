package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.KmsErrors;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyAgreementAlgorithmSpec;

/**
 * The AWS KMS ECDH keyring: the shared secret comes from KMS {@code DeriveSharedSecret} with a KMS key of usage
 * {@code KEY_AGREEMENT}; the EDK is the one the raw ECDH keyring writes ({@code EcdhWrapping}), under provider id
 * {@code aws-kms-ecdh}, as the AWS Material Providers Library writes it. Two schemes:
 * <ul>
 *   <li>{@link #staticKeys}: the sender's KMS key and the recipient's public key; both parties can decrypt;</li>
 *   <li>{@link #discovery}: the recipient's KMS key; decrypts what was sent to it; decrypt only.</li>
 * </ul>
 * The KMS key's public key is fetched once, with {@code GetPublicKey}, when the keyring is built. Each encrypt and
 * each decrypt attempt is one {@code DeriveSharedSecret} call, counted for audit. Immutable and thread-safe.
 */
public final class KmsEcdhKeyring implements Keyring {
  private final KmsClient kms;
  private final String keyArn;
  private final EcdhCurve curve;
  private final byte[] ourPublic;
  /** The recipient's public key (static scheme), compressed; null for discovery. */
  private final byte[] recipientPublic;
  private final List<String> grantTokens;

  private KmsEcdhKeyring(KmsClient kms, String keyArn, EcdhCurve curve, ECPublicKey ourKey, ECPublicKey recipient,
      List<String> grantTokens) {
    this.kms = kms;
    this.keyArn = keyArn;
    this.curve = curve;
    this.ourPublic = EcdhWrapping.compress(ourKey, curve);
    this.recipientPublic = recipient == null ? null : EcdhWrapping.compress(recipient, curve);
    this.grantTokens = List.copyOf(grantTokens);
  }

  /**
   * The static scheme: data keys wrapped under DeriveSharedSecret({@code senderKeyArn}, {@code recipient}).
   *
   * @throws EnvelopeException if KMS cannot give the key's public key, or the key is not a KEY_AGREEMENT key
   * @throws IllegalArgumentException if the recipient's key is not on the sender key's curve
   */
  public static KmsEcdhKeyring staticKeys(KmsClient kms, String senderKeyArn, PublicKey recipient,
      List<String> grantTokens) {
    ECPublicKey ours = publicKeyOf(kms, senderKeyArn, grantTokens);
    EcdhCurve curve = EcdhCurve.of(ours);
    if (EcdhCurve.of(Objects.requireNonNull(recipient, "recipient")) != curve) {
      throw new IllegalArgumentException("The recipient's key is on " + EcdhCurve.of(recipient) + ", KMS key "
          + senderKeyArn + " on " + curve);
    }
    return new KmsEcdhKeyring(kms, senderKeyArn, curve, ours, (ECPublicKey) recipient, grantTokens);
  }

  /** The discovery scheme: decrypts what was wrapped for {@code recipientKeyArn}; cannot encrypt. */
  public static KmsEcdhKeyring discovery(KmsClient kms, String recipientKeyArn, List<String> grantTokens) {
    ECPublicKey ours = publicKeyOf(kms, recipientKeyArn, grantTokens);
    return new KmsEcdhKeyring(kms, recipientKeyArn, EcdhCurve.of(ours), ours, null, grantTokens);
  }

  private static ECPublicKey publicKeyOf(KmsClient kms, String keyArn, List<String> grantTokens) {
    Objects.requireNonNull(kms, "kms");
    if (keyArn == null || KmsArn.parse(keyArn).isEmpty()) {
      throw new IllegalArgumentException("A KMS ECDH keyring takes a KMS key ARN, not an alias: " + keyArn);
    }
    GetPublicKeyResponse r;
    try {
      r = kms.getPublicKey(b -> b.keyId(keyArn).grantTokens(grantTokens));
    } catch (SdkException e) {
      throw KmsErrors.translate("GetPublicKey", keyArn, e);
    }
    if (!"KEY_AGREEMENT".equals(r.keyUsageAsString())) {
      throw new EnvelopeException("KMS key " + keyArn + " has key usage " + r.keyUsageAsString() + ": an ECDH keyring "
          + "needs a KEY_AGREEMENT key (ECC_NIST_P256, P384 or P521)");
    }
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
          r.publicKey().asByteArray()));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new EnvelopeException("KMS key " + keyArn + " returned a public key that is not an EC key", e);
    }
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    if (recipientPublic == null) {
      throw new EnvelopeException("A KMS ECDH keyring in the discovery scheme only decrypts: encrypt with a static "
          + "KMS ECDH keyring (or a raw ECDH keyring) that names the recipient's public key");
    }
    byte[] z = null;
    try {
      z = derive(recipientPublic);
      return EcdhWrapping.encrypt(materials, curve, new EcdhWrapping.Parties(recipientPublic, ourPublic), z,
          EcdhWrapping.KMS_PROVIDER_ID, keyArn, 1);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("KMS ECDH keyring " + keyArn + " cannot wrap the data key: " + e.getMessage(), e);
    } catch (SdkException e) {
      throw KmsErrors.translate("DeriveSharedSecret", keyArn, e);
    } finally {
      if (z != null) {
        Arrays.fill(z, (byte) 0);
      }
    }
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    return EcdhWrapping.decrypt(materials, encryptedDataKeys, curve, ourPublic, recipientPublic, keyArn,
        "KMS key", other -> {
      try {
        return derive(other);
      } catch (SdkException e) {
        throw KmsErrors.translate("DeriveSharedSecret", keyArn, e);
      }
    }, 1);
  }

  /** DeriveSharedSecret with our KMS key and the other party's compressed public key. */
  private byte[] derive(byte[] otherCompressed) throws GeneralSecurityException {
    byte[] der = EcdhWrapping.decompress(otherCompressed, curve).getEncoded();
    return kms.deriveSharedSecret(b -> b.keyId(keyArn).keyAgreementAlgorithm(KeyAgreementAlgorithmSpec.ECDH)
        .publicKey(SdkBytes.fromByteArray(der)).grantTokens(grantTokens)).sharedSecret().asByteArray();
  }

  @Override
  public String toString() {
    return "KmsEcdhKeyring[" + (recipientPublic == null ? "discovery" : "static") + ", " + keyArn + ", " + curve
        + "]";
  }
}
