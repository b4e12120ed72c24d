package dev.envelope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Which items a bulk run finished, so that a run started again with the same file continues: a first line naming
 * the run ({@code {"run": {...}}}: command, location and whatever decides what is done), then one JSON line per
 * finished item ({@code {"id": ..., "record": {...}}}), appended and flushed as each one ends. Failed items are
 * not written, so a re-run tries them again. A torn last line (a killed process) is ignored. A file that names
 * another run is refused: its items were done to another target, and taking them as done here would report
 * success for work never done. Thread-safe.
 */
final class Checkpoint implements AutoCloseable {
  private final Map<String, JsonNode> done;
  private final PrintStream out;

  private Checkpoint(Map<String, JsonNode> done, PrintStream out) {
    this.done = done;
    this.out = out;
  }

  /**
   * The checkpoint in {@code file} for {@code run}, loaded if it exists; none (remembers nothing) for null.
   *
   * @throws UsageException if the file is the checkpoint of another run
   */
  static Checkpoint open(String file, ObjectNode run) throws IOException {
    Map<String, JsonNode> done = new HashMap<>();
    if (file == null) {
      return new Checkpoint(done, null);
    }
    Path path = Path.of(file);
    JsonNode recordedRun = null;
    if (Files.exists(path)) {
      try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
        String line;
        while ((line = reader.readLine()) != null) {
          try {
            JsonNode node = Json.MAPPER.readTree(line);
            if (node.has("run")) {
              recordedRun = node.get("run");
            } else {
              done.put(node.get("id").asText(), node.get("record"));
            }
          } catch (IOException | RuntimeException torn) {
            // the line a killed run was writing: its item is simply done again
          }
        }
      }
    }
    if (recordedRun != null && !recordedRun.equals(run)) {
      throw new UsageException("--checkpoint " + file + " is the checkpoint of another run (" + Json.line(recordedRun)
          + "), not of this one (" + Json.line(run) + "): its objects were done for that run, not this. Give this run "
          + "a checkpoint file of its own");
    }
    PrintStream out = new PrintStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
    if (recordedRun == null) {
      ObjectNode first = Json.object();
      first.set("run", run);
      out.println(Json.line(first));
    }
    return new Checkpoint(done, out);
  }

  /** The description of a run over {@code where} that {@link #open} binds a file to; callers add their settings. */
  static ObjectNode run(String command, S3Location where) {
    ObjectNode run = Json.object();
    run.put("command", command);
    run.put("location", where.toString());
    return run;
  }

  synchronized JsonNode record(String id) {
    return done.get(id);
  }

  synchronized int size() {
    return done.size();
  }

  synchronized void add(String id, ObjectNode record) {
    done.put(id, record);
    if (out != null) {
      ObjectNode line = Json.object();
      line.put("id", id);
      line.set("record", record);
      out.println(Json.line(line));
    }
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      out.close();
    }
  }
}
