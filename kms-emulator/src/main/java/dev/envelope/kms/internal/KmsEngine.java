package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import dev.envelope.kms.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * The emulator's single engine behind every face (in-process client, HTTP server): KMS JSON 1.1 requests in, JSON
 * responses or {@link KmsError}s out. Time comes from an injectable clock: before each call, keys whose deletion
 * window has passed are deleted and keys due for automatic rotation are rotated, as KMS's background jobs would.
 *
 * <p>Thread-safe: calls are serialized on the engine (each is microseconds of work).
 */
public final class KmsEngine {
  /** Request-level settings of the engine. */
  public record Settings(Clock clock, boolean enforceAuthorization,
      Map<String, List<PolicyDocument>> iamPolicies, Consumer<ObjectNode> trail, DataDirectory data,
      boolean localStackConventions) {}

  final Clock clock;
  /** LocalStack's {@code _custom_id_} and {@code _custom_key_material_} CreateKey tags steer the key. */
  final boolean localStackConventions;
  /**
   * One DRBG for data keys, IVs and ids. The platform default (NativePRNG) reads /dev/urandom under a global lock on
   * every call, which under load made GenerateDataKey 2.5 times slower than Decrypt.
   */
  final SecureRandom random = newRandom();
  final Map<String, KmsKey> keys = new LinkedHashMap<>();
  final Map<String, Alias> aliases = new LinkedHashMap<>();
  /** Every grant token ever issued: tokens of retired grants stay valid syntax but grant nothing. */
  final java.util.Set<String> grantTokens = new java.util.HashSet<>();
  final boolean enforce;
  private final Map<String, List<PolicyDocument>> iamPolicies;
  private final Consumer<ObjectNode> trail;
  private final Map<String, Function<Call, ObjectNode>> operations = new HashMap<>();
  /** Where state is kept across restarts; null for memory only. */
  private final DataDirectory data;

  public KmsEngine(Settings settings) {
    this.clock = settings.clock();
    this.localStackConventions = settings.localStackConventions();
    this.enforce = settings.enforceAuthorization();
    this.iamPolicies = new HashMap<>(settings.iamPolicies());
    this.trail = settings.trail();
    this.data = settings.data();
    if (data != null) {
      DataDirectory.Contents contents = data.load();
      for (KmsKey key : contents.keys()) {
        keys.put(key.arn(), key);
        key.grants.forEach(g -> grantTokens.add(g.token()));
      }
      contents.aliases().forEach(a -> aliases.put(a.arn(), a));
    }
    KeyManagement management = new KeyManagement(this);
    management.register(operations);
    new MultiRegion(this, management).register(operations);
    new KeyImport(this).register(operations);
    SymmetricCrypto symmetric = new SymmetricCrypto(this);
    AsymmetricCrypto asymmetric = new AsymmetricCrypto(this, symmetric);
    symmetric.asymmetric = asymmetric;
    symmetric.register(operations);
    asymmetric.register(operations);
    new KeyEncapsulation(this).register(operations);
    new Macs(this).register(operations);
    new Aliases(this).register(operations);
    new Grants(this).register(operations);
    new Rotation(this).register(operations);
  }

  /** Names of the operations this engine serves. */
  public synchronized java.util.Set<String> operations() {
    return java.util.Set.copyOf(operations.keySet());
  }

  /** Handles one call; always records one CloudTrail event. */
  public synchronized ObjectNode handle(Call call) {
    ObjectNode response = null;
    KmsError error = null;
    try {
      runBackgroundJobs();
      Function<Call, ObjectNode> op = operations.get(call.operation);
      if (op == null) {
        throw new KmsError("UnknownOperationException", "Operation " + call.operation + " is not supported");
      }
      if (call.request == null || !call.request.isObject()) {
        throw new KmsError("SerializationException", "Request body must be a JSON object");
      }
      response = op.apply(call);
      if (data != null && !READ_ONLY.contains(call.operation)) {
        persist(call);
      }
      return response;
    } catch (KmsError e) {
      error = e;
      throw e;
    } catch (RuntimeException e) {
      error = new KmsError("KMSInternalException", "Internal error: " + e, 500);
      throw error;
    } finally {
      record(call, error);
    }
  }

  /** Adds the keys of a seed file that do not exist yet (see {@link Seeding}), and saves them. */
  public synchronized void seed(JsonNode keys, String defaultAccount, String defaultRegion) {
    List<KmsKey> added = Seeding.apply(this, keys, defaultAccount, defaultRegion);
    if (data != null && !added.isEmpty()) {
      added.forEach(data::saveKey);
      data.saveAliases(aliases.values());
    }
  }

  /** Identity policies of a principal, used when authorization is enforced. */
  public synchronized void putIamPolicy(Principal principal, PolicyDocument policy) {
    // The lists from the builder are immutable: a policy added later makes a new list.
    iamPolicies.compute(principal.arn(), (arn, existing) -> {
      List<PolicyDocument> all = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
      all.add(policy);
      return all;
    });
  }

  // ---- resolution -------------------------------------------------------------------------------------------

  /**
   * The key named by {@code id} (key id, key ARN, alias name or alias ARN), seen from the caller's account and the
   * call's Region. Management operations pass {@code allowAlias = false}, as KMS accepts only key ids and ARNs there.
   */
  KmsKey resolve(Call call, String id, boolean allowAlias) {
    if (id.isEmpty() || id.length() > 2048) {
      throw KmsError.constraint("keyId", id, "Member must have length between 1 and 2048");
    }
    String account = call.principal.accountId();
    String region = call.region;
    String keyId;
    Matcher arn = Arns.KEY_ARN.matcher(id);
    Matcher aliasArn = Arns.ALIAS_ARN.matcher(id);
    if (Arns.KEY_ID.matcher(id).matches()) {
      keyId = id;
    } else if (arn.matches()) {
      if (!arn.group(2).equals(region)) {
        throw KmsError.notFound("Invalid arn " + arn.group(2));
      }
      account = arn.group(3);
      keyId = arn.group(4);
    } else if (allowAlias && id.startsWith("alias/")) {
      keyId = aliasTarget(account, region, id);
    } else if (allowAlias && aliasArn.matches()) {
      if (!aliasArn.group(2).equals(region)) {
        throw KmsError.notFound("Invalid arn " + aliasArn.group(2));
      }
      account = aliasArn.group(3);
      keyId = aliasTarget(account, region, aliasArn.group(4));
    } else if (localStackConventions && keys.containsKey(Arns.key(region, account, id))) {
      keyId = id; // a key created with LocalStack's _custom_id_ tag, whose id need not look like KMS's
    } else {
      throw KmsError.notFound("Invalid keyId '" + id + "'");
    }
    KmsKey key = keys.get(Arns.key(region, account, keyId));
    if (key == null) {
      throw KmsError.notFound("Key '" + Arns.key(region, account, keyId) + "' does not exist");
    }
    call.resourceArns.add(key.arn());
    return key;
  }

  private String aliasTarget(String account, String region, String aliasName) {
    Alias alias = aliases.get(Arns.alias(region, account, aliasName));
    if (alias == null || alias.targetKeyId == null) {
      KmsKey managed = AwsManagedKeys.createOnFirstUse(this, account, region, aliasName);
      if (managed != null) {
        return managed.keyId;
      }
      throw KmsError.notFound("Alias " + Arns.alias(region, account, aliasName) + " is not found.");
    }
    return alias.targetKeyId;
  }


  KmsKey keyById(String region, String account, String keyId) {
    return keys.get(Arns.key(region, account, keyId));
  }

  // ---- authorization and state ------------------------------------------------------------------------------

  /** Authorizes {@code operation} on {@code key} for the caller (a no-op unless enforcement is on). */
  void authorize(Call call, KmsKey key, String operation, Map<String, String> context) {
    if (!enforce) {
      return;
    }
    Authorizer.check(key, call.principal, iamPoliciesOf(call.principal), operation, context, call.viaService,
        call.sourceIp, clock.instant());
  }

  /** Authorizes an operation that acts on no key: the caller's IAM policies decide (a no-op unless enforced). */
  void authorizeIdentity(Call call, String operation) {
    if (enforce) {
      Authorizer.checkIdentityOnly(call.principal, iamPoliciesOf(call.principal), operation, call.sourceIp,
          clock.instant());
    }
  }

  List<PolicyDocument> iamPoliciesOf(Principal principal) {
    if (!enforce || principal.isRoot()) {
      return List.of(PolicyDocument.parse(
          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}", false));
    }
    return iamPolicies.getOrDefault(principal.arn(), List.of());
  }

  /** KMS's key-state checks for cryptographic operations (key states table, footnotes 1, 3, 5, 14, 15). */
  static void requireUsable(KmsKey key) {
    switch (key.state) {
      case Enabled, Updating -> { }
      case Disabled -> throw KmsError.disabled(key.arn());
      case PendingDeletion, PendingReplicaDeletion ->
          throw KmsError.invalidState(key.arn() + " is pending deletion.");
      case PendingImport -> throw KmsError.invalidState(key.arn() + " is pending import.");
      case Creating -> throw KmsError.invalidState(key.arn() + " is creating.");
      default -> throw KmsError.invalidState(key.arn() + " is not usable.");
    }
  }

  /** The check of management operations that KMS refuses on keys pending deletion. */
  static void requireNotPendingDeletion(KmsKey key) {
    if (key.state == KeyState.PendingDeletion || key.state == KeyState.PendingReplicaDeletion) {
      throw KmsError.invalidState(key.arn() + " is pending deletion.");
    }
  }

  // ---- background jobs --------------------------------------------------------------------------------------

  /** Deletes keys whose waiting period ended and rotates keys that are due, as of the clock's now. */
  private void runBackgroundJobs() {
    Instant now = clock.instant();
    List<KmsKey> deleted = new ArrayList<>();
    for (Iterator<KmsKey> it = keys.values().iterator(); it.hasNext(); ) {
      KmsKey key = it.next();
      if (key.state == KeyState.PendingDeletion && key.deletionDate != null && !key.deletionDate.isAfter(now)) {
        it.remove();
        key.shared.regions.remove(key.region);
        aliases.values().removeIf(a -> a.accountId.equals(key.accountId) && a.region.equals(key.region)
            && key.keyId.equals(a.targetKeyId));
        serviceEvent("DeleteKey", key);
        deleted.add(key);
      }
    }
    java.util.Set<KmsKey> changed = new java.util.LinkedHashSet<>();
    for (KmsKey key : keys.values()) {
      KeyState stateBefore = key.state;
      int versionsBefore = key.shared.versions.size();
      // KMS finishes ReplicateKey and UpdatePrimaryRegion asynchronously; here they finish before the next call.
      if (key.state == KeyState.Creating) {
        key.state = key.origin.equals("EXTERNAL") ? KeyState.PendingImport : KeyState.Enabled;
      } else if (key.state == KeyState.Updating) {
        key.state = KeyState.Enabled;
      }
      if (key.origin.equals("EXTERNAL") && key.validTo != null && !key.validTo.isAfter(now)) {
        KeyImport.removeMaterial(key);
        serviceEvent("DeleteExpiredKeyMaterial", key);
      }
      KmsKey.SharedMaterial m = key.shared;
      boolean owner = !key.multiRegion || key.isPrimary();
      if (key.state == KeyState.PendingReplicaDeletion && key.shared.regions.size() == 1) {
        // The last replica is gone: the primary's own waiting period starts now.
        key.state = KeyState.PendingDeletion;
        key.deletionDate = now.plus(Duration.ofDays(key.pendingWindowDays));
      }
      boolean suspended = key.state == KeyState.PendingDeletion || key.state == KeyState.PendingReplicaDeletion;
      while (owner && !suspended && m != null && m.rotationEnabled && m.nextRotation != null
          && !m.nextRotation.isAfter(now)) {
        Rotation.addMaterial(this, key, m.nextRotation, "AUTOMATIC");
        m.nextRotation = m.nextRotation.plus(Duration.ofDays(m.rotationPeriodDays));
        serviceEvent("RotateKey", key);
      }
      if (key.state != stateBefore || key.shared.versions.size() != versionsBefore) {
        changed.add(key);
      }
    }
    if (data != null && (!deleted.isEmpty() || !changed.isEmpty())) {
      for (KmsKey key : deleted) {
        data.deleteKey(key, key.shared.regions.isEmpty());
      }
      changed.forEach(data::saveKey);
      if (!deleted.isEmpty()) {
        data.saveAliases(aliases.values());
      }
    }
  }

  /**
   * Writes what a successful mutating call changed before its response is sent: the keys it touched (with their
   * multi-Region relatives, which share material and primary Region) and, for alias calls, the aliases.
   */
  /** Writes {@code key} and the aliases now, when there is a data directory. */
  void saveKeyAndAliases(KmsKey key) {
    if (data != null) {
      data.saveKey(key);
      data.saveAliases(aliases.values());
    }
  }

  private void persist(Call call) {
    java.util.Set<KmsKey> touched = new java.util.LinkedHashSet<>();
    for (String arn : call.resourceArns) {
      KmsKey key = keys.get(arn);
      if (key == null) {
        continue;
      }
      touched.add(key);
      if (key.multiRegion) {
        for (String region : key.shared.regions) {
          KmsKey related = keyById(region, key.accountId, key.keyId);
          if (related != null) {
            touched.add(related);
          }
        }
      }
    }
    touched.forEach(data::saveKey);
    if (call.operation.endsWith("Alias")) {
      data.saveAliases(aliases.values());
    }
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  String newKeyId(boolean multiRegion) {
    if (multiRegion) {
      return "mrk-" + randomUuid().toString().replace("-", "");
    }
    return randomUuid().toString();
  }

  /** A version 4 UUID from the engine's DRBG (UUID.randomUUID has its own NativePRNG). */
  UUID randomUuid() {
    byte[] b = randomBytes(16);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(b);
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  // ---- CloudTrail -------------------------------------------------------------------------------------------

  private void record(Call call, KmsError error) {
    ObjectNode e = Json.object();
    e.put("eventVersion", "1.08");
    ObjectNode identity = e.putObject("userIdentity");
    identity.put("type", call.principal.identityType());
    identity.put("principalId", call.principal.accountId());
    identity.put("arn", call.principal.arn());
    identity.put("accountId", call.principal.accountId());
    if (call.accessKeyId != null) {
      identity.put("accessKeyId", call.accessKeyId);
    }
    e.put("eventTime", clock.instant().toString());
    e.put("eventSource", "kms.amazonaws.com");
    e.put("eventName", call.operation);
    e.put("awsRegion", call.region);
    e.put("sourceIPAddress", call.sourceIp);
    e.put("userAgent", call.userAgent);
    if (error != null) {
      e.put("errorCode", error.code());
      e.put("errorMessage", error.getMessage());
    }
    e.set("requestParameters", call.requestParameters);
    e.putNull("responseElements");
    e.put("requestID", randomUuid().toString());
    e.put("eventID", randomUuid().toString());
    e.put("readOnly", READ_ONLY.contains(call.operation));
    ArrayNode resources = e.putArray("resources");
    for (String arn : call.resourceArns) {
      Matcher m = Arns.KEY_ARN.matcher(arn);
      ObjectNode r = resources.addObject();
      r.put("accountId", m.matches() ? m.group(3) : call.principal.accountId());
      r.put("type", "AWS::KMS::Key");
      r.put("ARN", arn);
    }
    e.put("eventType", "AwsApiCall");
    e.put("recipientAccountId", call.resourceArns.isEmpty() ? call.principal.accountId()
        : Arns.KEY_ARN.matcher(call.resourceArns.get(0)).replaceAll("$3"));
    trail.accept(e);
  }

  void serviceEvent(String name, KmsKey key) {
    ObjectNode e = Json.object();
    e.put("eventVersion", "1.08");
    e.putObject("userIdentity").put("accountId", key.accountId).put("invokedBy", "AWS Internal");
    e.put("eventTime", clock.instant().toString());
    e.put("eventSource", "kms.amazonaws.com");
    e.put("eventName", name);
    e.put("awsRegion", key.region);
    e.putNull("requestParameters");
    e.putNull("responseElements");
    e.put("eventID", randomUuid().toString());
    e.put("readOnly", false);
    ObjectNode r = e.putArray("resources").addObject();
    r.put("accountId", key.accountId).put("type", "AWS::KMS::Key").put("ARN", key.arn());
    e.put("eventType", "AwsServiceEvent");
    e.put("recipientAccountId", key.accountId);
    e.putObject("serviceEventDetails").put("keyId", key.keyId);
    trail.accept(e);
  }

  private static final java.util.Set<String> READ_ONLY = java.util.Set.of("Encrypt", "Decrypt", "ReEncrypt",
      "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
      "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom", "Sign", "Verify", "GenerateMac", "VerifyMac",
      "DeriveSharedSecret", "Encapsulate", "Decapsulate",
      "GetPublicKey", "DescribeKey", "ListKeys", "ListAliases", "ListGrants", "ListRetirableGrants",
      "GetKeyPolicy", "ListKeyPolicies", "GetKeyRotationStatus", "ListKeyRotations", "ListResourceTags");

  static JsonNode requestOf(Call call) {
    return call.request;
  }
}
