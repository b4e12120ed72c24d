package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant. Grants take effect at once (KMS is
 * eventually consistent, up to minutes; tests prefer determinism) and are honoured by the authorizer with their
 * encryption-context constraints.
 */
final class Grants {
  static final Set<String> OPERATIONS = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
      "GenerateMac", "VerifyMac", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "DeriveSharedSecret",
      "Encapsulate", "Decapsulate", "CreateGrant", "DescribeKey", "GetPublicKey", "RetireGrant");
  /** Operations a grant on any key may allow. */
  private static final Set<String> ANY_KEY = Set.of("CreateGrant", "DescribeKey", "RetireGrant");
  private static final Set<String> SYMMETRIC_ENCRYPTION = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
      "ReEncryptFrom", "ReEncryptTo");
  private static final Set<String> ASYMMETRIC_ENCRYPTION = Set.of("Decrypt", "Encrypt", "ReEncryptFrom",
      "ReEncryptTo", "GetPublicKey");
  private static final Set<String> SIGNING = Set.of("Sign", "Verify", "GetPublicKey");
  private static final Set<String> MAC = Set.of("GenerateMac", "VerifyMac");
  private static final Set<String> KEY_AGREEMENT = Set.of("DeriveSharedSecret", "GetPublicKey");
  private static final Set<String> KEY_ENCAPSULATION = Set.of("Encapsulate", "Decapsulate", "GetPublicKey");

  /** The grant operations a key of this type and usage can perform, as KMS checks them in CreateGrant. */
  static Set<String> grantableOperations(KmsKey key) {
    Set<String> usage = key.isSymmetric() ? SYMMETRIC_ENCRYPTION : key.isHmac() ? MAC : switch (key.keyUsage) {
      case "ENCRYPT_DECRYPT" -> ASYMMETRIC_ENCRYPTION;
      case "SIGN_VERIFY" -> SIGNING;
      case "KEY_AGREEMENT" -> KEY_AGREEMENT;
      case "ENCAPSULATE_DECAPSULATE" -> KEY_ENCAPSULATION;
      default -> Set.of();
    };
    Set<String> all = new java.util.HashSet<>(ANY_KEY);
    all.addAll(usage);
    return all;
  }

  private final KmsEngine engine;

  Grants(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("CreateGrant", this::create);
    ops.put("ListGrants", this::list);
    ops.put("ListRetirableGrants", this::listRetirable);
    ops.put("RetireGrant", this::retire);
    ops.put("RevokeGrant", this::revoke);
  }

  /** Validates a request's GrantTokens: at most 10, each one this emulator issued. */
  static void checkTokens(KmsEngine engine, Call call) {
    List<String> tokens = Json.stringList(call.request, "GrantTokens");
    if (tokens.size() > 10) {
      throw KmsError.constraint("grantTokens", "…", "Member must have length less than or equal to 10");
    }
    for (String t : tokens) {
      if (!engine.grantTokens.contains(t)) {
        throw new KmsError("InvalidGrantTokenException", "Invalid grant token.");
      }
    }
    if (!tokens.isEmpty()) {
      ArrayNode trail = call.requestParameters.putArray("grantTokens");
      tokens.forEach(trail::add);
    }
  }

  private ObjectNode create(Call call) {
    JsonNode req = call.request;
    String keyIdParam = Json.string(req, "KeyId");
    call.requestParameters.put("keyId", keyIdParam);
    String grantee = Json.optionalString(req, "GranteePrincipal");
    if (grantee == null) {
      throw KmsError.constraint("granteePrincipal", null, "Member must not be null");
    }
    String retiring = Json.optionalString(req, "RetiringPrincipal");
    List<String> operations = Json.stringList(req, "Operations");
    if (operations.isEmpty()) {
      throw KmsError.constraint("operations", null, "Member must not be null");
    }
    for (String op : operations) {
      if (!OPERATIONS.contains(op)) {
        throw KmsError.constraint("operations", op, "Member must satisfy enum value set: " + OPERATIONS);
      }
    }
    JsonNode constraints = req.get("Constraints");
    Map<String, String> equals = null;
    Map<String, String> subset = null;
    if (constraints != null && !constraints.isNull()) {
      if (constraints.has("EncryptionContextEquals")) {
        equals = Json.stringMap(constraints, "EncryptionContextEquals");
      }
      if (constraints.has("EncryptionContextSubset")) {
        subset = Json.stringMap(constraints, "EncryptionContextSubset");
      }
    }
    String name = Json.optionalString(req, "Name");
    KmsKey key = engine.resolve(call, keyIdParam, false);
    checkTokens(engine, call);
    engine.authorize(call, key, "CreateGrant", equals != null ? equals : subset != null ? subset : Map.of());
    KmsEngine.requireUsable(key);
    Set<String> grantable = grantableOperations(key);
    for (String op : operations) {
      if (!grantable.contains(op)) {
        throw KmsError.validation("Grant operation " + op + " is not valid for " + key.arn() + ": a key with KeySpec "
            + key.keySpec + " and KeyUsage " + key.keyUsage + " cannot perform it (grantable: "
            + new java.util.TreeSet<>(grantable) + ").");
      }
    }
    if (!key.isSymmetric() && (equals != null || subset != null)) {
      throw KmsError.validation("Encryption context constraints are valid only on symmetric keys.");
    }
    call.requestParameters.put("granteePrincipal", grantee);
    ArrayNode trailOps = call.requestParameters.putArray("operations");
    operations.forEach(trailOps::add);

    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(engine.randomBytes(48));
    engine.grantTokens.add(token);
    if (name != null) {
      for (Grant g : key.grants) {
        if (name.equals(g.name()) && g.granteePrincipal().equals(grantee)
            && g.operations().equals(List.copyOf(operations))) {
          return Json.object().put("GrantToken", token).put("GrantId", g.grantId());
        }
      }
    }
    String grantId = HexFormat.of().formatHex(engine.randomBytes(32));
    key.grants.add(new Grant(grantId, token, name == null ? "" : name, key.arn(), grantee, retiring,
        "arn:aws:iam::" + call.principal.accountId() + ":root", List.copyOf(operations),
        equals == null ? null : new LinkedHashMap<>(equals), subset == null ? null : new LinkedHashMap<>(subset),
        engine.clock.instant()));
    return Json.object().put("GrantToken", token).put("GrantId", grantId);
  }

  private static void emit(ArrayNode array, Grant g) {
    ObjectNode o = array.addObject();
    o.put("KeyId", g.keyArn()).put("GrantId", g.grantId());
    if (!g.name().isEmpty()) {
      o.put("Name", g.name()); // KMS leaves Name out of a grant created without one
    }
    Json.putTime(o, "CreationDate", g.created());
    o.put("GranteePrincipal", g.granteePrincipal());
    if (g.retiringPrincipal() != null) {
      o.put("RetiringPrincipal", g.retiringPrincipal());
    }
    o.put("IssuingAccount", g.issuingAccount());
    ArrayNode ops = o.putArray("Operations");
    g.operations().forEach(ops::add);
    if (g.contextEquals() != null || g.contextSubset() != null) {
      ObjectNode c = o.putObject("Constraints");
      if (g.contextEquals() != null) {
        c.set("EncryptionContextEquals", Json.objectOf(g.contextEquals()));
      }
      if (g.contextSubset() != null) {
        c.set("EncryptionContextSubset", Json.objectOf(g.contextSubset()));
      }
    }
  }

  private ObjectNode list(Call call) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    KmsKey key = engine.resolve(call, id, false);
    engine.authorize(call, key, "ListGrants", Map.of());
    String grantId = Json.optionalString(call.request, "GrantId");
    String grantee = Json.optionalString(call.request, "GranteePrincipal");
    List<Grant> shown = key.grants.stream()
        .filter(g -> grantId == null || g.grantId().equals(grantId))
        .filter(g -> grantee == null || g.granteePrincipal().equals(grantee)).toList();
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Grants");
    Pages.page(call.request, shown, Pages.limit(call.request, 100, 50), out, g -> emit(array, g));
    return out;
  }

  private ObjectNode listRetirable(Call call) {
    String retiring = Json.string(call.request, "RetiringPrincipal");
    engine.authorizeIdentity(call, "ListRetirableGrants");
    List<Grant> shown = new ArrayList<>();
    for (KmsKey key : engine.keys.values()) {
      key.grants.stream().filter(g -> retiring.equals(g.retiringPrincipal())).forEach(shown::add);
    }
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Grants");
    Pages.page(call.request, shown, Pages.limit(call.request, 100, 50), out, g -> emit(array, g));
    return out;
  }

  private ObjectNode retire(Call call) {
    String token = Json.optionalString(call.request, "GrantToken");
    KmsKey key = null;
    Grant grant = null;
    if (token != null) {
      if (!engine.grantTokens.contains(token)) {
        throw new KmsError("InvalidGrantTokenException", "Invalid grant token.");
      }
      for (KmsKey k : engine.keys.values()) {
        for (Grant g : k.grants) {
          if (g.token().equals(token)) {
            key = k;
            grant = g;
          }
        }
      }
      if (grant == null) {
        throw KmsError.notFound("Grant for this token does not exist or was already retired.");
      }
    } else {
      String id = Json.string(call.request, "KeyId");
      String grantId = Json.string(call.request, "GrantId");
      key = engine.resolve(call, id, false);
      grant = find(key, grantId);
    }
    call.resourceArns.add(key.arn());
    if (engine.enforce) {
      String caller = call.principal.arn();
      boolean allowed = caller.equals(grant.retiringPrincipal())
          || caller.equals(grant.granteePrincipal()) && grant.operations().contains("RetireGrant")
          || caller.equals(grant.issuingAccount());
      if (!allowed) {
        throw KmsError.accessDenied("User: " + caller + " is not authorized to perform: kms:RetireGrant on "
            + "resource: " + key.arn() + " because it is neither the retiring principal nor the grantee of grant "
            + grant.grantId());
      }
    }
    key.grants.remove(grant);
    return Json.object();
  }

  private ObjectNode revoke(Call call) {
    String id = Json.string(call.request, "KeyId");
    String grantId = Json.string(call.request, "GrantId");
    call.requestParameters.put("keyId", id).put("grantId", grantId);
    KmsKey key = engine.resolve(call, id, false);
    engine.authorize(call, key, "RevokeGrant", Map.of());
    key.grants.remove(find(key, grantId));
    return Json.object();
  }

  private static Grant find(KmsKey key, String grantId) {
    for (Grant g : key.grants) {
      if (g.grantId().equals(grantId)) {
        return g;
      }
    }
    throw new KmsError("InvalidGrantIdException", "Grant ID " + grantId + " is not valid for " + key.arn());
  }
}
