package dev.envelope.dynamodb.beacon;

import java.util.ArrayList;
import java.util.List;

/** A string cut at every occurrence of one character, as the AWS library's {@code Split}: empty pieces kept. */
final class Split {
  private Split() {}

  /** The pieces of {@code s} between occurrences of {@code c}; one piece (maybe empty) when there is none. */
  static List<String> pieces(String s, char c) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = s.indexOf(c); i >= 0; i = s.indexOf(c, start)) {
      out.add(s.substring(start, i));
      start = i + 1;
    }
    out.add(s.substring(start));
    return out;
  }
}
