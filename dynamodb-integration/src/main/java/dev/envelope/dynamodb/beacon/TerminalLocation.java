package dev.envelope.dynamodb.beacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Where a beacon or virtual field reads its value, as the AWS Database Encryption SDK writes it: a top-level
 * attribute name, then map keys ({@code .key}) and list indexes ({@code [2]}), for example {@code address.lines[0]}.
 * A location that does not exist in an item (a missing key, an index past the end, a key into a non-map) has no
 * value there, as in that library.
 *
 * @param selectors the top-level name, then {@code String} map keys and {@code Integer} list indexes
 */
public record TerminalLocation(List<Object> selectors) {
  public TerminalLocation {
    selectors = List.copyOf(selectors);
    if (selectors.isEmpty() || !(selectors.get(0) instanceof String)) {
      throw new IllegalArgumentException("A location starts with an attribute name");
    }
  }

  /**
   * Parses {@code name}, {@code name.key}, {@code name[3]} and their combinations.
   *
   * @throws IllegalArgumentException with the AWS library's reason for a malformed location
   */
  public static TerminalLocation parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("Path specification must not be empty.");
    }
    List<Object> selectors = new ArrayList<>();
    int next = nextSelector(text, 0);
    selectors.add(text.substring(0, next));
    while (next < text.length()) {
      int end = nextSelector(text, next + 1);
      String selector = text.substring(next, end);
      if (selector.charAt(0) == '.') {
        selectors.add(selector.substring(1));
      } else {
        if (!selector.endsWith("]")) {
          throw new IllegalArgumentException("List index must end with ] in location " + text);
        }
        String digits = selector.substring(1, selector.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
          throw new IllegalArgumentException("List index " + selector + " of location " + text
              + " is not a number up to 999999999");
        }
        selectors.add(Integer.parseInt(digits));
      }
      next = end;
    }
    return new TerminalLocation(selectors);
  }

  private static int nextSelector(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (text.charAt(i) == '.' || text.charAt(i) == '[') {
        return i;
      }
    }
    return text.length();
  }

  /** The top-level attribute, whose crypto action the location has. */
  public String attribute() {
    return (String) selectors.get(0);
  }

  /** Whether the location is the top-level attribute itself. */
  public boolean topLevel() {
    return selectors.size() == 1;
  }

  /** The value at this location in {@code item}, or null when there is none. */
  public AttributeValue valueIn(Map<String, AttributeValue> item) {
    AttributeValue current = item.get(attribute());
    for (int i = 1; i < selectors.size() && current != null; i++) {
      Object selector = selectors.get(i);
      if (selector instanceof Integer index) {
        current = current.type() == AttributeValue.Type.L && index < current.l().size() ? current.l().get(index)
            : null;
      } else {
        current = current.type() == AttributeValue.Type.M ? current.m().get((String) selector) : null;
      }
    }
    return current;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(attribute());
    for (int i = 1; i < selectors.size(); i++) {
      Object s = selectors.get(i);
      b.append(s instanceof Integer ? "[" + s + "]" : "." + s);
    }
    return b.toString();
  }
}
