package dev.envelope.dynamodb.internal.expr;

import dev.envelope.dynamodb.UnsupportedRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tokens of a DynamoDB condition, filter or key-condition expression. A document path ({@code a.#b[2]}) is one
 * token, as in the AWS Database Encryption SDK, so that a rewritten expression is the tokens joined by single
 * spaces, the text that library sends. Unlike that library, keywords and function names are recognized as whole
 * words only: an attribute named {@code index} or {@code order} is a name, not {@code IN} or {@code OR}.
 */
public final class ExpressionTokens {
  /** What a token is. */
  public enum Kind { PATH, VALUE, COMPARATOR, OPEN, CLOSE, COMMA, AND, OR, NOT, BETWEEN, IN, FUNCTION }

  /** One token; {@code text} is what it prints as. */
  public record Token(Kind kind, String text) {
    /** The token's path segments' first name as written ({@code #n} or {@code name}), for a PATH. */
    public String top() {
      int end = 0;
      while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
        end++;
      }
      return text.substring(0, end);
    }

    /** Whether a PATH token is more than a top-level name. */
    public boolean nested() {
      return top().length() != text.length();
    }

    Token withText(String newText) {
      return new Token(kind, newText);
    }
  }

  private static final Set<String> FUNCTIONS = Set.of("attribute_exists", "attribute_not_exists", "attribute_type",
      "begins_with", "contains", "size");

  private ExpressionTokens() {}

  /**
   * The tokens of {@code expression}.
   *
   * @throws UnsupportedRequestException naming the character this grammar does not know
   */
  public static List<Token> of(String expression) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = expression.length();
    while (i < n) {
      char c = expression.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')' || c == ',') {
        out.add(new Token(c == '(' ? Kind.OPEN : c == ')' ? Kind.CLOSE : Kind.COMMA, String.valueOf(c)));
        i++;
      } else if (c == '=' || c == '<' || c == '>') {
        String two = i + 1 < n ? expression.substring(i, i + 2) : "";
        String op = two.equals("<=") || two.equals(">=") || two.equals("<>") ? two : String.valueOf(c);
        out.add(new Token(Kind.COMPARATOR, op));
        i += op.length();
      } else if (c == ':') {
        int end = word(expression, i + 1);
        out.add(new Token(Kind.VALUE, expression.substring(i, end)));
        i = end;
      } else if (c == '#' || isWordChar(c)) {
        int end = word(expression, c == '#' ? i + 1 : i);
        String text = expression.substring(i, end);
        String lower = text.toLowerCase(Locale.ROOT);
        if (c != '#' && FUNCTIONS.contains(lower) && next(expression, end) == '(') {
          out.add(new Token(Kind.FUNCTION, lower));
          i = end;
        } else if (c != '#' && keyword(lower) != null) {
          out.add(new Token(keyword(lower), lower.toUpperCase(Locale.ROOT)));
          i = end;
        } else {
          end = pathEnd(expression, end);
          out.add(new Token(Kind.PATH, expression.substring(i, end)));
          i = end;
        }
      } else {
        throw new UnsupportedRequestException("Unexpected character '" + c + "' at position " + i
            + " of expression \"" + expression + "\"");
      }
    }
    return out;
  }

  /** The tokens as one expression, joined by single spaces. */
  public static String join(List<Token> tokens) {
    StringBuilder b = new StringBuilder();
    for (Token t : tokens) {
      b.append(b.length() == 0 ? "" : " ").append(t.text());
    }
    return b.toString();
  }

  private static Kind keyword(String lower) {
    return switch (lower) {
      case "and" -> Kind.AND;
      case "or" -> Kind.OR;
      case "not" -> Kind.NOT;
      case "between" -> Kind.BETWEEN;
      case "in" -> Kind.IN;
      default -> null;
    };
  }

  /** The end of a path that starts with a name ending at {@code i}: further {@code .name} and {@code [n]}. */
  private static int pathEnd(String s, int i) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '.' && i + 1 < s.length() && (s.charAt(i + 1) == '#' || isWordChar(s.charAt(i + 1)))) {
        i = word(s, s.charAt(i + 1) == '#' ? i + 2 : i + 1);
      } else if (c == '[') {
        int close = s.indexOf(']', i);
        if (close < 0) {
          return i;
        }
        i = close + 1;
      } else {
        return i;
      }
    }
    return i;
  }

  private static int word(String s, int i) {
    while (i < s.length() && isWordChar(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static char next(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i < s.length() ? s.charAt(i) : 0;
  }
}
