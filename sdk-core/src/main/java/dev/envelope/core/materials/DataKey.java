package dev.envelope.core.materials;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Plaintext data-key bytes. Never printed, never part of a hash code, compared in constant time, and zeroed by
 * {@link #destroy()} once the message that needed it is done.
 *
 * <p>Thread safety: safe to read from several threads; {@link #destroy()} must not race with readers.
 */
public final class DataKey {
  private final byte[] bytes;
  private volatile boolean destroyed;

  private DataKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A data key holding a copy of {@code bytes}; the caller may zero its own array afterwards. */
  public static DataKey copyOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new DataKey(bytes.clone());
  }

  /** A data key that takes ownership of {@code bytes}: the caller must not keep or change the array. */
  public static DataKey wrap(byte[] bytes) {
    return new DataKey(Objects.requireNonNull(bytes, "bytes"));
  }

  public int length() {
    return bytes.length;
  }

  /** A copy of the key bytes. The caller zeroes it when done. */
  public byte[] toByteArray() {
    checkNotDestroyed();
    return bytes.clone();
  }

  /** An independent copy, so that a cache can hand out keys and still destroy its own. */
  public DataKey duplicate() {
    checkNotDestroyed();
    return new DataKey(bytes.clone());
  }

  /** Zeroes the key bytes. Idempotent. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException("data key was destroyed");
    }
  }

  /** Constant-time comparison of the key bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof DataKey other && MessageDigest.isEqual(bytes, other.bytes);
  }

  /** Deliberately not derived from the key bytes. */
  @Override
  public int hashCode() {
    return bytes.length;
  }

  @Override
  public String toString() {
    return "DataKey[" + bytes.length + " bytes]";
  }
}
