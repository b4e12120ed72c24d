package dev.envelope.lambda;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One run of a checkpointed source: compares a listing with the checkpoint, processes what is new or changed (in
 * key order, until the invocation is about to run out of time), and saves the new checkpoint. A document that
 * failed keeps its old version in the checkpoint (or none), so it is tried again next run; a document that is gone
 * is dropped from it (its archive stays).
 */
final class CheckpointedRun {
  /** One document of a listing: its key, and its version (an ETag, or a file's size and modification time). */
  record Listed(String key, String version) {}

  private CheckpointedRun() {}

  static BatchReport run(String sourceId, CheckpointStore store, List<Listed> listing,
      Function<Listed, DocumentOutcome> process, LongSupplier remainingMillis, long reserveMillis,
      Consumer<String> log) {
    Checkpoint previous = store.load(sourceId);
    Map<String, String> next = new TreeMap<>();
    List<DocumentOutcome> outcomes = new ArrayList<>();
    int unchanged = 0;
    int deferred = 0;
    for (Listed doc : listing) {
      String old = previous.versions().get(doc.key());
      if (old != null && unquote(old).equals(unquote(doc.version()))) {
        next.put(doc.key(), old);
        unchanged++;
        continue;
      }
      if (remainingMillis.getAsLong() < reserveMillis) {
        deferred++; // left for the next run, which sees it as new or changed again
        if (old != null) {
          next.put(doc.key(), old);
        }
        continue;
      }
      DocumentOutcome outcome = process.apply(doc);
      outcomes.add(outcome);
      if (outcome.ok()) {
        next.put(doc.key(), doc.version());
      } else if (old != null) {
        next.put(doc.key(), old);
      }
    }
    Set<String> listed = new HashSet<>();
    listing.forEach(d -> listed.add(d.key()));
    int deleted = (int) previous.versions().keySet().stream().filter(k -> !listed.contains(k)).count();
    boolean saved;
    try {
      store.save(sourceId, previous, next);
      saved = true;
    } catch (CheckpointConflictException e) {
      log.accept(e.getMessage());
      saved = false;
    }
    return new BatchReport(outcomes, unchanged, deferred, deleted, saved);
  }

  /**
   * Whether a key names a document: not a directory marker, not an S3EC instruction file, and not under a hidden
   * name ({@code .snapshot/}, {@code .DS_Store}), in the listing and in the mounted directory alike.
   */
  static boolean isDocument(String key) {
    if (key.isEmpty() || key.endsWith("/") || key.endsWith(".instruction")) {
      return false;
    }
    for (String segment : key.split("/")) {
      if (segment.startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  static String unquote(String version) {
    return version.length() >= 2 && version.startsWith("\"") && version.endsWith("\"")
        ? version.substring(1, version.length() - 1) : version;
  }
}
