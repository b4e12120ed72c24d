package dev.envelope.core.keyring;

import dev.envelope.core.keystore.BranchKeyMaterials;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Branch key materials kept by {@link HierarchicalKeyring}s, least recently used first out once {@code capacity}
 * entries are held. One cache may serve many keyrings: entries are shared between keyrings that have the same
 * partition id, logical key store name and branch key id (the AWS library's cache identifiers), and each keyring
 * applies its own time to live to what it finds. Entries hold their own copy of the key, hand out copies, and are
 * zeroed when evicted or replaced. Thread-safe.
 */
public final class BranchKeyCache {
  /** The AWS library's default entry capacity. */
  public static final int DEFAULT_CAPACITY = 1000;

  private final int capacity;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  private BranchKeyCache(int capacity) {
    this.capacity = capacity;
  }

  /** A cache of at most {@code capacity} branch key versions. */
  public static BranchKeyCache create(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    return new BranchKeyCache(capacity);
  }

  /** Number of entries held, expired ones included until they are looked up or evicted. */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** Drops and zeroes every entry. */
  public void clear() {
    synchronized (entries) {
      entries.values().forEach(e -> e.materials.destroy());
      entries.clear();
    }
  }

  /** A copy of the entry for {@code id} stored no earlier than {@code notBefore}, or null. */
  BranchKeyMaterials get(String id, Instant notBefore) {
    synchronized (entries) {
      Entry entry = entries.get(id);
      return entry == null || entry.stored.isBefore(notBefore) ? null : entry.materials.copyWithoutCalls();
    }
  }

  /** Stores a copy of {@code materials} under {@code id}, replacing (and zeroing) what was there. */
  void put(String id, BranchKeyMaterials materials, Instant now) {
    synchronized (entries) {
      Entry previous = entries.put(id, new Entry(materials.copyWithoutCalls(), now));
      if (previous != null) {
        previous.materials.destroy();
      }
      while (entries.size() > capacity) {
        Map.Entry<String, Entry> eldest = entries.entrySet().iterator().next();
        entries.remove(eldest.getKey());
        eldest.getValue().materials.destroy();
      }
    }
  }

  private record Entry(BranchKeyMaterials materials, Instant stored) {}
}
