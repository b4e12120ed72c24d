package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.envelope.kms.internal.KmsEngine;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every operation the emulator promises is served, and no other. */
class OperationsTest {
  private static final Set<String> PROMISED = Set.of(
      "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
      "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom", "Sign", "Verify",
      "GetPublicKey", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
      "Encapsulate", "Decapsulate",
      "CreateKey", "DescribeKey", "ListKeys", "EnableKey", "DisableKey", "UpdateKeyDescription",
      "ScheduleKeyDeletion", "CancelKeyDeletion",
      "CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
      "EnableKeyRotation", "DisableKeyRotation", "GetKeyRotationStatus", "RotateKeyOnDemand", "ListKeyRotations",
      "GetKeyPolicy", "PutKeyPolicy", "ListKeyPolicies",
      "CreateGrant", "ListGrants", "ListRetirableGrants", "RetireGrant", "RevokeGrant",
      "TagResource", "UntagResource", "ListResourceTags",
      "ReplicateKey", "UpdatePrimaryRegion",
      "GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial");

  @Test
  void servesExactlyThePromisedOperations() {
    KmsEngine engine = new KmsEngine(new KmsEngine.Settings(Clock.systemUTC(), false, Map.of(), e -> { }, null, false));
    assertEquals(49, PROMISED.size());
    assertEquals(new TreeSet<>(PROMISED), new TreeSet<>(engine.operations()));
  }
}
