package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The metadata output of encrypt and decrypt, as the AWS Encryption SDK CLI has it: one JSON line per file (mode,
 * input, output, status, and the message header or the error), appended to a file or written to stdout.
 * Thread-safe.
 */
final class MetadataOutput implements AutoCloseable {
  private final PrintStream out;
  private final boolean owned;

  private MetadataOutput(PrintStream out, boolean owned) {
    this.out = out;
    this.owned = owned;
  }

  static MetadataOutput none() {
    return new MetadataOutput(null, false);
  }

  static MetadataOutput to(String target, Io io) throws IOException {
    if (target == null) {
      return none();
    }
    if (target.equals("-")) {
      return new MetadataOutput(io.out(), false);
    }
    OutputStream file = Files.newOutputStream(Path.of(target), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new MetadataOutput(new PrintStream(file, true, StandardCharsets.UTF_8), true);
  }

  synchronized void record(String mode, String input, String output, String status, ObjectNode header,
      String error) {
    if (out == null) {
      return;
    }
    ObjectNode line = Json.object();
    line.put("mode", mode);
    line.put("input", input);
    line.put("output", output);
    line.put("status", status);
    if (header != null) {
      line.set("header", header);
    }
    if (error != null) {
      line.put("error", error);
    }
    out.println(Json.line(line));
  }

  @Override
  public void close() {
    if (owned) {
      out.close();
    }
  }
}
