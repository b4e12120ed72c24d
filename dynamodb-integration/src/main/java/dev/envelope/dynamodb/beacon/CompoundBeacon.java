package dev.envelope.dynamodb.beacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compound beacon: pieces joined by {@code split}, each a prefix followed by either a signed attribute's value
 * (signed part) or a standard beacon's hash of an encrypted attribute's value (encrypted part), built by the first
 * constructor whose required parts are all present. Supports prefix and range searches on its signed pieces.
 */
public record CompoundBeacon(String name, char split, List<Part> parts, List<Constructor> constructors) {
  /**
   * One part. An encrypted part names a standard beacon (whose key and length it uses) and hashes that beacon's
   * attribute; a signed part holds the value of {@code location} as it is.
   */
  public record Part(String name, String prefix, boolean encrypted, String location) {
    public Part {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(location, "location");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("Part " + name + ": a prefix is required");
      }
    }

    public static Part encrypted(String standardBeacon, String prefix) {
      return new Part(standardBeacon, prefix, true, standardBeacon);
    }

    public static Part signed(String attribute, String prefix) {
      return new Part(attribute, prefix, false, attribute);
    }
  }

  /** One way to build the beacon: parts in order, each required or optional. */
  public record Constructor(List<String> parts, List<Boolean> required) {
    public Constructor {
      parts = List.copyOf(parts);
      required = List.copyOf(required);
      if (parts.size() != required.size() || !required.contains(true)) {
        throw new IllegalArgumentException("A constructor needs a required flag per part and at least one required");
      }
    }

    /** A constructor whose parts are all required. */
    public static Constructor of(String... parts) {
      List<Boolean> required = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        required.add(true);
      }
      return new Constructor(List.of(parts), required);
    }
  }

  public CompoundBeacon {
    Objects.requireNonNull(name, "name");
    parts = List.copyOf(parts);
    constructors = List.copyOf(constructors);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Compound beacon " + name + " has no parts");
    }
    for (Part a : parts) {
      for (Part b : parts) {
        if (a != b && b.prefix().startsWith(a.prefix())) {
          throw new IllegalArgumentException("Compound beacon " + name + ": prefix '" + a.prefix() + "' of part "
              + a.name() + " is a prefix of '" + b.prefix() + "' (part " + b.name() + ")");
        }
      }
    }
    for (Constructor c : constructors) {
      for (String part : c.parts()) {
        if (parts.stream().noneMatch(p -> p.name().equals(part))) {
          throw new IllegalArgumentException("Compound beacon " + name + ": constructor part " + part
              + " is not one of its parts");
        }
      }
    }
  }

  /** A compound beacon built by its default constructor: every signed part, then every encrypted part, all required. */
  public static CompoundBeacon of(String name, char split, List<Part> parts) {
    return new CompoundBeacon(name, split, parts, List.of());
  }

  /**
   * The part whose prefix starts {@code piece} of a query value.
   *
   * @throws IllegalArgumentException if none does
   */
  public Part partOf(String piece) {
    for (Part part : parts) {
      if (piece.startsWith(part.prefix())) {
        return part;
      }
    }
    throw new IllegalArgumentException("Value " + piece + " for beacon " + name + " does not match the prefix of any "
        + "configured part.");
  }

  /** A query value's pieces: the value split at {@code split}. */
  public List<String> pieces(String value) {
    return Split.pieces(value, split);
  }

  /**
   * Checks that a query value's pieces name parts in an order some constructor builds (parts may be skipped before
   * the first piece, and optional parts between pieces), as the AWS library checks.
   *
   * @throws IllegalArgumentException with the AWS library's message
   */
  public void checkQueryValue(String value) {
    List<Part> used = new ArrayList<>();
    for (String piece : pieces(value)) {
      used.add(partOf(piece));
    }
    for (Constructor c : effectiveConstructors()) {
      if (canConstruct(c, used)) {
        return;
      }
    }
    throw new IllegalArgumentException("Compound Beacon value '" + value + "' cannot be constructed from any "
        + "available constructor for " + name + ".");
  }

  private boolean canConstruct(Constructor c, List<Part> used) {
    int at = 0;
    boolean matched = false;
    for (int i = 0; i < c.parts().size() && at < used.size(); i++) {
      if (c.parts().get(i).equals(used.get(at).name())) {
        at++;
        matched = true;
      } else if (c.required().get(i) && matched) {
        return false;
      }
    }
    return at == used.size();
  }

  /**
   * Whether a range comparison on {@code pieces} can work on the stored beacon: signed pieces, then at most one
   * piece that is only an encrypted part's prefix (a hash has no order).
   */
  public boolean lessThanComparable(List<String> pieces) {
    int i = 0;
    while (i < pieces.size() && !partOf(pieces.get(i)).encrypted()) {
      i++;
    }
    return i == pieces.size() || i == pieces.size() - 1 && partOf(pieces.get(i)).prefix().equals(pieces.get(i));
  }

  /** Whether {@code BETWEEN low AND high} can work: after their common leading pieces, both are LessThanComparable. */
  public boolean betweenComparable(String low, String high) {
    List<String> a = pieces(low);
    List<String> b = pieces(high);
    int common = 0;
    while (common < a.size() && common < b.size() && a.get(common).equals(b.get(common))) {
      common++;
    }
    return lessThanComparable(a.subList(common, a.size())) && lessThanComparable(b.subList(common, b.size()));
  }

  /**
   * Whether a query value of this beacon has a piece that is hashed: an encrypted part's piece other than a last
   * bare prefix of a non-equality search. A value without one compares exactly.
   */
  public boolean hashes(String value, boolean forEquality) {
    List<String> pieces = pieces(value);
    for (int i = 0; i < pieces.size(); i++) {
      Part part = partOf(pieces.get(i));
      boolean barePrefix = !forEquality && i == pieces.size() - 1 && pieces.get(i).equals(part.prefix());
      if (part.encrypted() && !barePrefix) {
        return true;
      }
    }
    return false;
  }

  /** Whether every part is signed: the beacon is a plaintext attribute of its own, signed with the item. */
  public boolean signed() {
    return parts.stream().noneMatch(Part::encrypted);
  }

  /** The constructors to try, in order: the configured ones, or the default one. */
  List<Constructor> effectiveConstructors() {
    if (!constructors.isEmpty()) {
      return constructors;
    }
    List<String> order = new ArrayList<>();
    parts.stream().filter(p -> !p.encrypted()).forEach(p -> order.add(p.name()));
    parts.stream().filter(Part::encrypted).forEach(p -> order.add(p.name()));
    return List.of(Constructor.of(order.toArray(String[]::new)));
  }
}
