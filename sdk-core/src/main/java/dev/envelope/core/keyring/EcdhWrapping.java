package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.internal.crypto.EcPoints;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.CounterKdf;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The EDK of the ECDH keyrings, as the AWS Material Providers Library 1.11.0 writes it (raw and KMS alike):
 * <pre>
 * providerInfo = 0x01 || u32 len || recipient public key || u32 len || sender public key   (SEC1 compressed)
 * ciphertext   = salt (32) || commitment key (32) || AES-256-GCM(data key) || tag (16)
 * FixedInfo    = "ecdh-key-derivation" 00 curve 00 "HMAC_SHA384" 00 sender||recipient 00 01 00 context
 * key material = SP 800-108 counter KDF, HMAC-SHA384 (Z, label FixedInfo, context salt), 64 bytes:
 *                commitment key = bytes 0-31, wrapping key = bytes 32-63; IV = 12 zero bytes, AAD = FixedInfo
 * </pre>
 */
final class EcdhWrapping {
  static final String RAW_PROVIDER_ID = "raw-ecdh";
  static final String KMS_PROVIDER_ID = "aws-kms-ecdh";
  private static final byte VERSION = 1;
  private static final int SALT_LENGTH = 32;
  private static final int COMMITMENT_LENGTH = 32;
  private static final int TAG_LENGTH = 16;
  private static final byte[] LABEL = "ecdh-key-derivation".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PRF = "HMAC_SHA384".getBytes(StandardCharsets.US_ASCII);

  /** The two public keys an EDK names, compressed, as written. */
  record Parties(byte[] recipient, byte[] sender) {}

  private EcdhWrapping() {}

  static boolean isEcdhProvider(String providerId) {
    return providerId.equals(RAW_PROVIDER_ID) || providerId.equals(KMS_PROVIDER_ID);
  }

  static byte[] providerInfo(byte[] recipient, byte[] sender) {
    return new ByteWriter(9 + recipient.length + sender.length).u8(VERSION).u32(recipient.length)
        .bytes(recipient).u32(sender.length).bytes(sender).toByteArray();
  }

  /**
   * The parties of an EDK's provider info for {@code curve}.
   *
   * @throws GeneralSecurityException describing what is wrong with it
   */
  static Parties parties(byte[] info, EcdhCurve curve) throws GeneralSecurityException {
    int keyLength = curve.fieldBytes() + 1;
    if (info.length != 9 + 2 * keyLength) {
      throw new GeneralSecurityException("provider info of " + info.length + " bytes is not that of two "
          + curve + " keys");
    }
    ByteBuffer in = ByteBuffer.wrap(info);
    if (in.get() != VERSION) {
      throw new GeneralSecurityException("unknown ECDH keyring version " + (info[0] & 0xff));
    }
    if (in.getInt() != keyLength) {
      throw new GeneralSecurityException("recipient key length is not " + keyLength);
    }
    byte[] recipient = new byte[keyLength];
    in.get(recipient);
    if (in.getInt() != keyLength) {
      throw new GeneralSecurityException("sender key length is not " + keyLength);
    }
    byte[] sender = new byte[keyLength];
    in.get(sender);
    return new Parties(recipient, sender);
  }

  static ECPublicKey decompress(byte[] compressed, EcdhCurve curve) throws GeneralSecurityException {
    return EcPoints.decompress(compressed, curve.spec(), curve.fieldBytes(), curve.name());
  }

  static byte[] compress(ECPublicKey key, EcdhCurve curve) {
    return EcPoints.compress(key, curve.fieldBytes());
  }

  /** The EDK ciphertext wrapping {@code dataKey} under the shared secret {@code z}. */
  static byte[] wrap(byte[] z, EcdhCurve curve, Parties parties, Map<String, String> context, byte[] dataKey)
      throws GeneralSecurityException {
    byte[] salt = SecureRandoms.bytes(SALT_LENGTH);
    byte[] fixedInfo = fixedInfo(curve, parties, context);
    byte[] material = CounterKdf.derive("HmacSHA384", z, fixedInfo, salt, 64);
    try {
      Cipher cipher = JcaPerThread.aesGcm();
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(material, 32, 32, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, new byte[12]));
      cipher.updateAAD(fixedInfo);
      byte[] wrapped = cipher.doFinal(dataKey);
      return new ByteWriter(SALT_LENGTH + COMMITMENT_LENGTH + wrapped.length).bytes(salt)
          .bytes(Arrays.copyOf(material, COMMITMENT_LENGTH)).bytes(wrapped).toByteArray();
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * The data key in {@code ciphertext}, or an exception saying why not: a wrong length, a commitment key that does
   * not match (another shared secret or context; checked in constant time before AES-GCM), a failed tag.
   */
  static byte[] unwrap(byte[] z, EcdhCurve curve, Parties parties, Map<String, String> context, byte[] ciphertext,
      int dataKeyLength) throws GeneralSecurityException {
    if (ciphertext.length != SALT_LENGTH + COMMITMENT_LENGTH + dataKeyLength + TAG_LENGTH) {
      throw new GeneralSecurityException("the wrapped data key is " + ciphertext.length + " bytes, not "
          + (SALT_LENGTH + COMMITMENT_LENGTH + dataKeyLength + TAG_LENGTH));
    }
    byte[] fixedInfo = fixedInfo(curve, parties, context);
    byte[] material = CounterKdf.derive("HmacSHA384", z, fixedInfo, Arrays.copyOf(ciphertext, SALT_LENGTH), 64);
    try {
      if (!MessageDigest.isEqual(Arrays.copyOf(material, COMMITMENT_LENGTH),
          Arrays.copyOfRange(ciphertext, SALT_LENGTH, SALT_LENGTH + COMMITMENT_LENGTH))) {
        throw new GeneralSecurityException("the commitment key does not match: another key agreement, or a "
            + "different encryption context than the data key was wrapped with");
      }
      Cipher cipher = JcaPerThread.aesGcm();
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(material, 32, 32, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, new byte[12]));
      cipher.updateAAD(fixedInfo);
      return cipher.doFinal(ciphertext, SALT_LENGTH + COMMITMENT_LENGTH,
          ciphertext.length - SALT_LENGTH - COMMITMENT_LENGTH);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * The encrypt step of both ECDH keyrings: {@code materials} with a data key (generated if absent) and its EDK
   * wrapped under the shared secret {@code z} of {@code parties}. The caller zeroes {@code z}.
   */
  static EncryptionMaterials encrypt(EncryptionMaterials materials, EcdhCurve curve, Parties parties, byte[] z,
      String providerId, String keyId, int kmsCalls) throws GeneralSecurityException {
    EncryptionMaterials.Builder out = materials.toBuilder().addKmsCalls(kmsCalls);
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] plaintextKey = dataKey.toByteArray();
    try {
      byte[] ciphertext = wrap(z, curve, parties, materials.encryptionContext(), plaintextKey);
      return out.addEncryptedDataKey(EncryptedDataKey.of(providerId,
          providerInfo(parties.recipient(), parties.sender()), ciphertext), keyId).build();
    } finally {
      Arrays.fill(plaintextKey, (byte) 0);
    }
  }

  /** The shared secret with the other party's compressed public key: a local key agreement, or KMS. */
  interface Agreement {
    byte[] secretWith(byte[] otherCompressed) throws GeneralSecurityException;
  }

  /**
   * The other party's public key in an EDK meant for {@code ours}: for discovery ({@code recipient} null) the
   * sender of an EDK addressed to us; for the static scheme the configured pair in either orientation, so that both
   * parties decrypt. Null if the EDK is not ours.
   */
  static byte[] counterparty(Parties parties, byte[] ours, byte[] recipient) {
    if (recipient == null) {
      return Arrays.equals(parties.recipient(), ours) ? parties.sender() : null;
    }
    if (Arrays.equals(parties.sender(), ours) && Arrays.equals(parties.recipient(), recipient)) {
      return parties.recipient();
    }
    if (Arrays.equals(parties.recipient(), ours) && Arrays.equals(parties.sender(), recipient)) {
      return parties.sender();
    }
    return null;
  }

  /**
   * The decrypt loop of both ECDH keyrings: the first EDK (raw or KMS ECDH) addressed to {@code ours} that unwraps
   * with {@code agreement}'s secret; every failure collected, {@code callsPerAgreement} KMS calls counted per try.
   * {@code ourKey} names our key in the error when no EDK is addressed to it ("key pair", "KMS key").
   *
   * @throws NoKeyringCouldDecryptException naming each EDK tried and why it failed
   */
  static DecryptionMaterials decrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks, EcdhCurve curve,
      byte[] ours, byte[] recipient, String keyId, String ourKey, Agreement agreement, int callsPerAgreement) {
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    int calls = 0;
    for (EncryptedDataKey edk : edks) {
      if (!isEcdhProvider(edk.providerId())) {
        others.add(edk.providerId());
        continue;
      }
      Parties parties;
      try {
        parties = parties(edk.providerInfo(), curve);
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(keyId, e.getMessage()));
        continue;
      }
      byte[] other = counterparty(parties, ours, recipient);
      if (other == null) {
        others.add(edk.providerId() + " (for other keys)");
        continue;
      }
      byte[] z = null;
      try {
        decompress(other, curve); // a point on the curve, before any key agreement
        calls += callsPerAgreement;
        z = agreement.secretWith(other);
        byte[] key = unwrap(z, curve, parties, materials.encryptionContext(), edk.ciphertext(),
            materials.suite().dataKeyLength());
        return materials.toBuilder().dataKey(DataKey.wrap(key), keyId).addKmsCalls(calls).build();
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(keyId, "ECDH unwrap failed: " + e.getMessage()));
      } catch (EnvelopeException e) {
        attempts.add(new Attempt(keyId, e.getMessage()));
      } finally {
        if (z != null) {
          Arrays.fill(z, (byte) 0);
        }
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyId, "the message has no data key wrapped for this " + ourKey + " (it has " + others
          + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts, null, calls);
  }

  private static byte[] fixedInfo(EcdhCurve curve, Parties parties, Map<String, String> context) {
    byte[] curveName = curve.kdfName().getBytes(StandardCharsets.US_ASCII);
    byte[] ec = EncryptionContextCodec.serialize(context);
    return new ByteWriter(64 + parties.sender().length * 2 + ec.length).bytes(LABEL).u8(0).bytes(curveName).u8(0)
        .bytes(PRF).u8(0).bytes(parties.sender()).bytes(parties.recipient()).u8(0).u8(VERSION).u8(0).bytes(ec)
        .toByteArray();
  }
}
