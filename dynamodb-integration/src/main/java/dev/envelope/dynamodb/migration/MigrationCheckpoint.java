package dev.envelope.dynamodb.migration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Where a {@link TableMigration} records how far each scan segment got, so that a migration stopped for any reason
 * (killed, throttled, redeployed) resumes where it was instead of starting over. Implementations are thread-safe:
 * segments save concurrently.
 */
public interface MigrationCheckpoint {
  /** The key to resume segment {@code segment} after, if it started and has not finished. */
  Optional<Map<String, AttributeValue>> position(int segment);

  /** Whether segment {@code segment} finished. */
  boolean done(int segment);

  /** Records that segment {@code segment} got to {@code lastKey} (null: finished). */
  void save(int segment, Map<String, AttributeValue> lastKey);

  /**
   * Binds this checkpoint to a scan cut into {@code totalSegments}, before anything is read from it. A position is
   * a key within one segment of one cut: resumed under another cut, whole ranges of the table would be taken as
   * done and never read, and a re-key would report success with items still under the old key.
   *
   * @throws IllegalStateException if its positions were recorded for another number of segments
   */
  void bindSegments(int totalSegments);

  /** A checkpoint kept in memory: resumes within one process. */
  static MigrationCheckpoint inMemory() {
    return new InMemory();
  }

  /**
   * A checkpoint kept in a properties file, rewritten atomically after every page: resumes across processes. Keys
   * are stored as their type (S, N or B, the only key types) and base64 value, never in clear.
   */
  static MigrationCheckpoint file(Path path) {
    return new FileCheckpoint(path);
  }

  /** {@link #inMemory()}. */
  final class InMemory implements MigrationCheckpoint {
    private final Map<Integer, Map<String, AttributeValue>> positions = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> done = new ConcurrentHashMap<>();
    private volatile int totalSegments;

    @Override
    public synchronized void bindSegments(int totalSegments) {
      if (this.totalSegments != 0 && this.totalSegments != totalSegments) {
        throw new IllegalStateException(mismatch("This migration checkpoint", this.totalSegments, totalSegments));
      }
      this.totalSegments = totalSegments;
    }

    static String mismatch(String checkpoint, int recorded, int asked) {
      return checkpoint + " holds the positions of a scan cut into " + recorded + " segments, and this migration"
          + " scans in " + asked + ": resumed so, parts of the table would be taken as done without being read."
          + " Resume with " + recorded + " segments (envelope: --parallel " + recorded + ", or --total-segments "
          + recorded + " with each --segment), or start over with a new checkpoint";
    }

    @Override
    public Optional<Map<String, AttributeValue>> position(int segment) {
      return Optional.ofNullable(positions.get(segment));
    }

    @Override
    public boolean done(int segment) {
      return done.getOrDefault(segment, false);
    }

    @Override
    public void save(int segment, Map<String, AttributeValue> lastKey) {
      if (lastKey == null || lastKey.isEmpty()) {
        done.put(segment, true);
        positions.remove(segment);
      } else {
        positions.put(segment, Map.copyOf(lastKey));
      }
    }
  }

  /** {@link #file(Path)}. */
  final class FileCheckpoint implements MigrationCheckpoint {
    private final Path path;
    private final InMemory state = new InMemory();

    FileCheckpoint(Path path) {
      this.path = path;
      if (Files.exists(path)) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
          p.load(in);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read migration checkpoint " + path, e);
        }
        Map<Integer, Map<String, AttributeValue>> keys = new TreeMap<>();
        String cut = p.getProperty("segments");
        if (cut != null) {
          state.bindSegments(Integer.parseInt(cut));
        }
        for (String name : p.stringPropertyNames()) {
          if (!name.startsWith("segment.")) {
            continue;
          }
          String[] parts = name.split("\\.", 3); // segment.<n>.done, segment.<n>.key.<attribute>
          int segment = Integer.parseInt(parts[1]);
          if (parts[2].equals("done")) {
            state.save(segment, null);
          } else {
            keys.computeIfAbsent(segment, s -> new LinkedHashMap<>()).put(parts[2].substring("key.".length()),
                decode(p.getProperty(name)));
          }
        }
        keys.forEach((segment, key) -> {
          if (!state.done(segment)) {
            state.save(segment, key);
          }
        });
      }
    }

    @Override
    public Optional<Map<String, AttributeValue>> position(int segment) {
      return state.position(segment);
    }

    @Override
    public synchronized void bindSegments(int totalSegments) {
      try {
        state.bindSegments(totalSegments);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(InMemory.mismatch("Migration checkpoint " + path, state.totalSegments,
            totalSegments), e);
      }
    }

    @Override
    public boolean done(int segment) {
      return state.done(segment);
    }

    @Override
    public synchronized void save(int segment, Map<String, AttributeValue> lastKey) {
      state.save(segment, lastKey);
      Properties p = new Properties();
      if (state.totalSegments != 0) {
        p.setProperty("segments", Integer.toString(state.totalSegments));
      }
      java.util.SortedSet<Integer> segments = new java.util.TreeSet<>(state.positions.keySet());
      segments.addAll(state.done.keySet());
      for (int s : segments) {
        if (state.done(s)) {
          p.setProperty("segment." + s + ".done", "true");
        } else {
          state.position(s).ifPresent(key -> key.forEach((attribute, value) ->
              p.setProperty("segment." + s + ".key." + attribute, encode(value))));
        }
      }
      try {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
          p.store(out, "Envelope table migration checkpoint");
        }
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write migration checkpoint " + path, e);
      }
    }

    private static String encode(AttributeValue value) {
      return switch (value.type()) {
        case S -> "S:" + Base64.getEncoder().encodeToString(value.s().getBytes(StandardCharsets.UTF_8));
        case N -> "N:" + value.n();
        case B -> "B:" + Base64.getEncoder().encodeToString(value.b().asByteArrayUnsafe());
        default -> throw new IllegalArgumentException("a key attribute of type " + value.type());
      };
    }

    private static AttributeValue decode(String text) {
      String body = text.substring(2);
      return switch (text.charAt(0)) {
        case 'S' -> AttributeValue.fromS(new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8));
        case 'N' -> AttributeValue.fromN(body);
        case 'B' -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode(body)));
        default -> throw new IllegalArgumentException("checkpoint value of unknown type: " + text.charAt(0));
      };
    }
  }
}
