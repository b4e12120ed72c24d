package dev.envelope.lambda;

import java.util.Map;

/**
 * Keeps the checkpoints of scheduled sources, one per source id. Implementations: {@link S3CheckpointStore} (an
 * object in a bucket) and {@link DynamoDbCheckpointStore} (an item in a table). A save is conditional on the
 * checkpoint it replaces, so two overlapping runs cannot overwrite each other unnoticed.
 */
public interface CheckpointStore {
  /** The source's checkpoint, or {@link Checkpoint#empty()} if it has none yet. */
  Checkpoint load(String sourceId);

  /**
   * Replaces {@code previous} (as {@link #load} returned it) with {@code versions}.
   *
   * @throws CheckpointConflictException if another run saved the source's checkpoint since {@code previous} was
   *     loaded
   */
  void save(String sourceId, Checkpoint previous, Map<String, String> versions);
}
