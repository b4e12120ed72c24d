package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.KmsErrors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * Wraps data keys with one AWS KMS key, compatible with the AWS Encryption SDK's AWS KMS keyring (and its
 * multi-Region-key-aware variant): provider id {@code aws-kms}, provider info the key ARN, ciphertext KMS's
 * ciphertext blob. The encryption context of the message is passed to KMS, so KMS binds and audits it.
 *
 * <p>Encrypt: {@code GenerateDataKey} (NumberOfBytes = the suite's key length), or {@code Encrypt} when the
 * materials already hold a data key (as the child of a {@link MultiKeyring}). Decrypt: only encrypted data keys
 * whose ARN is this key's (or, for multi-Region keys, a related key in another Region) are tried, with
 * {@code Decrypt} naming this key, so a ciphertext can never make the keyring use a key it was not given.
 *
 * <p>Works over any {@link KmsClient}: real KMS, LocalStack, or the Envelope KMS emulator. Every KMS request is
 * counted in the materials ({@code kmsCalls}) for audit. Immutable and thread-safe.
 */
public final class KmsKeyring implements Keyring {
  public static final String PROVIDER_ID = "aws-kms";

  private final KmsClient kms;
  private final String keyId;
  private final KmsArn arn;
  private final List<String> grantTokens;
  private final int maxDecryptFailures;

  private KmsKeyring(Builder b) {
    this.kms = b.kms;
    this.keyId = b.keyId;
    this.arn = KmsArn.parse(b.keyId).orElse(null);
    this.grantTokens = List.copyOf(b.grantTokens);
    this.maxDecryptFailures = b.maxDecryptFailures;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A keyring for {@code keyArn} over {@code kms}. */
  public static KmsKeyring create(KmsClient kms, String keyArn) {
    return builder().kmsClient(kms).keyId(keyArn).build();
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    int length = materials.suite().dataKeyLength();
    EncryptionMaterials.Builder out = materials.toBuilder().addKmsCalls(1);
    try {
      if (materials.dataKey().isEmpty()) {
        GenerateDataKeyResponse r = kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(length)
            .encryptionContext(materials.encryptionContext()).grantTokens(grantTokens));
        byte[] plaintext = r.plaintext().asByteArray();
        if (plaintext.length != length) {
          throw new EnvelopeException("KMS GenerateDataKey with key " + keyId + " returned " + plaintext.length
              + " bytes instead of " + length);
        }
        String responseArn = requireArn(r.keyId(), "GenerateDataKey");
        return out.dataKey(DataKey.wrap(plaintext))
            .addEncryptedDataKey(edk(responseArn, r.ciphertextBlob()), responseArn).build();
      }
      byte[] plaintext = materials.dataKey().get().toByteArray();
      try {
        EncryptResponse r = kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(plaintext))
            .encryptionContext(materials.encryptionContext()).grantTokens(grantTokens));
        String responseArn = requireArn(r.keyId(), "Encrypt");
        return out.addEncryptedDataKey(edk(responseArn, r.ciphertextBlob()), responseArn).build();
      } finally {
        java.util.Arrays.fill(plaintext, (byte) 0);
      }
    } catch (SdkException e) {
      throw KmsErrors.translate(materials.dataKey().isEmpty() ? "GenerateDataKey" : "Encrypt", keyId, e);
    }
  }

  private String requireArn(String responseKeyId, String operation) {
    if (responseKeyId == null || KmsArn.parse(responseKeyId).isEmpty()) {
      throw new EnvelopeException("KMS " + operation + " with key " + keyId + " returned a key id that is not a key "
          + "ARN: " + responseKeyId);
    }
    return responseKeyId;
  }

  private static EncryptedDataKey edk(String keyArn, SdkBytes ciphertext) {
    return EncryptedDataKey.of(PROVIDER_ID, keyArn.getBytes(StandardCharsets.UTF_8), ciphertext.asByteArray());
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    if (arn == null) {
      throw new NoKeyringCouldDecryptException(List.of(new Attempt(keyId, "a KMS keyring decrypts only with a key "
          + "ARN, not an alias or key id; configure the key ARN")));
    }
    List<Attempt> attempts = new ArrayList<>();
    int calls = 0;
    int failures = 0;
    int skipped = 0;
    SdkException last = null;
    for (EncryptedDataKey edk : encryptedDataKeys) {
      if (!edk.providerId().equals(PROVIDER_ID)) {
        continue;
      }
      Optional<KmsArn> wrappedBy = KmsArn.parse(edk.providerInfoAsString());
      if (wrappedBy.isEmpty() || !arn.matchesForDecrypt(wrappedBy.get())) {
        continue;
      }
      if (failures >= maxDecryptFailures) {
        skipped++;
        continue;
      }
      calls++;
      try {
        DecryptResponse r = kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(edk.ciphertext()))
            .encryptionContext(materials.encryptionContext()).grantTokens(grantTokens));
        byte[] plaintext = r.plaintext().asByteArray();
        if (!keyId.equals(r.keyId()) || plaintext.length != materials.suite().dataKeyLength()) {
          java.util.Arrays.fill(plaintext, (byte) 0);
          failures++;
          attempts.add(new Attempt(keyId, "KMS Decrypt returned key " + r.keyId() + " or a data key of the wrong "
              + "length"));
          continue;
        }
        return materials.toBuilder().dataKey(DataKey.wrap(plaintext), keyId).addKmsCalls(calls).build();
      } catch (SdkException e) {
        last = e;
        failures++;
        attempts.add(new Attempt(keyId, KmsErrors.translate("Decrypt", keyId, e).getMessage()));
      }
    }
    if (skipped > 0) {
      attempts.add(KmsDecryptBudget.skipped(keyId, skipped, maxDecryptFailures));
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(keyId, "the message has no data key encrypted under this KMS key (it has data keys "
          + "under " + encryptedDataKeys.stream().map(WrappingKeyIds::of).distinct().toList() + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts,
        last == null ? null : KmsErrors.translate("Decrypt", keyId, last), calls);
  }

  @Override
  public String toString() {
    return "KmsKeyring[" + keyId + "]";
  }

  /** Builder: a KMS client and a key id are required. */
  public static final class Builder {
    private KmsClient kms;
    private String keyId;
    private List<String> grantTokens = List.of();
    private int maxDecryptFailures = KmsDecryptBudget.DEFAULT_MAX_FAILURES_PER_KEY;

    private Builder() {}

    /** The client that calls KMS. Required. */
    public Builder kmsClient(KmsClient kms) {
      this.kms = kms;
      return this;
    }

    /**
     * The KMS key: a key ARN (needed to decrypt), or for encrypt-only use an alias or key id. Multi-Region key
     * ARNs also decrypt data keys wrapped by their related keys in other Regions. Required.
     */
    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /** Grant tokens passed with every request, for grants not yet visible everywhere. None by default. */
    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = Objects.requireNonNull(grantTokens, "grantTokens");
      return this;
    }

    /**
     * How many failed {@code Decrypt} calls one message may cause with this keyring's key before the remaining
     * encrypted data keys for it are skipped: a bound on the KMS requests (and cost, and throttling) a forged
     * message can trigger. {@value KmsDecryptBudget#DEFAULT_MAX_FAILURES_PER_KEY} by default.
     */
    public Builder maxDecryptFailuresPerKey(int maxDecryptFailures) {
      this.maxDecryptFailures = KmsDecryptBudget.check(maxDecryptFailures);
      return this;
    }

    public KmsKeyring build() {
      Objects.requireNonNull(kms, "kmsClient");
      Objects.requireNonNull(keyId, "keyId");
      if (keyId.isEmpty()) {
        throw new IllegalArgumentException("keyId is empty");
      }
      return new KmsKeyring(this);
    }
  }
}
