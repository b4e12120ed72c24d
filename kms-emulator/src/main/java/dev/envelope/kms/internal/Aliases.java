package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases, with KMS's naming rules and the reserved alias/aws/ prefix. */
final class Aliases {
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9:/_-]+$");
  private static final int MAX_PER_KEY = 50;

  private final KmsEngine engine;

  Aliases(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("CreateAlias", this::create);
    ops.put("UpdateAlias", this::update);
    ops.put("DeleteAlias", this::delete);
    ops.put("ListAliases", this::list);
  }

  private static String validName(Call call) {
    String name = Json.string(call.request, "AliasName");
    call.requestParameters.put("aliasName", name);
    if (name.length() > 256) {
      throw KmsError.constraint("aliasName", name, "Member must have length less than or equal to 256");
    }
    if (!NAME.matcher(name).matches()) {
      throw KmsError.constraint("aliasName", name, "Member must satisfy regular expression pattern: "
          + "^[a-zA-Z0-9:/_-]+$");
    }
    if (!name.startsWith("alias/")) {
      throw KmsError.validation("Alias must start with the prefix \"alias/\". Please see "
          + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    }
    if (name.startsWith("alias/aws/")) {
      throw new KmsError("NotAuthorizedException", "Alias names beginning with alias/aws/ are reserved for AWS "
          + "managed keys.");
    }
    return name;
  }

  private KmsKey target(Call call, String operation) {
    String target = Json.string(call.request, "TargetKeyId");
    call.requestParameters.put("targetKeyId", target);
    if (target.startsWith("alias/") || target.contains(":alias/")) {
      throw KmsError.validation("TargetKeyId must be a key id or a key ARN, not an alias.");
    }
    KmsKey key = engine.resolve(call, target, false);
    if (!key.accountId.equals(call.principal.accountId())) {
      throw KmsError.notFound("Key '" + key.arn() + "' does not exist");
    }
    engine.authorize(call, key, operation, Map.of());
    KmsEngine.requireNotPendingDeletion(key);
    return key;
  }

  private ObjectNode create(Call call) {
    String name = validName(call);
    KmsKey key = target(call, "CreateAlias");
    String arn = Arns.alias(call.region, call.principal.accountId(), name);
    if (engine.aliases.containsKey(arn)) {
      throw new KmsError("AlreadyExistsException", "An alias with the name " + arn + " already exists");
    }
    long count = engine.aliases.values().stream().filter(a -> key.keyId.equals(a.targetKeyId)
        && a.accountId.equals(key.accountId) && a.region.equals(key.region)).count();
    if (count >= MAX_PER_KEY) {
      throw new KmsError("LimitExceededException", "Too many aliases for key " + key.arn());
    }
    engine.aliases.put(arn, new Alias(call.principal.accountId(), call.region, name, key.keyId,
        engine.clock.instant()));
    return Json.object();
  }

  private ObjectNode update(Call call) {
    String name = validName(call);
    String arn = Arns.alias(call.region, call.principal.accountId(), name);
    Alias alias = engine.aliases.get(arn);
    if (alias == null) {
      throw KmsError.notFound("Alias " + arn + " is not found.");
    }
    KmsKey old = engine.keyById(alias.region, alias.accountId, alias.targetKeyId);
    KmsKey key = target(call, "UpdateAlias");
    if (old != null && (!old.keyUsage.equals(key.keyUsage) || old.isSymmetric() != key.isSymmetric())) {
      throw KmsError.validation("The new target key must have the same key usage and type as the current one.");
    }
    alias.targetKeyId = key.keyId;
    alias.updated = engine.clock.instant();
    return Json.object();
  }

  private ObjectNode delete(Call call) {
    String name = Json.string(call.request, "AliasName");
    call.requestParameters.put("aliasName", name);
    String arn = Arns.alias(call.region, call.principal.accountId(), name);
    Alias alias = engine.aliases.get(arn);
    if (alias == null) {
      throw KmsError.notFound("Alias " + arn + " is not found.");
    }
    KmsKey key = engine.keyById(alias.region, alias.accountId, alias.targetKeyId);
    if (key != null) {
      call.resourceArns.add(key.arn());
      engine.authorize(call, key, "DeleteAlias", Map.of());
    }
    engine.aliases.remove(arn);
    return Json.object();
  }

  private ObjectNode list(Call call) {
    int limit = Pages.limit(call.request, 100, 50);
    engine.authorizeIdentity(call, "ListAliases");
    String keyIdFilter = Json.optionalString(call.request, "KeyId");
    String filterKeyId = keyIdFilter == null ? null : engine.resolve(call, keyIdFilter, false).keyId;
    List<Alias> mine = engine.aliases.values().stream()
        .filter(a -> a.accountId.equals(call.principal.accountId()) && a.region.equals(call.region))
        .filter(a -> filterKeyId == null || filterKeyId.equals(a.targetKeyId))
        .toList();
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Aliases");
    Pages.page(call.request, mine, limit, out, a -> {
      ObjectNode o = array.addObject();
      o.put("AliasName", a.name).put("AliasArn", a.arn());
      if (a.targetKeyId != null) {
        o.put("TargetKeyId", a.targetKeyId);
      }
      Json.putTime(o, "CreationDate", a.created);
      Json.putTime(o, "LastUpdatedDate", a.updated);
    });
    return out;
  }
}
