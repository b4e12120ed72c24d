package dev.envelope.dynamodb.beacon;

import java.util.Objects;

/**
 * How a standard beacon is stored and used, as the AWS Database Encryption SDK's {@code BeaconStyle}: normal
 * ({@link #standard()}), only inside compound beacons ({@link #partOnly()}), computed with another beacon's key so
 * that values of two attributes can be compared ({@link #shared}), a set of hashes of a set attribute
 * ({@link #asSet()}), or both ({@link #sharedSet}).
 */
public record BeaconStyle(Kind kind, String other) {
  /** The five styles. */
  public enum Kind { STANDARD, PART_ONLY, SHARED, AS_SET, SHARED_SET }

  public BeaconStyle {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.SHARED || kind == Kind.SHARED_SET) != (other != null)) {
      throw new IllegalArgumentException(kind + " " + (other == null ? "needs" : "takes no") + " other beacon");
    }
  }

  public static BeaconStyle standard() {
    return new BeaconStyle(Kind.STANDARD, null);
  }

  /** Not stored; only usable as an encrypted part of compound beacons. */
  public static BeaconStyle partOnly() {
    return new BeaconStyle(Kind.PART_ONLY, null);
  }

  /** Hashed with the key of standard beacon {@code other} (same length), so equal values give equal beacons. */
  public static BeaconStyle shared(String other) {
    return new BeaconStyle(Kind.SHARED, Objects.requireNonNull(other, "other"));
  }

  /** The attribute is a set (SS, NS, BS): the beacon is the set of its members' hashes. */
  public static BeaconStyle asSet() {
    return new BeaconStyle(Kind.AS_SET, null);
  }

  /** {@link #shared} and {@link #asSet()} together. */
  public static BeaconStyle sharedSet(String other) {
    return new BeaconStyle(Kind.SHARED_SET, Objects.requireNonNull(other, "other"));
  }

  boolean isSet() {
    return kind == Kind.AS_SET || kind == Kind.SHARED_SET;
  }
}
