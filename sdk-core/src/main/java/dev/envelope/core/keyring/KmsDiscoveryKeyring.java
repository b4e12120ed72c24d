package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.KmsErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;

/**
 * Decrypts with whichever KMS key wrapped the data key, as the AWS Encryption SDK's (MRK-aware) discovery keyring:
 * for each {@code aws-kms} encrypted data key whose ARN passes the filter (partition and accounts), KMS is asked to
 * decrypt with that ARN. Keys in another Region are skipped, except multi-Region keys, which are tried as their
 * related key in the client's Region. Decrypt only.
 *
 * <p>Always set an account filter in production: without one, a message can make the keyring call KMS with any
 * key in any account the caller can use. Immutable and thread-safe.
 */
public final class KmsDiscoveryKeyring implements Keyring {
  private final KmsClient kms;
  private final String region;
  private final String partition;
  private final Set<String> accounts;
  private final int maxDecryptFailures;

  private KmsDiscoveryKeyring(Builder b) {
    this.maxDecryptFailures = b.maxDecryptFailures;
    this.kms = b.kms;
    this.region = b.region != null ? b.region : b.kms.serviceClientConfiguration().region().id();
    this.partition = b.partition;
    this.accounts = Set.copyOf(b.accounts);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    throw new EnvelopeException("A KMS discovery keyring only decrypts; encrypt with a KmsKeyring");
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    List<Attempt> attempts = new ArrayList<>();
    Map<String, Integer> failures = new HashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    int calls = 0;
    SdkException last = null;
    for (EncryptedDataKey edk : encryptedDataKeys) {
      if (!edk.providerId().equals(KmsKeyring.PROVIDER_ID)) {
        continue;
      }
      String info = edk.providerInfoAsString();
      Optional<KmsArn> parsed = KmsArn.parse(info);
      if (parsed.isEmpty()) {
        attempts.add(new Attempt(info, "not a KMS key ARN"));
        continue;
      }
      KmsArn arn = parsed.get();
      if (!arn.partition().equals(partition) || !accounts.isEmpty() && !accounts.contains(arn.account())) {
        attempts.add(new Attempt(arn.toString(), "outside the discovery filter (partition " + partition
            + ", accounts " + accounts + ")"));
        continue;
      }
      if (!arn.region().equals(region)) {
        if (!arn.isMultiRegion()) {
          attempts.add(new Attempt(arn.toString(), "in Region " + arn.region() + ", the KMS client is in " + region));
          continue;
        }
        arn = arn.inRegion(region);
      }
      String keyArn = arn.toString();
      if (failures.getOrDefault(keyArn, 0) >= maxDecryptFailures) {
        skipped.merge(keyArn, 1, Integer::sum);
        continue;
      }
      calls++;
      try {
        DecryptResponse r = kms.decrypt(b -> b.keyId(keyArn).ciphertextBlob(SdkBytes.fromByteArray(edk.ciphertext()))
            .encryptionContext(materials.encryptionContext()));
        byte[] plaintext = r.plaintext().asByteArray();
        if (!keyArn.equals(r.keyId()) || plaintext.length != materials.suite().dataKeyLength()) {
          java.util.Arrays.fill(plaintext, (byte) 0);
          failures.merge(keyArn, 1, Integer::sum);
          attempts.add(new Attempt(keyArn, "KMS Decrypt returned key " + r.keyId() + " or a data key of the wrong "
              + "length"));
          continue;
        }
        return materials.toBuilder().dataKey(DataKey.wrap(plaintext), keyArn).addKmsCalls(calls).build();
      } catch (SdkException e) {
        last = e;
        failures.merge(keyArn, 1, Integer::sum);
        attempts.add(new Attempt(keyArn, KmsErrors.translate("Decrypt", keyArn, e).getMessage()));
      }
    }
    skipped.forEach((keyArn, count) -> attempts.add(KmsDecryptBudget.skipped(keyArn, count, maxDecryptFailures)));
    if (attempts.isEmpty()) {
      attempts.add(new Attempt("aws-kms discovery", "the message has no data key encrypted by KMS"));
    }
    throw new NoKeyringCouldDecryptException(attempts,
        last == null ? null : KmsErrors.translate("Decrypt", "discovery", last), calls);
  }

  @Override
  public String toString() {
    return "KmsDiscoveryKeyring[" + region + ", " + partition + ", accounts=" + accounts + "]";
  }

  /** Builder: a KMS client is required; the filter defaults to partition aws and any account. */
  public static final class Builder {
    private KmsClient kms;
    private String region;
    private String partition = "aws";
    private Set<String> accounts = Set.of();
    private int maxDecryptFailures = KmsDecryptBudget.DEFAULT_MAX_FAILURES_PER_KEY;

    private Builder() {}

    /** The client that calls KMS; its Region must hold the keys tried. Required. */
    public Builder kmsClient(KmsClient kms) {
      this.kms = kms;
      return this;
    }

    /** The client's Region; read from the client when not set. Unset by default. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** Only keys in this partition are tried. {@code aws} by default. */
    public Builder partition(String partition) {
      this.partition = Objects.requireNonNull(partition, "partition");
      return this;
    }

    /**
     * Only keys in these accounts are tried. Empty by default: any account (set it unless every account is trusted).
     */
    public Builder accounts(Set<String> accounts) {
      this.accounts = Objects.requireNonNull(accounts, "accounts");
      return this;
    }

    /**
     * How many failed {@code Decrypt} calls one message may cause per KMS key before the remaining encrypted data
     * keys naming that key are skipped (a bound against forged messages).
     * {@value KmsDecryptBudget#DEFAULT_MAX_FAILURES_PER_KEY} by default.
     */
    public Builder maxDecryptFailuresPerKey(int maxDecryptFailures) {
      this.maxDecryptFailures = KmsDecryptBudget.check(maxDecryptFailures);
      return this;
    }

    public KmsDiscoveryKeyring build() {
      Objects.requireNonNull(kms, "kmsClient");
      return new KmsDiscoveryKeyring(this);
    }
  }
}
