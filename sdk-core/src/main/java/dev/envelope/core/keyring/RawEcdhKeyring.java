package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.SecureRandoms;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.KeyAgreement;

/**
 * Wraps data keys under an ECDH shared secret with local EC keys (P-256, P-384, P-521, over the JCA), byte for byte
 * as the AWS Material Providers Library's raw ECDH keyring, in its three key agreement schemas:
 * <ul>
 *   <li>{@link #staticKeys}: the sender's key pair and the recipient's public key; both parties can decrypt (each
 *       configured with its own key pair and the other's public key);</li>
 *   <li>{@link #ephemeral}: a new sender key pair per message and the recipient's public key; encrypt only;</li>
 *   <li>{@link #discovery}: the recipient's key pair; decrypts whatever was sent to it; decrypt only.</li>
 * </ul>
 * The EDK layout and key derivation are in {@code EcdhWrapping}; messages read the AWS library's {@code raw-ecdh}
 * and {@code aws-kms-ecdh} EDKs alike. The wrapping key id in audit events is {@code raw-ecdh:<curve>:<hex of the
 * compressed recipient key, first 8 bytes>}. Immutable and thread-safe.
 */
public final class RawEcdhKeyring implements Keyring {
  private enum Scheme { STATIC, EPHEMERAL, DISCOVERY }

  private final Scheme scheme;
  private final EcdhCurve curve;
  /** Our private key: the sender's (static) or the recipient's (discovery); null for ephemeral. */
  private final PrivateKey privateKey;
  /** Our public key, compressed: the sender's (static) or the recipient's (discovery); null for ephemeral. */
  private final byte[] ourPublic;
  /** The recipient's public key (static, ephemeral), compressed; null for discovery. */
  private final byte[] recipientPublic;
  private final ECPublicKey recipientKey;
  private final String keyId;

  private RawEcdhKeyring(Scheme scheme, EcdhCurve curve, PrivateKey privateKey, ECPublicKey ourKey,
      ECPublicKey recipientKey) {
    this.scheme = scheme;
    this.curve = curve;
    this.privateKey = privateKey;
    this.ourPublic = ourKey == null ? null : EcdhWrapping.compress(ourKey, curve);
    this.recipientKey = recipientKey;
    this.recipientPublic = recipientKey == null ? null : EcdhWrapping.compress(recipientKey, curve);
    byte[] named = scheme == Scheme.DISCOVERY ? ourPublic : recipientPublic;
    this.keyId = "raw-ecdh:" + curve.kdfName() + ":" + HexFormat.of().formatHex(named, 0, 8);
  }

  /**
   * The static scheme: data keys wrapped under ECDH({@code sender}'s private key, {@code recipient}).
   *
   * @throws IllegalArgumentException if the keys are not EC keys on one supported curve
   */
  public static RawEcdhKeyring staticKeys(KeyPair sender, PublicKey recipient) {
    Objects.requireNonNull(sender, "sender");
    EcdhCurve curve = sameCurve(sender.getPublic(), recipient);
    EcdhCurve.of(sender.getPrivate());
    return new RawEcdhKeyring(Scheme.STATIC, curve, sender.getPrivate(), (ECPublicKey) sender.getPublic(),
        (ECPublicKey) recipient);
  }

  /** The ephemeral scheme: a fresh sender key pair per message; this keyring cannot decrypt. */
  public static RawEcdhKeyring ephemeral(PublicKey recipient) {
    EcdhCurve curve = EcdhCurve.of(Objects.requireNonNull(recipient, "recipient"));
    return new RawEcdhKeyring(Scheme.EPHEMERAL, curve, null, null, (ECPublicKey) recipient);
  }

  /** The public key discovery scheme: decrypts what was wrapped for {@code recipient}; cannot encrypt. */
  public static RawEcdhKeyring discovery(KeyPair recipient) {
    Objects.requireNonNull(recipient, "recipient");
    EcdhCurve curve = sameCurve(recipient.getPublic(), recipient.getPublic());
    EcdhCurve.of(recipient.getPrivate());
    return new RawEcdhKeyring(Scheme.DISCOVERY, curve, recipient.getPrivate(), (ECPublicKey) recipient.getPublic(),
        null);
  }

  private static EcdhCurve sameCurve(PublicKey a, PublicKey b) {
    EcdhCurve curve = EcdhCurve.of(Objects.requireNonNull(a, "public key"));
    if (EcdhCurve.of(Objects.requireNonNull(b, "recipient")) != curve) {
      throw new IllegalArgumentException("The sender's and the recipient's keys must be on one curve: "
          + curve + " and " + EcdhCurve.of(b));
    }
    return curve;
  }

  /** The curve of this keyring's keys. */
  public EcdhCurve curve() {
    return curve;
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    if (scheme == Scheme.DISCOVERY) {
      throw new EnvelopeException("A raw ECDH keyring in the public key discovery scheme only decrypts: encrypt "
          + "with a static or ephemeral ECDH keyring that names the recipient's public key");
    }
    byte[] z = null;
    try {
      PrivateKey senderPrivate = privateKey;
      byte[] senderPublic = ourPublic;
      if (scheme == Scheme.EPHEMERAL) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(curve.spec(), SecureRandoms.get());
        KeyPair ephemeral = generator.generateKeyPair();
        senderPrivate = ephemeral.getPrivate();
        senderPublic = EcdhWrapping.compress((ECPublicKey) ephemeral.getPublic(), curve);
      }
      z = agree(senderPrivate, recipientKey);
      return EcdhWrapping.encrypt(materials, curve, new EcdhWrapping.Parties(recipientPublic, senderPublic), z,
          EcdhWrapping.RAW_PROVIDER_ID, keyId, 0);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Raw ECDH keyring " + keyId + " cannot wrap the data key: " + e.getMessage(), e);
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
    if (scheme == Scheme.EPHEMERAL) {
      throw new NoKeyringCouldDecryptException(List.of(new Attempt(keyId, "a raw ECDH keyring in the ephemeral "
          + "scheme cannot decrypt (no private key outlives the message); decrypt with the recipient's static or "
          + "discovery keyring")));
    }
    return EcdhWrapping.decrypt(materials, encryptedDataKeys, curve, ourPublic, recipientPublic, keyId,
        "key pair", other -> agree(privateKey, EcdhWrapping.decompress(other, curve)), 0);
  }

  private static byte[] agree(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(privateKey);
    agreement.doPhase(publicKey, true);
    return agreement.generateSecret();
  }

  @Override
  public String toString() {
    return "RawEcdhKeyring[" + scheme + ", " + keyId + "]";
  }
}
