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
