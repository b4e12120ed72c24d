package dev.envelope.dynamodb.internal;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The top-level attribute names a DynamoDB condition, filter, key-condition or update expression refers to,
 * with {@code #placeholders} resolved. Enough of the expression grammar to find names: values ({@code :v}),
 * function names (followed by a parenthesis), keywords and nested path segments ({@code a.b}, {@code a[0]}) are
 * not top-level attribute names.
 */
public final class ExpressionNames {
  private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "between", "in", "set", "remove", "add",
      "delete");

  private ExpressionNames() {}

  public static Set<String> referenced(String expression, Map<String, String> placeholders) {
    Set<String> names = new LinkedHashSet<>();
    if (expression == null) {
      return names;
    }
    int n = expression.length();
    int i = 0;
    while (i < n) {
      char c = expression.charAt(i);
      if (c == ':') { // a value placeholder
        i = skipWord(expression, i + 1);
        continue;
      }
      if (c == '#' || Character.isLetter(c) || c == '_') {
        int end = skipWord(expression, i + 1);
        String token = expression.substring(i, end);
        boolean nested = previousNonSpace(expression, i) == '.';
        boolean function = nextNonSpace(expression, end) == '(';
        if (!nested && !function && !KEYWORDS.contains(token.toLowerCase(Locale.ROOT))) {
          names.add(token.startsWith("#") ? placeholders.getOrDefault(token, token) : token);
        }
        i = end;
        continue;
      }
      i++;
    }
    return names;
  }

  private static int skipWord(String s, int i) {
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  private static char previousNonSpace(String s, int i) {
    for (int j = i - 1; j >= 0; j--) {
      if (!Character.isWhitespace(s.charAt(j))) {
        return s.charAt(j);
      }
    }
    return 0;
  }

  private static char nextNonSpace(String s, int i) {
    for (int j = i; j < s.length(); j++) {
      if (!Character.isWhitespace(s.charAt(j))) {
        return s.charAt(j);
      }
    }
    return 0;
  }
}
