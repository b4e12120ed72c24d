package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a bulk run did: counts, bytes, time, and each failure with its reason. Thread-safe. */
final class Tally {
  private final String mode;
  private final long startNanos = System.nanoTime();
  private long done;
  private long skipped;
  private long bytes;
  private final Map<String, String> failures = new TreeMap<>();
  private final List<String> skips = new ArrayList<>();

  Tally(String mode) {
    this.mode = mode;
  }

  synchronized void done(long byteCount) {
    done++;
    bytes += byteCount;
  }

  synchronized void skipped(String item, String reason) {
    skipped++;
    skips.add(item + ": " + reason);
  }

  synchronized void failed(String item, String reason) {
    failures.put(item, reason);
  }

  synchronized long doneCount() {
    return done;
  }

  synchronized long skippedCount() {
    return skipped;
  }

  synchronized long failedCount() {
    return failures.size();
  }

  synchronized int exitCode() {
    return ExitCode.of(done + skipped, failures.size());
  }

  synchronized ObjectNode json() {
    ObjectNode node = Json.object();
    node.put("mode", mode);
    node.put("done", done);
    node.put("skipped", skipped);
    node.put("failed", failures.size());
    node.put("bytes", bytes);
    node.put("seconds", seconds());
    node.set("failures", Json.MAPPER.valueToTree(failures));
    node.put("exitCode", exitCode());
    return node;
  }

  synchronized void print(PrintStream err) {
    double s = seconds();
    err.printf("%s: %d done, %d skipped, %d failed; %s in %.1f s (%s/s)%n", mode, done, skipped, failures.size(),
        Progress.bytes(bytes), s, Progress.bytes((long) (bytes / Math.max(s, 1e-3))));
    failures.forEach((item, reason) -> err.println("  failed: " + item + ": " + reason));
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
