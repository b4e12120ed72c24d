package dev.envelope.s3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link ResumableUploader} keeps the state of one upload between processes: a small JSON document (the
 * upload id, the message header with its encrypted data keys, and per part a first-frame tag, a digest and an
 * ETag). It holds no plaintext and no plaintext key, but it names the object and its wrapping keys: keep it where
 * the object's metadata may be kept. {@link #file(Path)} stores it in a file; a caller may store it anywhere
 * (a database row, a DynamoDB item) by implementing this interface.
 */
public interface UploadCheckpoint {
  /** The state saved last, or empty if none (a new upload). */
  Optional<String> load() throws IOException;

  /**
   * Replaces the state, atomically and durably: after a crash, {@link #load()} returns either this state or the
   * one before, never a mix. Called before each part's first byte is sent and after each part is stored.
   */
  void save(String state) throws IOException;

  /** Forgets the state (the upload completed or was aborted). */
  void clear() throws IOException;

  /** A checkpoint in {@code file}: written to a temporary file beside it, flushed to disk, moved into place. */
  static UploadCheckpoint file(Path file) {
    return new FileUploadCheckpoint(file);
  }
}
