package dev.envelope.localaws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The part sizes of objects uploaded in parts, which S3 keeps and S3Proxy does not: what a read by part number
 * ({@code GET ?partNumber=N}, the SDK's multipart download) needs. Sizes are noted as parts are stored, and an
 * object's layout is kept with the ETag its completion returned, so a layout is only used while the object is
 * still that upload's result. With a data directory, layouts are appended to a file and survive a restart.
 * Thread-safe.
 */
public final class PartLayouts {
  /** An object's parts: its ETag as completed, and each part's size in order. */
  public record Layout(String etag, long[] partSizes) {}

  private final Map<String, Map<Integer, Long>> uploads = new ConcurrentHashMap<>();
  private final Map<String, Layout> objects = new ConcurrentHashMap<>();
  private final JsonLinesFile file;

  /** {@code file}: where layouts are kept across restarts, or null to keep them in memory only. */
  public PartLayouts(Path file) {
    this.file = file == null ? null : new JsonLinesFile(file);
    if (this.file != null) {
      load();
    }
  }

  /** Part {@code partNumber} of upload {@code uploadId} was stored with {@code size} bytes (a retry replaces it). */
  public void partStored(String uploadId, int partNumber, long size) {
    uploads.computeIfAbsent(uploadId, id -> new ConcurrentHashMap<>()).put(partNumber, size);
  }

  /** The upload was aborted: its sizes are forgotten. */
  public void aborted(String uploadId) {
    uploads.remove(uploadId);
  }

  /**
   * Upload {@code uploadId} completed into {@code object} with {@code partNumbers} in order and ETag {@code etag}.
   * A part whose size was not seen (stored before a restart, or sent without a length) leaves the object without a
   * layout: reads by part number then say so rather than guess.
   */
  public synchronized void completed(String object, String uploadId, List<Integer> partNumbers, String etag) {
    Map<Integer, Long> sizes = uploads.remove(uploadId);
    if (sizes == null) {
      objects.remove(object);
      return;
    }
    long[] layout = new long[partNumbers.size()];
    for (int i = 0; i < layout.length; i++) {
      Long size = sizes.get(partNumbers.get(i));
      if (size == null) {
        objects.remove(object);
        return;
      }
      layout[i] = size;
    }
    Layout entry = new Layout(etag, layout);
    objects.put(object, entry);
    append(object, entry);
  }

  /** The bytes {@code partNumbers} of upload {@code uploadId} hold, if every one of them was seen. */
  public java.util.OptionalLong uploadedSize(String uploadId, List<Integer> partNumbers) {
    Map<Integer, Long> sizes = uploads.get(uploadId);
    long total = 0;
    for (Integer number : partNumbers) {
      Long size = sizes == null ? null : sizes.get(number);
      if (size == null) {
        return java.util.OptionalLong.empty();
      }
      total += size;
    }
    return java.util.OptionalLong.of(total);
  }

  /** The layout of {@code object} if it is still the upload that produced {@code currentEtag}. */
  public Optional<Layout> of(String object, String currentEtag) {
    Layout layout = objects.get(object);
    return layout != null && layout.etag().equals(currentEtag) ? Optional.of(layout) : Optional.empty();
  }

  private void append(String object, Layout layout) {
    if (file == null) {
      return;
    }
    ObjectNode line = JsonLinesFile.newLine().put("object", object).put("etag", layout.etag());
    ArrayNode parts = line.putArray("parts");
    for (long size : layout.partSizes()) {
      parts.add(size);
    }
    file.append(line, "the part sizes of " + object);
  }

  private void load() {
    for (JsonNode node : file.read()) {
      JsonNode parts = node.path("parts");
      long[] sizes = new long[parts.size()];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = parts.get(i).asLong();
      }
      objects.put(node.path("object").asText(), new Layout(node.path("etag").asText(), sizes));
    }
  }
}
