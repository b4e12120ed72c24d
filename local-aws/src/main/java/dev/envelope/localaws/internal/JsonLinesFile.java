package dev.envelope.localaws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only file of JSON lines, where the front door keeps what S3Proxy does not (part sizes, tags) across
 * restarts: each change is one line, and reading replays them in order. A line cut by a crash is skipped, so only
 * the change it recorded is lost. Thread-safe.
 */
final class JsonLinesFile {
  private final Path file;

  JsonLinesFile(Path file) {
    this.file = file;
  }

  /** Made on first use: only an endpoint with a data directory needs it, and it costs a start 150 ms. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  static ObjectNode newLine() {
    return Json.MAPPER.createObjectNode();
  }

  synchronized void append(ObjectNode line, String what) {
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND)) {
        out.write(line.toString());
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot record " + what + " in " + file, e);
    }
  }

  /** The lines written so far, in order; none when the file does not exist. */
  List<JsonNode> read() {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          lines.add(Json.MAPPER.readTree(line));
        } catch (IOException e) {
          // a line cut by a crash
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read what was kept in " + file, e);
    }
    return lines;
  }
}
