package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.KmsError;
import java.util.List;
import java.util.function.Consumer;

/** Limit/Marker pagination of the KMS list operations; the marker is the index of the next item. */
final class Pages {
  private Pages() {}

  static int limit(JsonNode req, int max, int defaultLimit) {
    Integer limit = Json.optionalInt(req, "Limit", 1, max);
    return limit == null ? defaultLimit : limit;
  }

  static <T> void page(JsonNode req, List<T> items, int limit, ObjectNode out, Consumer<T> emit) {
    String marker = Json.optionalString(req, "Marker");
    int start = 0;
    if (marker != null) {
      try {
        start = Integer.parseInt(marker);
      } catch (NumberFormatException e) {
        throw new KmsError("InvalidMarkerException", "Invalid marker: " + marker);
      }
      if (start < 0 || start > items.size()) {
        throw new KmsError("InvalidMarkerException", "Invalid marker: " + marker);
      }
    }
    int end = Math.min(items.size(), start + limit);
    items.subList(start, end).forEach(emit);
    boolean truncated = end < items.size();
    out.put("Truncated", truncated);
    if (truncated) {
      out.put("NextMarker", Integer.toString(end));
    }
  }
}
