package dev.envelope.localaws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object tags, which S3Proxy does not keep (it answers 501 to every tagging request and header): the tags of each
 * object as the front door saw them set, by the object's write (its {@code x-amz-tagging}, a copy's source, an
 * upload's creation) or by PutObjectTagging; every write through the front door replaces them, as S3 does, and a
 * delete drops them. With a data directory, changes are appended to a file and survive a restart. Thread-safe.
 */
public final class ObjectTags {
  private final Map<String, TagSet> objects = new ConcurrentHashMap<>();
  private final Map<String, TagSet> uploads = new ConcurrentHashMap<>();
  private final JsonLinesFile file;

  /** {@code file}: where tags are kept across restarts, or null for memory only. */
  public ObjectTags(Path file) {
    this.file = file == null ? null : new JsonLinesFile(file);
    if (this.file != null) {
      load();
    }
  }

  /** The tags of {@code object}: none when it has none (or does not exist). */
  public Optional<TagSet> of(String object) {
    return Optional.ofNullable(objects.get(object));
  }

  /** {@code object} was written with {@code tags} (empty: none), replacing whatever it had. */
  public synchronized void set(String object, TagSet tags) { // the file replays changes in the map's order
    if (tags.isEmpty()) {
      removed(object);
      return;
    }
    objects.put(object, tags);
    append(object, tags);
  }

  /** {@code object} was deleted, or its tags were. */
  public synchronized void removed(String object) {
    if (objects.remove(object) != null) {
      append(object, null);
    }
  }

  /** An upload was created with {@code tags}; its object gets them when it completes. */
  public void uploadCreated(String uploadId, TagSet tags) {
    if (!tags.isEmpty()) {
      uploads.put(uploadId, tags);
    }
  }

  /** Upload {@code uploadId} completed into {@code object}. */
  public void uploadCompleted(String uploadId, String object) {
    TagSet tags = uploads.remove(uploadId);
    set(object, tags == null ? TagSet.EMPTY : tags);
  }

  public void uploadAborted(String uploadId) {
    uploads.remove(uploadId);
  }

  private void append(String object, TagSet tags) {
    if (file == null) {
      return;
    }
    ObjectNode line = JsonLinesFile.newLine().put("object", object);
    if (tags != null) {
      ObjectNode set = line.putObject("tags");
      tags.tags().forEach(set::put);
    }
    file.append(line, "the tags of " + object);
  }

  private void load() {
    for (JsonNode node : file.read()) {
      String object = node.path("object").asText();
      if (!node.has("tags")) {
        objects.remove(object);
        continue;
      }
      Map<String, String> tags = new LinkedHashMap<>();
      node.get("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
      try {
        objects.put(object, TagSet.of(tags));
      } catch (TagSet.InvalidTags e) {
        // written by this class, so valid; a hand-edited line is skipped
      }
    }
  }
}
