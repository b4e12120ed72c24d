package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.KmsError;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tag validation as KMS does it: 50 per key, key 1..128, value 0..256, no {@code aws:} prefix, no duplicates. */
final class Tags {
  private Tags() {}

  static Map<String, String> parse(JsonNode req) {
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode list = req.get("Tags");
    if (list == null || list.isNull()) {
      return tags;
    }
    int i = 1;
    for (JsonNode t : list) {
      String key = t.path("TagKey").asText(null);
      String value = t.path("TagValue").asText("");
      if (key == null || key.isEmpty() || key.length() > 128) {
        throw KmsError.constraint("tags." + i + ".member.tagKey", key,
            "Member must have length between 1 and 128");
      }
      if (value.length() > 256) {
        throw KmsError.constraint("tags." + i + ".member.tagValue", value,
            "Member must have length less than or equal to 256");
      }
      if (key.startsWith("aws:")) {
        throw new KmsError("TagException", "Tags beginning with aws: are reserved");
      }
      if (tags.put(key, value) != null) {
        throw new KmsError("TagException", "Duplicate tag keys");
      }
      i++;
    }
    return tags;
  }

  static void checkCount(Map<String, String> existing, Map<String, String> added) {
    Map<String, String> merged = new LinkedHashMap<>(existing);
    merged.putAll(added);
    if (merged.size() > 50) {
      throw new KmsError("TagException", "Too many tags");
    }
  }
}
