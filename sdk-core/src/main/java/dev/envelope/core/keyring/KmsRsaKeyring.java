package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.KmsErrors;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;

/**
 * The AWS KMS RSA keyring, as the AWS Material Providers Library writes it: data keys are encrypted locally with the
 * public key of an asymmetric KMS RSA key (no KMS call, no credentials needed to encrypt) and decrypted by KMS.
 * <pre>
 * providerId   = "aws-kms-rsa"
 * providerInfo = the KMS key ARN (UTF-8)
 * ciphertext   = RSA-OAEP(SHA-384(serialized encryption context) || data key)     SHA-1 or SHA-256, with MGF1 alike
 * </pre>
 * The context digest binds the data key to the context, which KMS cannot do for RSA keys. Suites with an ECDSA
 * signature are refused, as the AWS library refuses them: anyone holding the public key could write a message, so
 * the signature would prove nothing. Immutable and thread-safe.
 */
public final class KmsRsaKeyring implements Keyring {
  /** The provider id of the EDKs this keyring writes. */
  public static final String PROVIDER_ID = "aws-kms-rsa";
  private static final int DIGEST_LENGTH = 48;

  private final KmsClient kms;
  private final String keyArn;
  private final KmsArn parsedArn;
  private final EncryptionAlgorithmSpec algorithm;
  private final RSAPublicKey publicKey;
  private final List<String> grantTokens;

  private KmsRsaKeyring(Builder b) {
    this.kms = b.kms;
    this.keyArn = b.keyArn;
    this.parsedArn = KmsArn.parse(b.keyArn).orElseThrow();
    this.algorithm = b.algorithm;
    this.publicKey = b.publicKey;
    this.grantTokens = List.copyOf(b.grantTokens);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    if (publicKey == null) {
      throw new EnvelopeException("KMS RSA keyring " + keyArn + " has no public key to encrypt with: give it one "
          + "(KMS GetPublicKey returns it) or use this keyring to decrypt only");
    }
    checkUnsigned(materials.suite());
    EncryptionMaterials.Builder out = materials.toBuilder();
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] key = dataKey.toByteArray();
    byte[] input = new byte[DIGEST_LENGTH + key.length];
    try {
      System.arraycopy(digest(materials.encryptionContext()), 0, input, 0, DIGEST_LENGTH);
      System.arraycopy(key, 0, input, DIGEST_LENGTH, key.length);
      Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.ENCRYPT_MODE, publicKey, oaep(), SecureRandoms.get());
      return out.addEncryptedDataKey(EncryptedDataKey.of(PROVIDER_ID, keyArn.getBytes(StandardCharsets.UTF_8),
          cipher.doFinal(input)), keyArn).build();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("KMS RSA keyring " + keyArn + " cannot encrypt the data key with the public key: "
          + e.getMessage(), e);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(input, (byte) 0);
    }
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    checkUnsigned(materials.suite());
    if (kms == null) {
      throw new NoKeyringCouldDecryptException(List.of(new Attempt(keyArn, "this KMS RSA keyring has no KMS client, "
          + "so it only encrypts; build it with kmsClient(...) to decrypt")));
    }
    byte[] expectedDigest = digest(materials.encryptionContext());
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    int calls = 0;
    for (EncryptedDataKey edk : encryptedDataKeys) {
      String info = new String(edk.providerInfo(), StandardCharsets.UTF_8);
      if (!edk.providerId().equals(PROVIDER_ID)
          || !KmsArn.parse(info).map(parsedArn::matchesForDecrypt).orElse(false)) {
        others.add(edk.providerId());
        continue;
      }
      calls++;
      byte[] plaintext = null;
      try {
        DecryptResponse r = kms.decrypt(b -> b.keyId(keyArn).ciphertextBlob(SdkBytes.fromByteArray(edk.ciphertext()))
            .encryptionAlgorithm(algorithm).grantTokens(grantTokens));
        plaintext = r.plaintext().asByteArray();
        if (!keyArn.equals(r.keyId())) {
          attempts.add(new Attempt(keyArn, "KMS Decrypt answered for key " + r.keyId()));
          continue;
        }
        if (plaintext.length != DIGEST_LENGTH + materials.suite().dataKeyLength()) {
          attempts.add(new Attempt(keyArn, "KMS Decrypt returned " + plaintext.length + " bytes, not a context "
              + "digest and a " + materials.suite().dataKeyLength() + "-byte data key"));
          continue;
        }
        if (!MessageDigest.isEqual(expectedDigest, Arrays.copyOf(plaintext, DIGEST_LENGTH))) {
          attempts.add(new Attempt(keyArn, "the data key was encrypted with a different encryption context"));
          continue;
        }
        return materials.toBuilder().dataKey(DataKey.wrap(Arrays.copyOfRange(plaintext, DIGEST_LENGTH,
            plaintext.length)), keyArn).addKmsCalls(calls).build();
      } catch (SdkException e) {
        attempts.add(new Attempt(keyArn, KmsErrors.translate("Decrypt", keyArn, e).getMessage()));
      } finally {
        if (plaintext != null) {
          Arrays.fill(plaintext, (byte) 0);
        }
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyArn, "the message has no data key encrypted under this KMS RSA key (it has "
          + others + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts, null, calls);
  }

  private void checkUnsigned(dev.envelope.core.AlgorithmSuite suite) {
    if (suite.signature() != dev.envelope.core.AlgorithmSuite.Signature.NONE) {
      throw new EnvelopeException("The KMS RSA keyring cannot be used with " + suite + ": its public key lets anyone "
          + "write a message, so a signature would prove nothing (the AWS library refuses it too); choose a suite "
          + "without ECDSA, such as AES_256_GCM_HKDF_SHA512_COMMIT_KEY");
    }
  }

  private OAEPParameterSpec oaep() {
    return algorithm == EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1
        ? new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT)
        : new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
  }

  private static byte[] digest(Map<String, String> context) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(EncryptionContextCodec.serialize(context));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-384 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "KmsRsaKeyring[" + keyArn + ", " + algorithm + (publicKey == null ? ", decrypt only" : "") + "]";
  }

  /** Builder: the KMS key ARN and the algorithm are required; a public key to encrypt, a client to decrypt. */
  public static final class Builder {
    private KmsClient kms;
    private String keyArn;
    private EncryptionAlgorithmSpec algorithm;
    private RSAPublicKey publicKey;
    private List<String> grantTokens = List.of();

    private Builder() {}

    /** The client that decrypts; required to decrypt. */
    public Builder kmsClient(KmsClient kms) {
      this.kms = Objects.requireNonNull(kms, "kms");
      return this;
    }

    /** The asymmetric KMS key (a key ARN, not an alias), written into each EDK. Required. */
    public Builder keyArn(String keyArn) {
      this.keyArn = keyArn;
      return this;
    }

    /** {@code RSAES_OAEP_SHA_1} or {@code RSAES_OAEP_SHA_256}, as the key allows. Required. */
    public Builder encryptionAlgorithm(EncryptionAlgorithmSpec algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** The key's public key, at least 2048 bits; required to encrypt. */
    public Builder publicKey(PublicKey publicKey) {
      if (!(publicKey instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException("The public key must be an RSA key of at least 2048 bits");
      }
      this.publicKey = rsa;
      return this;
    }

    /** The public key as KMS {@code GetPublicKey} returns it (DER SubjectPublicKeyInfo). */
    public Builder publicKey(byte[] derSubjectPublicKeyInfo) {
      try {
        return publicKey(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
            derSubjectPublicKeyInfo)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("Not a DER-encoded RSA public key: " + e.getMessage(), e);
      }
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = List.copyOf(grantTokens);
      return this;
    }

    public KmsRsaKeyring build() {
      if (keyArn == null || KmsArn.parse(keyArn).isEmpty()) {
        throw new IllegalArgumentException("keyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), "
            + "not an alias: it is written into each EDK: " + keyArn);
      }
      Objects.requireNonNull(algorithm, "encryptionAlgorithm");
      if (algorithm != EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1
          && algorithm != EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256) {
        throw new IllegalArgumentException("encryptionAlgorithm must be RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256, not "
            + algorithm);
      }
      if (kms == null && publicKey == null) {
        throw new IllegalArgumentException("Give a public key (to encrypt), a KMS client (to decrypt), or both");
      }
      return new KmsRsaKeyring(this);
    }
  }
}
