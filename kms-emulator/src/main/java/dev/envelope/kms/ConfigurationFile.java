package dev.envelope.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.internal.Json;
import java.io.IOException;
import java.util.Set;

/**
 * The emulator's JSON configuration, applied to a builder: {@code defaultAccount}, {@code defaultRegion},
 * {@code enforceAuthorization}, {@code localStackConventions}, {@code principals} (each {@code {"arn",
 * "accessKeyIds", "credentials": [{"accessKeyId", "secretAccessKey"}], "iamPolicies"}}) and seeded {@code keys}.
 * Unknown members are errors, so that a typo does not silently weaken a test.
 */
final class ConfigurationFile {
  private static final Set<String> KNOWN = Set.of("defaultAccount", "defaultRegion", "enforceAuthorization",
      "principals", "keys", "localStackConventions");

  private ConfigurationFile() {}

  static void apply(String json, KmsEmulator.Builder builder) {
    JsonNode root;
    try {
      root = Json.parse(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("the configuration is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the configuration must be a JSON object");
    }
    root.fieldNames().forEachRemaining(name -> {
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown configuration member '" + name + "'; known: " + KNOWN);
      }
    });
    if (root.has("defaultAccount")) {
      builder.defaultAccount(root.get("defaultAccount").asText());
    }
    if (root.has("defaultRegion")) {
      builder.defaultRegion(root.get("defaultRegion").asText());
    }
    if (root.has("enforceAuthorization")) {
      builder.enforceAuthorization(root.get("enforceAuthorization").asBoolean());
    }
    if (root.has("localStackConventions")) {
      builder.localStackConventions(root.get("localStackConventions").asBoolean());
    }
    for (JsonNode p : root.path("principals")) {
      principal(p, builder);
    }
    root.path("keys").forEach(builder::seedKey);
  }

  private static void principal(JsonNode p, KmsEmulator.Builder builder) {
    Principal principal = Principal.of(p.path("arn").asText());
    p.path("accessKeyIds").forEach(k -> builder.accessKey(k.asText(), principal));
    for (JsonNode c : p.path("credentials")) {
      if (!c.path("accessKeyId").isTextual() || !c.path("secretAccessKey").isTextual()) {
        throw new IllegalArgumentException("each of " + principal + "'s credentials needs accessKeyId and "
            + "secretAccessKey");
      }
      builder.credentials(c.get("accessKeyId").asText(), c.get("secretAccessKey").asText(), principal);
    }
    p.path("iamPolicies").forEach(policy -> builder.iamPolicy(principal, policy.isTextual() ? policy.asText()
        : Json.writeString(policy)));
  }
}
