package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A data directory: a snapshot ({@code snapshot-<generation>.jsonl}) and the journal of the changes since
 * ({@code journal-<generation>.jsonl}), one JSON line per operation holding all its changes, so that a
 * transaction is restored whole or not at all. A change reaches the journal before the operation is answered:
 * a process killed at any moment (SIGKILL) loses no acknowledged write, because the operating system keeps what
 * was written; with {@code fsync} each line is also forced to the disk (a power cut then loses nothing either).
 * A torn last line (the process died while writing it, so it was never acknowledged) is dropped on load. The
 * journal is folded into a new snapshot at start and whenever it passes {@value #COMPACT_BYTES} bytes: the
 * snapshot is written to a temporary file, forced, and renamed over, so a crash leaves the old generation or
 * the new one, never half of one. A lock file keeps a second process out. Not thread-safe: the engine calls it
 * under its lock.
 */
public final class Journal implements AutoCloseable {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d+)\\.jsonl");
  static final long COMPACT_BYTES = 64L << 20;

  private final Path directory;
  private final boolean fsync;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private long generation;
  private FileChannel journal;
  private boolean broken;

  private Journal(Path directory, boolean fsync) throws IOException {
    this.directory = directory;
    this.fsync = fsync;
    Files.createDirectories(directory);
    lockChannel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock acquired;
    try {
      acquired = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      acquired = null; // held by another emulator in this JVM
    }
    if (acquired == null) {
      lockChannel.close();
      throw new IllegalStateException("The data directory " + directory + " is in use by another emulator process; "
          + "stop it or choose another --data-dir");
    }
    lock = acquired;
    generation = latestGeneration(directory);
  }

  /** Opens (creating it if need be) and locks a data directory; {@code fsync} forces each change to the disk. */
  public static Journal open(Path directory, boolean fsync) {
    try {
      return new Journal(directory, fsync);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the data directory " + directory, e);
    }
  }

  private static long latestGeneration(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> SNAPSHOT.matcher(p.getFileName().toString())).filter(Matcher::matches)
          .mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0);
    }
  }

  static ObjectNode table(Table table) {
    return JSON.objectNode().set("table", TableDefinitions.stored(table));
  }

  static ObjectNode dropped(String table) {
    return JSON.objectNode().put("drop", table);
  }

  static ObjectNode put(Table table, ObjectNode item) {
    ObjectNode record = JSON.objectNode().put("put", table.name);
    record.set("item", item);
    return record;
  }

  static ObjectNode deleted(Table table, ObjectNode item) {
    ObjectNode record = JSON.objectNode().put("delete", table.name);
    record.set("key", table.keyAttributes(item));
    return record;
  }

  /** Feeds the snapshot's records, then the journal's, to {@code restore}; drops a torn last journal line. */
  void load(Consumer<ObjectNode> restore) {
    try {
      Path snapshot = snapshotPath(generation);
      if (Files.exists(snapshot)) {
        readLines(snapshot, restore, false);
      }
      Path log = journalPath(generation);
      if (Files.exists(log)) {
        readLines(log, restore, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the data directory " + directory, e);
    }
  }

  private void readLines(Path file, Consumer<ObjectNode> restore, boolean tolerateTornTail) throws IOException {
    byte[] content = Files.readAllBytes(file);
    int start = 0;
    int line = 0;
    while (start < content.length) {
      int end = start;
      while (end < content.length && content[end] != '\n') {
        end++;
      }
      line++;
      boolean complete = end < content.length;
      JsonNode parsed = null;
      if (complete) {
        try {
          parsed = MAPPER.readTree(content, start, end - start);
        } catch (JsonProcessingException e) {
          parsed = null;
        }
      }
      if (parsed == null || !parsed.isArray()) {
        if (tolerateTornTail && !complete) {
          // The process died while writing this line: it was never acknowledged. Cut it off.
          try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(start);
          }
          return;
        }
        throw new IllegalStateException("The data directory " + directory + " is damaged: " + file.getFileName()
            + " line " + line + " is not a complete record. Restore a backup or remove the directory.");
      }
      parsed.forEach(record -> restore.accept((ObjectNode) record));
      start = end + 1;
    }
  }

  /** Folds everything into a new snapshot generation and starts its empty journal. */
  void compact(Consumer<Consumer<ObjectNode>> records) {
    try {
      if (journal != null) {
        journal.close();
      }
      long next = generation + 1;
      Path temporary = directory.resolve("snapshot-" + next + ".tmp");
      try (BufferedWriter out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
        UncheckedWriter writer = new UncheckedWriter(out);
        records.accept(writer::line);
      }
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(temporary, snapshotPath(next), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IllegalStateException("The data directory " + directory + " is on a file system without atomic "
            + "renames; choose another --data-dir", e);
      }
      Files.deleteIfExists(journalPath(generation));
      Files.deleteIfExists(snapshotPath(generation));
      generation = next;
      journal = FileChannel.open(journalPath(generation), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a snapshot in the data directory " + directory, e);
    }
  }

  /** Writes one operation's changes as one line before the operation is answered; compacts when large. */
  void append(List<ObjectNode> changes, Consumer<Consumer<ObjectNode>> records) {
    if (broken) {
      throw DynamoDbError.internal("The data directory " + directory + " could not be written earlier; restart the "
          + "emulator");
    }
    try {
      ArrayNode line = JSON.arrayNode();
      changes.forEach(line::add);
      byte[] bytes = (MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        journal.write(buffer);
      }
      if (fsync) {
        journal.force(false);
      }
      if (journal.size() > COMPACT_BYTES) {
        compact(records);
      }
    } catch (IOException | UncheckedIOException e) {
      broken = true;
      throw DynamoDbError.internal("The change could not be written to the data directory " + directory + "; it is "
          + "applied in memory but not durable: restart the emulator");
    }
  }

  private Path snapshotPath(long g) {
    return directory.resolve("snapshot-" + g + ".jsonl");
  }

  private Path journalPath(long g) {
    return directory.resolve("journal-" + g + ".jsonl");
  }

  @Override
  public void close() {
    try {
      if (journal != null) {
        journal.close();
      }
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close the data directory " + directory, e);
    }
  }

  /** Writes one record per line, each as a one-element array so snapshot and journal lines read alike. */
  private record UncheckedWriter(BufferedWriter out) {
    void line(ObjectNode record) {
      try {
        out.write(MAPPER.writeValueAsString(JSON.arrayNode().add(record)));
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
