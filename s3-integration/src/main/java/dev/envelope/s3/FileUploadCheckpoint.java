package dev.envelope.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/** {@link UploadCheckpoint#file}: a temporary file beside the target, forced to disk, moved over it atomically. */
final class FileUploadCheckpoint implements UploadCheckpoint {
  private final Path file;

  FileUploadCheckpoint(Path file) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
  }

  @Override
  public Optional<String> load() throws IOException {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized void save(String state) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true); // on disk before it replaces the last state: a crash leaves one or the other
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public synchronized void clear() throws IOException {
    Files.deleteIfExists(file);
  }

  @Override
  public String toString() {
    return "checkpoint file " + file;
  }
}
