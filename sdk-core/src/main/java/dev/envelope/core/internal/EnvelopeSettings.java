package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.materials.EncryptionRequest;
import java.util.Map;
import java.util.Objects;

/** The immutable configuration an {@code Envelope} and its streams share. */
public record EnvelopeSettings(
    CryptoMaterialsManager materialsManager,
    CommitmentPolicy commitmentPolicy,
    AlgorithmSuite suite,
    int frameLength,
    int maxEncryptedDataKeys,
    Auditor auditor) {

  /** The reserved prefix of encryption-context keys (ESDK spec: encrypt MUST fail on it). */
  public static final String RESERVED_PREFIX = "aws-crypto-";

  public EnvelopeSettings {
    Objects.requireNonNull(materialsManager, "materialsManager");
    Objects.requireNonNull(commitmentPolicy, "commitmentPolicy");
    Objects.requireNonNull(auditor, "auditor");
  }

  /** Materials for one message, checked against the commitment policy and the EDK limit. */
  public EncryptionMaterials encryptionMaterials(Map<String, String> context, long plaintextLength) {
    for (String key : context.keySet()) {
      if (key.startsWith(RESERVED_PREFIX)) {
        throw new PolicyViolationException("Encryption context key '" + key + "' uses the reserved prefix '"
            + RESERVED_PREFIX + "'");
      }
    }
    EncryptionMaterials materials = materialsManager.getEncryptionMaterials(EncryptionRequest.builder()
        .encryptionContext(context)
        .suite(suite)
        .commitmentPolicy(commitmentPolicy)
        .plaintextLength(plaintextLength)
        .build());
    if (!commitmentPolicy.allowsEncrypt(materials.suite())) {
      throw new PolicyViolationException("Materials manager chose " + materials.suite() + ", which commitment "
          + "policy " + commitmentPolicy + " does not allow for encryption");
    }
    if (suite != null && materials.suite() != suite) {
      throw new PolicyViolationException("Materials manager chose " + materials.suite() + " but " + suite
          + " was configured");
    }
    if (materials.encryptedDataKeys().size() > maxEncryptedDataKeys) {
      throw new PolicyViolationException("Materials have " + materials.encryptedDataKeys().size()
          + " encrypted data keys, over the configured maximum of " + maxEncryptedDataKeys);
    }
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (!e.getValue().equals(materials.encryptionContext().get(e.getKey()))) {
        throw new PolicyViolationException("Materials manager changed encryption context key '" + e.getKey() + "'");
      }
    }
    return materials;
  }

  public EnvelopeSettings withAuditor(Auditor newAuditor) {
    return new EnvelopeSettings(materialsManager, commitmentPolicy, suite, frameLength, maxEncryptedDataKeys,
        newAuditor);
  }
}
