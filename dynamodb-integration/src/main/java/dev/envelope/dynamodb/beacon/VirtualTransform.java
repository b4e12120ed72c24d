package dev.envelope.dynamodb.beacon;

/**
 * One step applied to a virtual field part's string, as in the AWS Database Encryption SDK: on Java strings (UTF-16
 * code units), case changes on ASCII letters only. A position counts from 0 at the start, or from -1 at the end;
 * like that library (and unlike its specification), a position past the end means the last item, so
 * {@code substring(0, 999)} drops the last character.
 */
public sealed interface VirtualTransform {
  /** The transformed string. */
  String apply(String s);

  /** ASCII a-z to A-Z. */
  static VirtualTransform upper() {
    return new Upper();
  }

  /** ASCII A-Z to a-z. */
  static VirtualTransform lower() {
    return new Lower();
  }

  /** Appends {@code literal}. */
  static VirtualTransform insert(String literal) {
    return new Insert(literal);
  }

  /** The first {@code length} characters; for a negative length, all but the last {@code -length}. */
  static VirtualTransform prefix(int length) {
    return new Prefix(length);
  }

  /** The last {@code length} characters; for a negative length, all but the first {@code -length}. */
  static VirtualTransform suffix(int length) {
    return new Suffix(length);
  }

  /** The characters from position {@code low} (inclusive) to {@code high} (exclusive). */
  static VirtualTransform substring(int low, int high) {
    return new Substring(low, high);
  }

  /** The {@code index}th piece of the string split at {@code split}; empty when there is no such piece. */
  static VirtualTransform segment(char split, int index) {
    return new Segment(split, index);
  }

  /** The pieces from {@code low} (inclusive) to {@code high} (exclusive), joined by {@code split}. */
  static VirtualTransform segments(char split, int low, int high) {
    return new Segments(split, low, high);
  }

  record Upper() implements VirtualTransform {
    @Override
    public String apply(String s) {
      char[] chars = s.toCharArray();
      for (int i = 0; i < chars.length; i++) {
        if (chars[i] >= 'a' && chars[i] <= 'z') {
          chars[i] = (char) (chars[i] - 'a' + 'A');
        }
      }
      return new String(chars);
    }
  }

  record Lower() implements VirtualTransform {
    @Override
    public String apply(String s) {
      char[] chars = s.toCharArray();
      for (int i = 0; i < chars.length; i++) {
        if (chars[i] >= 'A' && chars[i] <= 'Z') {
          chars[i] = (char) (chars[i] - 'A' + 'a');
        }
      }
      return new String(chars);
    }
  }

  record Insert(String literal) implements VirtualTransform {
    public Insert {
      java.util.Objects.requireNonNull(literal, "literal");
    }

    @Override
    public String apply(String s) {
      return s + literal;
    }
  }

  record Prefix(int length) implements VirtualTransform {
    @Override
    public String apply(String s) {
      return length >= 0 ? s.substring(0, Math.min(length, s.length()))
          : s.substring(0, s.length() - Math.min(-length, s.length()));
    }
  }

  record Suffix(int length) implements VirtualTransform {
    @Override
    public String apply(String s) {
      return length >= 0 ? s.substring(s.length() - Math.min(length, s.length()))
          : s.substring(Math.min(-length, s.length()));
    }
  }

  record Substring(int low, int high) implements VirtualTransform {
    @Override
    public String apply(String s) {
      int lo = position(low, s.length());
      int hi = position(high, s.length());
      return lo < hi ? s.substring(lo, hi) : "";
    }
  }

  record Segment(char split, int index) implements VirtualTransform {
    @Override
    public String apply(String s) {
      String[] pieces = pieces(s, split);
      if (index >= pieces.length || -(long) index > pieces.length) {
        return "";
      }
      return pieces[position(index, pieces.length)];
    }
  }

  record Segments(char split, int low, int high) implements VirtualTransform {
    @Override
    public String apply(String s) {
      String[] pieces = pieces(s, split);
      int lo = position(low, pieces.length);
      int hi = position(high, pieces.length);
      return lo < hi ? String.join(String.valueOf(split), java.util.Arrays.asList(pieces).subList(lo, hi)) : "";
    }
  }

  /** A position as the AWS library resolves it: clamped to 0..limit-1 (so a position past the end is the last). */
  private static int position(int pos, int limit) {
    if (limit == 0) {
      return 0;
    }
    if (pos >= 0) {
      return Math.min(pos, limit - 1);
    }
    return limit + (long) pos < 0 ? 0 : limit + pos;
  }

  private static String[] pieces(String s, char split) {
    return Split.pieces(s, split).toArray(String[]::new);
  }
}
