package dev.envelope.dynamodb.beacon;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A value computed from an item and never stored: the concatenation of its parts, each the string at a location
 * with its transforms applied in order. A standard beacon on a virtual field searches that value (for example the
 * lower-cased last name followed by the first initial), as in the AWS Database Encryption SDK.
 */
public record VirtualField(String name, List<Part> parts) {
  /** One part: the string at {@code location} (S as is, N as written, BOOL and NULL as words), transformed. */
  public record Part(TerminalLocation location, List<VirtualTransform> transforms) {
    public Part {
      Objects.requireNonNull(location, "location");
      transforms = List.copyOf(transforms);
    }

    public static Part of(String location, VirtualTransform... transforms) {
      return new Part(TerminalLocation.parse(location), List.of(transforms));
    }
  }

  public VirtualField {
    Objects.requireNonNull(name, "name");
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Virtual field " + name + " has no parts");
    }
  }

  public static VirtualField of(String name, Part... parts) {
    return new VirtualField(name, List.of(parts));
  }

  /**
   * The field's value in {@code item}, or null when a part's location has no value.
   *
   * @throws IllegalArgumentException when a location holds a value with no string form (binary, set, list, map)
   */
  public String valueIn(Map<String, AttributeValue> item) {
    StringBuilder value = new StringBuilder();
    for (Part part : parts) {
      AttributeValue at = part.location().valueIn(item);
      if (at == null) {
        return null;
      }
      String s = switch (at.type()) {
        case S -> at.s();
        case N -> at.n();
        case BOOL -> at.bool() ? "true" : "false";
        case NUL -> "null";
        default -> throw new IllegalArgumentException("Virtual field " + name + ": " + part.location() + " is "
            + at.type() + ", which has no string form (S, N, BOOL or NULL)");
      };
      for (VirtualTransform t : part.transforms()) {
        s = t.apply(s);
      }
      value.append(s);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        // Positions count UTF-16 code units, as in the AWS library, which then fails to encode such a value.
        throw new IllegalArgumentException("Virtual field " + name + ": a transform cut a character in two (at "
            + "position " + i + "), which has no UTF-8 form; choose positions that keep emoji and other "
            + "characters beyond U+FFFF whole");
      }
    }
    return value.toString();
  }
}
