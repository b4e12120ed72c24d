package dev.envelope.kms.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A KMS key in one account and Region. Mutable, guarded by the engine's lock. Multi-Region related keys share one
 * {@link #materials} list (and rotation settings through the primary), as KMS shares key material across Regions.
 */
public final class KmsKey {
  final String accountId;
  final String region;
  final String keyId;
  final Instant created;
  String description = "";
  String keyUsage;
  String keySpec;
  String origin;
  KeyState state;
  Instant deletionDate;
  Integer pendingWindowDays;
  PolicyDocument policy;
  final Map<String, String> tags = new LinkedHashMap<>();
  final List<Grant> grants = new ArrayList<>();
  /** Shared between multi-Region related keys. */
  SharedMaterial shared;
  boolean multiRegion;
  /** An AWS managed key (alias/aws/<service>): KMS creates it, rotates it yearly, and nobody may change it. */
  boolean awsManaged;
  String primaryRegion;
  Instant validTo;
  String expirationModel;
  /** The outstanding GetParametersForImport answer (memory only: KMS's are valid for 24 hours). */
  ImportParameters importParameters;

  record ImportParameters(byte[] token, java.security.KeyPair wrappingKey, String wrappingAlgorithm,
      Instant validTo) {}

  KmsKey(String accountId, String region, String keyId, Instant created) {
    this.accountId = accountId;
    this.region = region;
    this.keyId = keyId;
    this.created = created;
  }

  /** Key material and rotation settings: one instance per (multi-Region) key family. */
  static final class SharedMaterial {
    final List<KeyMaterial> versions = new ArrayList<>();
    boolean rotationEnabled;
    int rotationPeriodDays = 365;
    Instant nextRotation;
    int onDemandRotations;
    final List<String> regions = new ArrayList<>();

    KeyMaterial current() {
      return versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }

    KeyMaterial find(byte[] id) {
      for (KeyMaterial m : versions) {
        if (java.util.Arrays.equals(m.id(), id)) {
          return m;
        }
      }
      return null;
    }
  }

  String arn() {
    return Arns.key(region, accountId, keyId);
  }

  boolean isSymmetric() {
    return "SYMMETRIC_DEFAULT".equals(keySpec);
  }

  boolean isHmac() {
    return keySpec.startsWith("HMAC_");
  }

  boolean isPrimary() {
    return multiRegion && region.equals(primaryRegion);
  }
}
