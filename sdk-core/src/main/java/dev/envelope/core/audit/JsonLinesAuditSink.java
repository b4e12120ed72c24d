package dev.envelope.core.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes each event as one JSON object per line (JSON Lines), flushed per event so that a crash loses nothing
 * already recorded. Thread-safe; lines from several threads never interleave.
 */
public final class JsonLinesAuditSink implements AuditSink, AutoCloseable {
  private final Writer writer;

  private JsonLinesAuditSink(Writer writer) {
    this.writer = writer;
  }

  /** Appends to {@code file}, creating it if needed. */
  public static JsonLinesAuditSink toFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return new JsonLinesAuditSink(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open audit file " + file, e);
    }
  }

  /** Writes to {@code out} (UTF-8); {@link #close()} closes it. */
  public static JsonLinesAuditSink toStream(OutputStream out) {
    Objects.requireNonNull(out, "out");
    return new JsonLinesAuditSink(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
  }

  @Override
  public void record(AuditEvent event) {
    String line = AuditEventJson.toJson(event);
    synchronized (writer) {
      try {
        writer.write(line);
        writer.write('\n');
        writer.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write audit event", e);
      }
    }
  }

  @Override
  public void close() {
    synchronized (writer) {
      try {
        writer.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
