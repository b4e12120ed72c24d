package dev.envelope.kms.internal;

/**
 * IAM wildcard matching: {@code *} matches any run of characters, {@code ?} any one character. The pattern is
 * split at its stars: the first piece must start the value, the last must end it, and each piece between is found
 * at its leftmost place after the previous one (leftmost is always safe when only stars separate pieces). No
 * backtracking and no regular expressions: at most {@code value.length() * piece.length()} comparisons per piece,
 * never exponential (a regex translation of {@code a*a*a*a*b} took minutes on a long value, under a global lock).
 */
final class Wildcard {
  private Wildcard() {}

  static boolean matches(String pattern, String value) {
    if (pattern.equals("*")) {
      return true;
    }
    int star = pattern.indexOf('*');
    if (star < 0) {
      return value.length() == pattern.length() && pieceAt(pattern, 0, pattern.length(), value, 0);
    }
    int lastStar = pattern.lastIndexOf('*');
    int prefix = star;
    int suffix = pattern.length() - lastStar - 1;
    if (prefix + suffix > value.length()
        || !pieceAt(pattern, 0, prefix, value, 0)
        || !pieceAt(pattern, lastStar + 1, pattern.length(), value, value.length() - suffix)) {
      return false;
    }
    int position = prefix;
    int limit = value.length() - suffix;
    int start = star + 1;
    while (start <= lastStar) {
      int end = pattern.indexOf('*', start);
      if (end > start) {
        int found = find(pattern, start, end, value, position, limit);
        if (found < 0) {
          return false;
        }
        position = found + (end - start);
      }
      start = end + 1;
    }
    return true;
  }

  /** The leftmost index in {@code value[from, limit)} where the piece {@code pattern[start, end)} fits, or -1. */
  private static int find(String pattern, int start, int end, String value, int from, int limit) {
    int length = end - start;
    for (int i = from; i + length <= limit; i++) {
      if (pieceAt(pattern, start, end, value, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean pieceAt(String pattern, int start, int end, String value, int at) {
    for (int i = start; i < end; i++) {
      char p = pattern.charAt(i);
      if (p != '?' && p != value.charAt(at + i - start)) {
        return false;
      }
    }
    return true;
  }
}
