package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Key material versions and rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
 * RotateKeyOnDemand, ListKeyRotations. Rotation really adds material; every older version stays decryptable.
 * Automatic rotation is run by the engine when the injected clock passes {@code nextRotation}.
 */
final class Rotation {
  /** KMS's current quota of on-demand rotations per key. */
  static final int MAX_ON_DEMAND = 25;

  private final KmsEngine engine;

  Rotation(KmsEngine engine) {
    this.engine = engine;
  }

  void register(Map<String, Function<Call, ObjectNode>> ops) {
    ops.put("EnableKeyRotation", this::enable);
    ops.put("DisableKeyRotation", this::disable);
    ops.put("GetKeyRotationStatus", this::status);
    ops.put("RotateKeyOnDemand", this::rotateOnDemand);
    ops.put("ListKeyRotations", this::list);
  }

  /** Adds a new current version of the key's material. */
  static void addMaterial(KmsEngine engine, KmsKey key, Instant when, String rotationType) {
    byte[] secret = key.isHmac() ? engine.randomBytes(Integer.parseInt(key.keySpec.substring(5)) / 8)
        : key.isSymmetric() ? engine.randomBytes(32) : null;
    java.security.KeyPair pair = key.isSymmetric() || key.isHmac() ? null : Asymmetric.generate(key.keySpec);
    key.shared.versions.add(new KeyMaterial(engine.randomBytes(32), secret, pair, when, rotationType));
  }

  private KmsKey rotatable(Call call, String operation) {
    String id = Json.string(call.request, "KeyId");
    call.requestParameters.put("keyId", id);
    KmsKey key = engine.resolve(call, id, false);
    engine.authorize(call, key, operation, Map.of());
    if (!operation.equals("GetKeyRotationStatus") && !operation.equals("ListKeyRotations")) {
      AwsManagedKeys.refuseChange(call, key, operation);
    }
    if (!key.isSymmetric() || !key.origin.equals("AWS_KMS")) {
      throw new KmsError("UnsupportedOperationException", key.arn() + " origin is " + key.origin + " or its key "
          + "spec is " + key.keySpec + ", which is not valid for this operation.");
    }
    if (key.multiRegion && !key.isPrimary() && !operation.equals("GetKeyRotationStatus")
        && !operation.equals("ListKeyRotations")) {
      throw new KmsError("UnsupportedOperationException", key.arn() + " is not a multi-region primary key.");
    }
    return key;
  }

  private ObjectNode enable(Call call) {
    KmsKey key = rotatable(call, "EnableKeyRotation");
    Integer period = Json.optionalInt(call.request, "RotationPeriodInDays", 90, 2560);
    KmsEngine.requireUsable(key);
    KmsKey.SharedMaterial m = key.shared;
    m.rotationEnabled = true;
    m.rotationPeriodDays = period == null ? 365 : period;
    m.nextRotation = engine.clock.instant().plus(Duration.ofDays(m.rotationPeriodDays));
    call.requestParameters.put("rotationPeriodInDays", m.rotationPeriodDays);
    return Json.object();
  }

  private ObjectNode disable(Call call) {
    KmsKey key = rotatable(call, "DisableKeyRotation");
    KmsEngine.requireUsable(key);
    key.shared.rotationEnabled = false;
    key.shared.nextRotation = null;
    return Json.object();
  }

  private ObjectNode status(Call call) {
    KmsKey key = rotatable(call, "GetKeyRotationStatus");
    ObjectNode out = Json.object();
    // KMS suspends rotation while a key is pending deletion and reports it off; cancelling restores it.
    boolean pendingDeletion = key.state == KeyState.PendingDeletion || key.state == KeyState.PendingReplicaDeletion;
    boolean enabled = key.shared.rotationEnabled && !pendingDeletion;
    out.put("KeyRotationEnabled", enabled);
    out.put("KeyId", key.arn());
    if (enabled) {
      out.put("RotationPeriodInDays", key.shared.rotationPeriodDays);
      Json.putTime(out, "NextRotationDate", key.shared.nextRotation);
    }
    return out;
  }

  private ObjectNode rotateOnDemand(Call call) {
    KmsKey key = rotatable(call, "RotateKeyOnDemand");
    KmsEngine.requireUsable(key);
    if (key.shared.onDemandRotations >= MAX_ON_DEMAND) {
      throw new KmsError("LimitExceededException", "The on-demand rotations limit has been reached for the given "
          + "keyId. No more on-demand rotations can be performed for this key: " + key.arn());
    }
    key.shared.onDemandRotations++;
    addMaterial(engine, key, engine.clock.instant(), "ON_DEMAND");
    return Json.object().put("KeyId", key.keyId);
  }

  private ObjectNode list(Call call) {
    KmsKey key = rotatable(call, "ListKeyRotations");
    boolean all = "ALL_KEY_MATERIAL".equals(Json.optionalString(call.request, "IncludeKeyMaterial"));
    int limit = Pages.limit(call.request, 1000, 100);
    List<KeyMaterial> versions = key.shared.versions;
    KeyMaterial current = key.shared.current();
    List<KeyMaterial> shown = all ? versions : versions.stream().filter(v -> v.rotationType() != null).toList();
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("Rotations");
    Pages.page(call.request, shown, limit, out, v -> {
      ObjectNode r = array.addObject();
      r.put("KeyId", key.arn());
      r.put("KeyMaterialId", v.idHex());
      if (v.rotationType() != null) {
        Json.putTime(r, "RotationDate", v.created());
        r.put("RotationType", v.rotationType());
      }
      r.put("KeyMaterialState", v == current ? "CURRENT" : "NON_CURRENT");
    });
    return out;
  }
}
