package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.KmsError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Keys created from a seed file rather than by CreateKey: fixed key ids, aliases, policies, tags, states and, where
 * wanted, fixed key material, so that a test suite or a demo starts from the same keys every time. A seeded key
 * that already exists (a data directory from an earlier run holds it) is left as it is: seeding never overwrites
 * state, and never rotates or re-keys what earlier ciphertexts depend on.
 *
 * <p>A key entry: {@code keyId} (required), {@code account}, {@code region}, {@code description}, {@code keySpec},
 * {@code keyUsage}, {@code multiRegion}, {@code replicaRegions}, {@code enabled}, {@code policy} (an object or a
 * string), {@code tags} (an object), {@code aliases} (names), {@code material} (base64: 32 bytes for symmetric keys,
 * the HMAC key, or a PKCS #8 private key) and {@code rotationPeriodDays} (turns automatic rotation on).
 */
final class Seeding {
  private Seeding() {}

  /** Adds the seeded keys that do not exist yet; returns them. Errors name the entry. */
  static List<KmsKey> apply(KmsEngine engine, JsonNode entries, String defaultAccount, String defaultRegion) {
    List<KmsKey> added = new ArrayList<>();
    int index = 0;
    for (JsonNode entry : entries) {
      String where = "keys[" + index++ + "]";
      try {
        added.addAll(seed(engine, entry, defaultAccount, defaultRegion));
      } catch (KmsError e) {
        throw new IllegalArgumentException("seed " + where + " (" + entry.path("keyId").asText("?") + "): "
            + e.getMessage(), e);
      }
    }
    return added;
  }

  private static List<KmsKey> seed(KmsEngine engine, JsonNode e, String defaultAccount, String defaultRegion) {
    String keyId = Json.string(e, "keyId");
    String account = e.path("account").asText(defaultAccount);
    String region = e.path("region").asText(defaultRegion);
    boolean multiRegion = e.path("multiRegion").asBoolean(false);
    if (!Arns.KEY_ID.matcher(keyId).matches() || multiRegion != keyId.startsWith("mrk-")) {
      throw KmsError.validation("keyId must be a UUID, or mrk- and 32 hex digits for a multi-Region key: " + keyId);
    }
    if (engine.keyById(region, account, keyId) != null) {
      return List.of();
    }
    String keySpec = e.path("keySpec").asText("SYMMETRIC_DEFAULT");
    if (!KeyManagement.KEY_SPECS.contains(keySpec)) {
      throw KmsError.validation("unknown keySpec " + keySpec);
    }
    Instant now = engine.clock.instant();
    KmsKey key = new KmsKey(account, region, keyId, now);
    key.keySpec = keySpec;
    key.keyUsage = KeyUsages.validate(keySpec, e.hasNonNull("keyUsage") ? e.get("keyUsage").asText() : null);
    key.origin = "AWS_KMS";
    key.description = e.path("description").asText("");
    JsonNode policy = e.get("policy");
    key.policy = PolicyDocument.parse(policy == null ? KeyManagement.defaultPolicy(account)
        : policy.isTextual() ? policy.asText() : Json.writeString(policy), true);
    e.path("tags").properties().forEach(t -> key.tags.put(t.getKey(), t.getValue().asText()));
    key.multiRegion = multiRegion;
    key.primaryRegion = multiRegion ? region : null;
    key.shared = new KmsKey.SharedMaterial();
    key.shared.regions.add(region);
    if (e.hasNonNull("material")) {
      byte[] material = Base64.getDecoder().decode(e.get("material").asText());
      key.shared.versions.add(KeyImport.toKeyMaterial(key, material, now));
    } else {
      Rotation.addMaterial(engine, key, now, null);
    }
    if (e.hasNonNull("rotationPeriodDays")) {
      int days = e.get("rotationPeriodDays").asInt();
      if (days < 90 || days > 2560) {
        throw KmsError.validation("rotationPeriodDays must be 90 to 2560: " + days);
      }
      key.shared.rotationEnabled = true;
      key.shared.rotationPeriodDays = days;
      key.shared.nextRotation = now.plus(Duration.ofDays(days));
    }
    key.state = e.path("enabled").asBoolean(true) ? KeyState.Enabled : KeyState.Disabled;
    List<KmsKey> added = new ArrayList<>(List.of(key));
    engine.keys.put(key.arn(), key);
    for (JsonNode r : e.path("replicaRegions")) {
      if (!multiRegion) {
        throw KmsError.validation("replicaRegions needs multiRegion: true");
      }
      KmsKey replica = new KmsKey(account, r.asText(), keyId, now);
      replica.keySpec = key.keySpec;
      replica.keyUsage = key.keyUsage;
      replica.origin = key.origin;
      replica.description = key.description;
      replica.policy = key.policy;
      replica.tags.putAll(key.tags);
      replica.multiRegion = true;
      replica.primaryRegion = region;
      replica.shared = key.shared;
      replica.state = key.state;
      key.shared.regions.add(replica.region);
      engine.keys.put(replica.arn(), replica);
      added.add(replica);
    }
    for (JsonNode a : e.path("aliases")) {
      String name = a.asText();
      if (!name.startsWith("alias/") || name.startsWith("alias/aws/") || !name.matches("[a-zA-Z0-9:/_-]{7,256}")) {
        throw KmsError.validation("invalid alias name " + name);
      }
      for (KmsKey k : added) {
        engine.aliases.putIfAbsent(Arns.alias(k.region, account, name), new Alias(account, k.region, name, keyId, now));
      }
    }
    return added;
  }
}
