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
 * Which items a bulk run finished, so that a run started again with the same file continues: one JSON line per
 * finished item ({@code {"id": ..., "record": {...}}}), appended and flushed as each one ends. Failed items are
 * not written, so a re-run tries them again. A torn last line (a killed process) is ignored. Thread-safe.
 */
final class Checkpoint implements AutoCloseable {
  private final Map<String, JsonNode> done;
  private final PrintStream out;

  private Checkpoint(Map<String, JsonNode> done, PrintStream out) {
    this.done = done;
    this.out = out;
  }

  /** The checkpoint in {@code file}, loaded if it exists; none (remembers nothing) for null. */
  static Checkpoint open(String file) throws IOException {
    Map<String, JsonNode> done = new HashMap<>();
    if (file == null) {
      return new Checkpoint(done, null);
    }
    Path path = Path.of(file);
    if (Files.exists(path)) {
      try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
        String line;
        while ((line = reader.readLine()) != null) {
          try {
            JsonNode node = Json.MAPPER.readTree(line);
            done.put(node.get("id").asText(), node.get("record"));
          } catch (IOException | RuntimeException torn) {
            // the line a killed run was writing: its item is simply done again
          }
        }
      }
    }
    PrintStream out = new PrintStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
    return new Checkpoint(done, out);
  }

  synchronized boolean contains(String id) {
    return done.containsKey(id);
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
