package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import dev.envelope.core.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The same documents as a {@link ScheduledSource}, read as files from the volume mounted over NFS or SMB (an ECS
 * task or an EC2 instance next to the FSx for ONTAP file system), processed by the same handler's
 * {@link EncryptedDocumentHandler#process} into the same archives: a file's key is its path under the mount point
 * with {@code /} separators, and it is decrypted and bound exactly as the access point would serve it (the
 * handler's {@code EncryptingS3Client} says to which bucket name, see {@code encryptionContextFor}).
 *
 * <p>A file is new or changed when its size or modification time differs from the checkpoint's (as rsync's quick
 * check: a rewrite that keeps both is not seen). Its archive records the MD5 of its content, which is the ETag S3
 * gives a single PUT, so a file archived through the access point is recognized here and the reverse. Hidden files
 * and directories ({@code .snapshot/}) and S3EC instruction files are not documents, here as in the listing. Files
 * are read whole, up to the handler's {@code maxDocumentBytes}. Immutable; {@link #run} may be called from one
 * thread at a time per source.
 */
public final class MountedDirectorySource {
  private final Path mountPoint;
  private final String bucket;
  private final String prefix;
  private final CheckpointStore checkpoints;
  private final Envelope envelope;

  private MountedDirectorySource(Builder b) {
    this.mountPoint = Objects.requireNonNull(b.mountPoint, "mountPoint");
    if (b.bucket == null || b.bucket.isEmpty()) {
      throw new IllegalArgumentException("bucket is required: the access point (alias or ARN) the same files are "
          + "reached through, which their encryption context binds");
    }
    this.bucket = b.bucket;
    this.prefix = Objects.requireNonNull(b.prefix, "prefix");
    this.checkpoints = Objects.requireNonNull(b.checkpoints, "checkpoints");
    this.envelope = Objects.requireNonNull(b.envelope, "envelope");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Processes the new and changed files under the prefix with {@code handler}, then saves the checkpoint.
   *
   * @throws UncheckedIOException if the directory cannot be walked
   */
  public BatchReport run(EncryptedDocumentHandler handler, Context context) {
    List<CheckpointedRun.Listed> listing = list();
    return CheckpointedRun.run("mounted:" + handler.sourceId(bucket, prefix), checkpoints, listing,
        doc -> handler.handleFile(new ObjectRef(bucket, doc.key(), null, null), mountPoint.resolve(doc.key()),
            envelope, context),
        () -> Long.MAX_VALUE, 0, line -> EncryptedDocumentHandler.log(context, line));
  }

  private List<CheckpointedRun.Listed> list() {
    List<CheckpointedRun.Listed> listing = new ArrayList<>();
    if (!Files.isDirectory(mountPoint)) {
      throw new UncheckedIOException(new IOException("Mount point " + mountPoint + " is not a directory: is the "
          + "volume mounted?"));
    }
    try (Stream<Path> files = Files.walk(mountPoint)) {
      files.sorted(Comparator.comparing(p -> key(p))).forEach(path -> {
        String key = key(path);
        if (!key.startsWith(prefix) || !CheckpointedRun.isDocument(key)) {
          return;
        }
        try {
          BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
          if (attributes.isRegularFile()) {
            listing.add(new CheckpointedRun.Listed(key, attributes.size() + "@"
                + attributes.lastModifiedTime().toInstant()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read the attributes of " + path, e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot walk " + mountPoint, e);
    }
    return listing;
  }

  private String key(Path path) {
    return mountPoint.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }

  /** Builder: the mount point, the bucket name, a checkpoint store and an envelope are required. */
  public static final class Builder {
    private Path mountPoint;
    private String bucket;
    private String prefix = "";
    private CheckpointStore checkpoints;
    private Envelope envelope;

    private Builder() {}

    /** Where the volume is mounted (the directory its access point's keys are relative to). Required. */
    public Builder mountPoint(Path mountPoint) {
      this.mountPoint = mountPoint;
      return this;
    }

    /**
     * The access point the same files are served through (alias or ARN): the bucket name their encryption context
     * binds, and the archives' key prefix. Required.
     */
    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** Only keys under this prefix; all by default. */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Where the checkpoint is kept (its own, not the scheduled source's: versions differ). Required. */
    public Builder checkpoints(CheckpointStore checkpoints) {
      this.checkpoints = checkpoints;
      return this;
    }

    /** Decrypts the files: the same keyring as the handler's client, and its commitment policy. Required. */
    public Builder envelope(Envelope envelope) {
      this.envelope = envelope;
      return this;
    }

    public MountedDirectorySource build() {
      return new MountedDirectorySource(this);
    }
  }
}
