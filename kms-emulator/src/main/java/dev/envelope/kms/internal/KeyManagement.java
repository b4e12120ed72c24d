package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription, ScheduleKeyDeletion,
 * CancelKeyDeletion, key policies and tags.
 */
final class KeyManagement {
  static final Set<String> KEY_SPECS = Set.of("SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096",
      "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384",
      "HMAC_512", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024", "ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65",
      "ML_DSA_87");

  private final KmsEngine engine;

  KeyManagement(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("CreateKey", this::createKey);
    ops.put("DescribeKey", this::describeKey);
    ops.put("ListKeys", this::listKeys);
    ops.put("EnableKey", this::enableKey);
    ops.put("DisableKey", this::disableKey);
    ops.put("UpdateKeyDescription", this::updateDescription);
    ops.put("ScheduleKeyDeletion", this::scheduleDeletion);
    ops.put("CancelKeyDeletion", this::cancelDeletion);
    ops.put("GetKeyPolicy", this::getKeyPolicy);
    ops.put("PutKeyPolicy", this::putKeyPolicy);
    ops.put("ListKeyPolicies", this::listKeyPolicies);
    ops.put("TagResource", this::tagResource);
    ops.put("UntagResource", this::untagResource);
    ops.put("ListResourceTags", this::listResourceTags);
  }

  static String defaultPolicy(String account) {
    return "{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{\"Sid\":\"Enable IAM User "
        + "Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account + ":root\"},"
        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
  }

  /** LocalStack's CreateKey tag that sets the new key's id. */
  static final String CUSTOM_ID_TAG = "_custom_id_";
  /** LocalStack's CreateKey tag that sets the new key's material (base64). */
  static final String CUSTOM_KEY_MATERIAL_TAG = "_custom_key_material_";

  private ObjectNode createKey(Call call) {
    var req = call.request;
    String keySpec = Json.optionalString(req, "KeySpec");
    if (keySpec == null) {
      keySpec = Json.optionalString(req, "CustomerMasterKeySpec");
    }
    keySpec = keySpec == null ? "SYMMETRIC_DEFAULT" : keySpec;
    if (!KEY_SPECS.contains(keySpec)) {
      throw KmsError.constraint("keySpec", keySpec, "Member must satisfy enum value set: " + KEY_SPECS);
    }
    String usage = Json.optionalString(req, "KeyUsage");
    usage = KeyUsages.validate(keySpec, usage);
    String origin = Json.optionalString(req, "Origin");
    origin = origin == null ? "AWS_KMS" : origin;
    if (!origin.equals("AWS_KMS") && !origin.equals("EXTERNAL")) {
      throw new KmsError("UnsupportedOperationException", "Origin " + origin + " is not supported by the emulator.");
    }
    String description = Json.optionalString(req, "Description");
    if (description != null && description.length() > 8192) {
      throw KmsError.constraint("description", "…", "Member must have length less than or equal to 8192");
    }
    boolean multiRegion = Json.bool(req, "MultiRegion");
    String account = call.principal.accountId();
    String policyText = Json.optionalString(req, "Policy");
    PolicyDocument policy = policyText == null ? PolicyDocument.parse(defaultPolicy(account), true)
        : PolicyDocument.parse(policyText, true);
    Map<String, String> tags = new java.util.LinkedHashMap<>(Tags.parse(req));
    engine.authorizeIdentity(call, "CreateKey");
    String keyId = engine.newKeyId(multiRegion);
    byte[] customMaterial = null;
    if (engine.localStackConventions) {
      // LocalStack's conventions, which suites rely on for stable ARNs and ciphertexts: the tags steer the key and
      // are not kept (the material must not be readable from ListResourceTags).
      String customId = tags.remove(CUSTOM_ID_TAG);
      if (customId != null) {
        if (!customId.matches("[A-Za-z0-9:/_-]{1,256}")) {
          throw KmsError.validation("Tag " + CUSTOM_ID_TAG + " must be 1 to 256 letters, digits, ':', '/', '_' or "
              + "'-': " + customId);
        }
        if (engine.keys.containsKey(Arns.key(call.region, account, customId))) {
          throw new KmsError("AlreadyExistsException", "A key with the id " + customId + " (tag " + CUSTOM_ID_TAG
              + ") already exists in " + account + "/" + call.region + ".");
        }
        keyId = customId;
      }
      String material = tags.remove(CUSTOM_KEY_MATERIAL_TAG);
      if (material != null) {
        try {
          customMaterial = java.util.Base64.getDecoder().decode(material);
        } catch (IllegalArgumentException e) {
          throw KmsError.validation("Tag " + CUSTOM_KEY_MATERIAL_TAG + " must be base64 key material");
        }
        if (!origin.equals("AWS_KMS")) {
          throw KmsError.validation("Tag " + CUSTOM_KEY_MATERIAL_TAG + " cannot be used with Origin " + origin);
        }
      }
    }

    KmsKey key = new KmsKey(account, call.region, keyId, engine.clock.instant());
    key.keySpec = keySpec;
    key.keyUsage = usage;
    key.origin = origin;
    key.description = description == null ? "" : description;
    key.policy = policy;
    key.multiRegion = multiRegion;
    key.primaryRegion = multiRegion ? call.region : null;
    key.tags.putAll(tags);
    key.shared = new KmsKey.SharedMaterial();
    key.shared.regions.add(call.region);
    if (policyText != null && !Json.bool(req, "BypassPolicyLockoutSafetyCheck")) {
      lockoutCheck(call, key);
    }
    if (origin.equals("EXTERNAL")) {
      key.state = KeyState.PendingImport;
    } else if (customMaterial != null) {
      try {
        key.shared.versions.add(KeyImport.toKeyMaterial(key, customMaterial, key.created));
      } catch (KmsError e) {
        throw KmsError.validation("Tag " + CUSTOM_KEY_MATERIAL_TAG + " does not fit key spec " + keySpec + ": "
            + e.getMessage());
      } finally {
        java.util.Arrays.fill(customMaterial, (byte) 0);
      }
      key.state = KeyState.Enabled;
    } else {
      Rotation.addMaterial(engine, key, key.created, null);
      key.state = KeyState.Enabled;
    }
    engine.keys.put(key.arn(), key);
    call.resourceArns.add(key.arn());
    call.requestParameters.put("keySpec", keySpec).put("keyUsage", usage).put("origin", origin);
    ObjectNode out = Json.object();
    out.set("KeyMetadata", metadata(key));
    return out;
  }

  /** KMS refuses a policy that would lock the caller out of PutKeyPolicy, unless the caller bypasses the check. */
  void lockoutCheck(Call call, KmsKey key) {
    try {
      Authorizer.check(key, call.principal, engine.iamPoliciesOf(call.principal), "PutKeyPolicy", Map.of(), null,
          call.sourceIp, engine.clock.instant());
    } catch (KmsError e) {
      throw new KmsError("MalformedPolicyDocumentException", "The new key policy will not allow you to update the "
          + "key policy in the future.");
    }
  }

  ObjectNode metadata(KmsKey key) {
    ObjectNode m = Json.object();
    m.put("AWSAccountId", key.accountId);
    m.put("KeyId", key.keyId);
    m.put("Arn", key.arn());
    Json.putTime(m, "CreationDate", key.created);
    m.put("Enabled", key.state == KeyState.Enabled);
    m.put("Description", key.description);
    m.put("KeyUsage", key.keyUsage);
    m.put("KeyState", key.state.name());
    Json.putTime(m, "DeletionDate", key.deletionDate);
    if (key.state == KeyState.PendingReplicaDeletion && key.pendingWindowDays != null) {
      m.put("PendingDeletionWindowInDays", key.pendingWindowDays); // KMS gives it in this state only
    }
    m.put("Origin", key.origin);
    m.put("KeyManager", key.awsManaged ? "AWS" : "CUSTOMER");
    m.put("CustomerMasterKeySpec", key.keySpec);
    m.put("KeySpec", key.keySpec);
    KeyUsages.putAlgorithms(m, key);
    m.put("MultiRegion", key.multiRegion);
    if (key.multiRegion) {
      ObjectNode config = m.putObject("MultiRegionConfiguration");
      config.put("MultiRegionKeyType", key.isPrimary() ? "PRIMARY" : "REPLICA");
      config.putObject("PrimaryKey").put("Arn", Arns.key(key.primaryRegion, key.accountId, key.keyId))
          .put("Region", key.primaryRegion);
      ArrayNode replicas = config.putArray("ReplicaKeys");
      for (String region : key.shared.regions) {
        if (!region.equals(key.primaryRegion)) {
          replicas.addObject().put("Arn", Arns.key(region, key.accountId, key.keyId)).put("Region", region);
        }
      }
    }
    KeyMaterial current = key.shared.current();
    if (current != null && key.isSymmetric()) {
      m.put("CurrentKeyMaterialId", current.idHex());
    }
    if (key.origin.equals("EXTERNAL")) {
      m.put("ExpirationModel", key.expirationModel == null ? "KEY_MATERIAL_DOES_NOT_EXPIRE" : key.expirationModel);
      Json.putTime(m, "ValidTo", key.validTo);
    }
    return m;
  }

  private KmsKey managed(Call call, String operation) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    KmsKey key = engine.resolve(call, id, false);
    engine.authorize(call, key, operation, Map.of());
    if (!READS.contains(operation)) {
      AwsManagedKeys.refuseChange(call, key, operation);
    }
    return key;
  }

  /** The management operations that only read a key, which AWS managed keys answer too. */
  private static final Set<String> READS = Set.of("GetKeyPolicy", "ListKeyPolicies", "ListResourceTags");

  private ObjectNode describeKey(Call call) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    KmsKey key = engine.resolve(call, id, true);
    engine.authorize(call, key, "DescribeKey", Map.of());
    ObjectNode out = Json.object();
    out.set("KeyMetadata", metadata(key));
    return out;
  }

  private ObjectNode listKeys(Call call) {
    int limit = Pages.limit(call.request, 1000, 100);
    engine.authorizeIdentity(call, "ListKeys");
    List<KmsKey> mine = engine.keys.values().stream()
        .filter(k -> k.accountId.equals(call.principal.accountId()) && k.region.equals(call.region)).toList();
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Keys");
    Pages.page(call.request, mine, limit, out, k -> array.addObject().put("KeyId", k.keyId).put("KeyArn", k.arn()));
    return out;
  }

  private ObjectNode enableKey(Call call) {
    KmsKey key = managed(call, "EnableKey");
    stateForEnableDisable(key);
    key.state = KeyState.Enabled;
    return Json.object();
  }

  private ObjectNode disableKey(Call call) {
    KmsKey key = managed(call, "DisableKey");
    stateForEnableDisable(key);
    key.state = KeyState.Disabled;
    return Json.object();
  }

  private static void stateForEnableDisable(KmsKey key) {
    KmsEngine.requireNotPendingDeletion(key);
    if (key.state == KeyState.PendingImport) {
      throw KmsError.invalidState(key.arn() + " is pending import.");
    }
    if (key.state == KeyState.Creating || key.state == KeyState.Updating) {
      throw KmsError.invalidState(key.arn() + " is " + key.state.name().toLowerCase() + ".");
    }
  }

  private ObjectNode updateDescription(Call call) {
    KmsKey key = managed(call, "UpdateKeyDescription");
    String description = Json.string(call.request, "Description");
    if (description.length() > 8192) {
      throw KmsError.constraint("description", "…", "Member must have length less than or equal to 8192");
    }
    KmsEngine.requireNotPendingDeletion(key);
    key.description = description;
    return Json.object();
  }

  private ObjectNode scheduleDeletion(Call call) {
    Integer window = Json.optionalInt(call.request, "PendingWindowInDays", Integer.MIN_VALUE, Integer.MAX_VALUE);
    int days = window == null ? 30 : window;
    if (days < 7) {
      throw KmsError.constraint("pendingWindowInDays", days, "Member must have value greater than or equal to 7");
    }
    if (days > 30) {
      throw KmsError.constraint("pendingWindowInDays", days, "Member must have value less than or equal to 30");
    }
    KmsKey key = managed(call, "ScheduleKeyDeletion");
    KmsEngine.requireNotPendingDeletion(key);
    if (key.state == KeyState.Updating) {
      throw KmsError.invalidState(key.arn() + " is updating.");
    }
    key.pendingWindowDays = days;
    if (key.multiRegion && key.isPrimary() && key.shared.regions.size() > 1) {
      // KMS waits for the replicas to be deleted before the primary's own waiting period starts.
      key.state = KeyState.PendingReplicaDeletion;
      key.deletionDate = null;
    } else {
      key.state = KeyState.PendingDeletion;
      key.deletionDate = engine.clock.instant().plus(Duration.ofDays(days));
    }
    call.requestParameters.put("pendingWindowInDays", days);
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn());
    Json.putTime(out, "DeletionDate", key.deletionDate);
    out.put("KeyState", key.state.name());
    out.put("PendingWindowInDays", days);
    return out;
  }

  private ObjectNode cancelDeletion(Call call) {
    KmsKey key = managed(call, "CancelKeyDeletion");
    if (key.state != KeyState.PendingDeletion && key.state != KeyState.PendingReplicaDeletion) {
      throw KmsError.invalidState(key.arn() + " is not pending deletion.");
    }
    key.state = KeyState.Disabled; // as KMS: a recovered key must be enabled again explicitly
    key.deletionDate = null;
    key.pendingWindowDays = null;
    return Json.object().put("KeyId", key.arn());
  }

  private static void policyName(Call call) {
    String name = Json.optionalString(call.request, "PolicyName");
    if (name != null && !name.equals("default")) {
      throw KmsError.notFound("No such policy exists");
    }
  }

  private ObjectNode getKeyPolicy(Call call) {
    KmsKey key = managed(call, "GetKeyPolicy");
    policyName(call);
    return Json.object().put("Policy", key.policy.text()).put("PolicyName", "default");
  }

  private ObjectNode putKeyPolicy(Call call) {
    KmsKey key = managed(call, "PutKeyPolicy");
    policyName(call);
    KmsEngine.requireNotPendingDeletion(key);
    PolicyDocument policy = PolicyDocument.parse(Json.string(call.request, "Policy"), true);
    PolicyDocument previous = key.policy;
    key.policy = policy;
    if (!Json.bool(call.request, "BypassPolicyLockoutSafetyCheck")) {
      try {
        lockoutCheck(call, key);
      } catch (KmsError e) {
        key.policy = previous;
        throw e;
      }
    }
    return Json.object();
  }

  private ObjectNode listKeyPolicies(Call call) {
    managed(call, "ListKeyPolicies");
    ObjectNode out = Json.object();
    out.putArray("PolicyNames").add("default");
    out.put("Truncated", false);
    return out;
  }

  private ObjectNode tagResource(Call call) {
    KmsKey key = managed(call, "TagResource");
    KmsEngine.requireNotPendingDeletion(key);
    Map<String, String> tags = Tags.parse(call.request);
    if (tags.isEmpty() && !call.request.has("Tags")) {
      throw KmsError.constraint("tags", null, "Member must not be null");
    }
    Tags.checkCount(key.tags, tags);
    key.tags.putAll(tags);
    return Json.object();
  }

  private ObjectNode untagResource(Call call) {
    KmsKey key = managed(call, "UntagResource");
    KmsEngine.requireNotPendingDeletion(key);
    for (String k : Json.stringList(call.request, "TagKeys")) {
      key.tags.remove(k);
    }
    return Json.object();
  }

  private ObjectNode listResourceTags(Call call) {
    int limit = Pages.limit(call.request, 50, 50);
    KmsKey key = managed(call, "ListResourceTags");
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Tags");
    Pages.page(call.request, List.copyOf(key.tags.entrySet()), limit, out,
        t -> array.addObject().put("TagKey", t.getKey()).put("TagValue", t.getValue()));
    return out;
  }
}
