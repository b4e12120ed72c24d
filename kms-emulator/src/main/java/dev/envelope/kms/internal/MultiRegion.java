package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * ReplicateKey and UpdatePrimaryRegion. Related multi-Region keys share one {@link KmsKey.SharedMaterial}: every
 * version of the key material and the rotation settings, so a ciphertext from any of them decrypts with any other
 * and a rotation of the primary is seen by every replica at once. Description, policy, grants, aliases, tags and
 * Enabled/Disabled stay per key, as in KMS.
 */
final class MultiRegion {
  private static final Pattern REGION = Pattern.compile("([a-z]+-){2,3}\\d+");

  private final KmsEngine engine;
  private final KeyManagement management;

  MultiRegion(KmsEngine engine, KeyManagement management) {
    this.engine = engine;
    this.management = management;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("ReplicateKey", this::replicateKey);
    ops.put("UpdatePrimaryRegion", this::updatePrimaryRegion);
  }

  private static String region(Call call, String member) {
    String region = Json.string(call.request, member);
    if (region.isEmpty() || region.length() > 32 || !REGION.matcher(region).matches()) {
      throw KmsError.constraint(Character.toLowerCase(member.charAt(0)) + member.substring(1), region,
          "Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$");
    }
    call.requestParameters.put(Character.toLowerCase(member.charAt(0)) + member.substring(1), region);
    return region;
  }

  /** A multi-Region key usable for a multi-Region operation: KMS's state checks for ReplicateKey. */
  private static void requireMultiRegionPrimary(KmsKey key) {
    if (!key.multiRegion || !key.isPrimary()) {
      throw new KmsError("UnsupportedOperationException", key.arn() + " is not a multi-region primary key.");
    }
    switch (key.state) {
      case Enabled -> { }
      case Disabled -> throw KmsError.disabled(key.arn());
      case PendingDeletion, PendingReplicaDeletion -> throw KmsError.invalidState(key.arn() + " is pending deletion.");
      case PendingImport -> throw KmsError.invalidState(key.arn() + " is pending import.");
      default -> throw KmsError.invalidState(key.arn() + " is " + key.state.name().toLowerCase() + ".");
    }
  }

  private ObjectNode replicateKey(Call call) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    String replicaRegion = region(call, "ReplicaRegion");
    KmsKey primary = engine.resolve(call, id, false);
    engine.authorize(call, primary, "ReplicateKey", Map.of());
    requireMultiRegionPrimary(primary);
    if (primary.shared.regions.contains(replicaRegion)) {
      throw new KmsError("AlreadyExistsException", "Multi-region key " + primary.keyId + " already has a key in "
          + replicaRegion + ".");
    }
    String description = Json.optionalString(call.request, "Description");
    String policyText = Json.optionalString(call.request, "Policy");
    PolicyDocument policy = PolicyDocument.parse(policyText == null
        ? KeyManagement.defaultPolicy(primary.accountId) : policyText, true);
    Map<String, String> tags = Tags.parse(call.request);

    KmsKey replica = new KmsKey(primary.accountId, replicaRegion, primary.keyId, engine.clock.instant());
    replica.keySpec = primary.keySpec;
    replica.keyUsage = primary.keyUsage;
    replica.origin = primary.origin;
    replica.description = description == null ? "" : description;
    replica.policy = policy;
    replica.multiRegion = true;
    replica.primaryRegion = primary.primaryRegion;
    replica.tags.putAll(tags);
    replica.shared = primary.shared;
    if (policyText != null && !Json.bool(call.request, "BypassPolicyLockoutSafetyCheck")) {
      management.lockoutCheck(call, replica);
    }
    // KMS answers "Creating" and finishes asynchronously; the emulator finishes before the next call.
    replica.state = KeyState.Creating;
    primary.shared.regions.add(replicaRegion);
    engine.keys.put(replica.arn(), replica);
    call.resourceArns.add(replica.arn());

    ObjectNode out = Json.object();
    out.set("ReplicaKeyMetadata", management.metadata(replica));
    out.put("ReplicaPolicy", policy.text());
    ArrayNode tagArray = out.putArray("ReplicaTags");
    tags.forEach((k, v) -> tagArray.addObject().put("TagKey", k).put("TagValue", v));
    return out;
  }

  private ObjectNode updatePrimaryRegion(Call call) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    String newPrimaryRegion = region(call, "PrimaryRegion");
    KmsKey primary = engine.resolve(call, id, false);
    engine.authorize(call, primary, "UpdatePrimaryRegion", Map.of());
    if (!primary.multiRegion) {
      throw new KmsError("UnsupportedOperationException", primary.arn() + " is not a multi-region key.");
    }
    requireMultiRegionPrimary(primary);
    KmsKey replica = engine.keyById(newPrimaryRegion, primary.accountId, primary.keyId);
    if (replica == null) {
      throw KmsError.notFound("Key '" + Arns.key(newPrimaryRegion, primary.accountId, primary.keyId)
          + "' does not exist");
    }
    call.resourceArns.add(replica.arn());
    if (replica == primary) {
      return Json.object(); // already the primary: KMS accepts this as a no-op
    }
    // Both key policies must allow the call: the replica's is evaluated in its own Region.
    engine.authorize(call, replica, "UpdatePrimaryRegion", Map.of());
    KmsEngine.requireUsable(replica);
    for (String region : primary.shared.regions) {
      KmsKey related = engine.keyById(region, primary.accountId, primary.keyId);
      if (related != null) {
        related.primaryRegion = newPrimaryRegion;
      }
    }
    // Both keys are "Updating" until KMS's asynchronous work ends; here, until the next call.
    primary.state = KeyState.Updating;
    replica.state = KeyState.Updating;
    return Json.object();
  }
}
