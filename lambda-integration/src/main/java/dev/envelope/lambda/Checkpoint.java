package dev.envelope.lambda;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a scheduled source stopped: the version (ETag, or content hash for files) of each document it has
 * archived, so that the next run processes only new and changed ones, plus an opaque token with which its store
 * detects a concurrent save. Immutable.
 */
public final class Checkpoint {
  private static final Checkpoint EMPTY = new Checkpoint(Map.of(), null);

  private final SortedMap<String, String> versions;
  private final String token;

  private Checkpoint(Map<String, String> versions, String token) {
    this.versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    this.token = token;
  }

  /** No document processed yet. */
  public static Checkpoint empty() {
    return EMPTY;
  }

  /** A checkpoint as a store read it: the versions, and the token its next save must present. */
  public static Checkpoint of(Map<String, String> versions, String token) {
    return new Checkpoint(versions, token);
  }

  /** Key to version, sorted by key. */
  public SortedMap<String, String> versions() {
    return versions;
  }

  /** The store's concurrency token (an ETag, a version number); null for a checkpoint never saved. */
  public String token() {
    return token;
  }

  @Override
  public String toString() {
    return "Checkpoint[" + versions.size() + " documents]"; // keys are names of documents: not for logs in bulk
  }
}
