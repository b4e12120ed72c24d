package dev.envelope.lambda;

import java.util.Objects;

/**
 * Documents found by listing, for volumes that send no S3 events (an FSx for ONTAP volume's access point): each
 * scheduled invocation ({@link EncryptedDocumentHandler#handleScheduledEvent}) lists the files under a prefix,
 * processes those that are new or whose ETag changed since the checkpoint, and saves the checkpoint. Crash-safe
 * without double processing: a document archived before a crash is recognized by its archive (which records the
 * source's ETag) and skipped without being read. Immutable.
 */
public final class ScheduledSource {
  private final String bucket;
  private final String prefix;
  private final CheckpointStore checkpoints;
  private final long reserveMillis;

  private ScheduledSource(Builder b) {
    if (b.bucket == null || b.bucket.isEmpty()) {
      throw new IllegalArgumentException("bucket is required: an access point alias or ARN, or a bucket name");
    }
    this.bucket = b.bucket;
    this.prefix = Objects.requireNonNull(b.prefix, "prefix");
    this.checkpoints = Objects.requireNonNull(b.checkpoints, "checkpoints");
    this.reserveMillis = b.reserveMillis;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bucket() {
    return bucket;
  }

  public String prefix() {
    return prefix;
  }

  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  /** Time kept in hand: no new document is started with less than this left in the invocation. */
  public long reserveMillis() {
    return reserveMillis;
  }

  /** Builder: a bucket (or access point) and a checkpoint store are required. */
  public static final class Builder {
    private String bucket;
    private String prefix = "";
    private CheckpointStore checkpoints;
    private long reserveMillis = 10_000;

    private Builder() {}

    /** What to list: an access point's alias or ARN (or a bucket). Required. */
    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** Only keys under this prefix; all by default. */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Where the checkpoint is kept. Required. */
    public Builder checkpoints(CheckpointStore checkpoints) {
      this.checkpoints = checkpoints;
      return this;
    }

    /**
     * No new document is started with less than this much of the invocation's time left; the rest wait for the
     * next run. 10 s by default (a document's read, process and archive, with room to save the checkpoint).
     */
    public Builder reserveMillis(long reserveMillis) {
      if (reserveMillis < 0) {
        throw new IllegalArgumentException("reserveMillis must not be negative: " + reserveMillis);
      }
      this.reserveMillis = reserveMillis;
      return this;
    }

    public ScheduledSource build() {
      return new ScheduledSource(this);
    }
  }
}
