package dev.envelope.dynamodb.internal.dbe;

/**
 * Numbers as the AWS Database Encryption SDK serializes them before encrypting or signing (its
 * {@code NormalizeNumber}): plain decimal, no exponent, no leading zeros but the one before a point, no trailing
 * fractional zeros, {@code 0} for every zero; at most 38 significant digits, magnitudes DynamoDB stores. Whitespace
 * is not trimmed. Deliberately not {@code BigDecimal}: the accepted syntax and the error cases must be the AWS
 * library's, character for character.
 */
public final class DbeNumbers {
  private DbeNumbers() {}

  /**
   * {@code n} normalized.
   *
   * @throws DbeFormatException if {@code n} is not a number DynamoDB stores, with the AWS library's reason
   */
  public static String normalize(String n) {
    try {
      return normalizeSigned(n);
    } catch (DbeFormatException e) {
      throw new DbeFormatException(e.getMessage() + " when parsing '" + n + "'.");
    }
  }

  private static String normalizeSigned(String n) {
    need(!n.isEmpty(), "An empty string is not a valid number.");
    boolean negative = n.charAt(0) == '-';
    String unsigned = negative || n.charAt(0) == '+' ? n.substring(1) : n;
    need(!unsigned.isEmpty(), "An empty string is not a valid number.");
    String normalized = trimZeros(normalizePositive(unsigned));
    return negative && !normalized.equals("0") ? "-" + normalized : normalized;
  }

  /** Digits, the position of the decimal point among them, and the exponent, of {@code AAA.BBBeCCC}. */
  private record Parsed(String digits, int point, int exponent) {}

  private static Parsed parse(String n) {
    int preDot = countDigits(n, 0);
    if (preDot == n.length()) {
      return new Parsed(n, n.length(), 0);
    }
    if (n.charAt(preDot) == '.') {
      int postDot = countDigits(n, preDot + 1);
      need(preDot + postDot > 0, "Number needs digits either before or after the decimal point.");
      int end = preDot + postDot + 1;
      String digits = n.substring(0, preDot) + n.substring(preDot + 1, end);
      if (end == n.length()) {
        return new Parsed(digits, preDot, 0);
      }
      if (isE(n.charAt(end))) {
        return new Parsed(digits, preDot, exponent(n.substring(end + 1)));
      }
      throw new DbeFormatException("Invalid Character in number at '" + n.substring(end) + "'.");
    }
    need(preDot > 0, "Number needs digits either before or after the decimal point.");
    if (isE(n.charAt(preDot))) {
      return new Parsed(n.substring(0, preDot), preDot, exponent(n.substring(preDot + 1)));
    }
    throw new DbeFormatException("Invalid Character in number at '" + n.substring(preDot) + "'.");
  }

  private static String normalizePositive(String n) {
    Parsed parsed = parse(n);
    String value = parsed.digits();
    int pos = parsed.point();
    // Leading zeros before the point and trailing zeros after it carry no value.
    int start = 0;
    while (start < value.length() && value.charAt(start) == '0' && pos > 0) {
      start++;
      pos--;
    }
    int end = value.length();
    while (end > start && value.charAt(end - 1) == '0' && pos < end - start) {
      end--;
    }
    value = value.substring(start, end);

    String precision = stripTrailingZeros(stripLeadingZeros(value));
    need(precision.length() <= 38, "Attempting to store more than 38 significant digits in a Number.");
    long newPos = (long) pos + parsed.exponent();
    if (precision.isEmpty()) {
      return "0";
    }
    if (newPos <= 0) {
      need(newPos - countZeros(value) >= -129, "Attempting to store a number with magnitude smaller than supported "
          + "range.");
      return "0." + "0".repeat((int) -newPos) + value;
    }
    if (newPos >= value.length()) {
      need(newPos - countZeros(value) <= 126, "Attempting to store a number with magnitude larger than supported "
          + "range.");
      return value + "0".repeat((int) (newPos - value.length()));
    }
    return value.substring(0, (int) newPos) + "." + value.substring((int) newPos);
  }

  /** Leading zeros off (keeping one before a point); trailing fractional zeros and a bare point off. */
  private static String trimZeros(String n) {
    String s = stripLeadingZeros(n);
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (end > 1 && s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }

  /** Leading zeros off, but never the one before a point, nor the last character. */
  private static String stripLeadingZeros(String s) {
    int i = 0;
    while (s.length() - i > 1 && s.charAt(i) == '0' && s.charAt(i + 1) != '.') {
      i++;
    }
    return s.substring(i);
  }

  private static String stripTrailingZeros(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '0') {
      end--;
    }
    return s.substring(0, end);
  }

  private static int countDigits(String s, int from) {
    int i = from;
    while (i < s.length() && isDigit(s.charAt(i))) {
      i++;
    }
    return i - from;
  }

  private static int countZeros(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '0') {
      i++;
    }
    return i;
  }

  private static int exponent(String s) {
    need(!s.isEmpty(), "An empty string is not a valid number.");
    boolean negative = s.charAt(0) == '-';
    String digits = negative || s.charAt(0) == '+' ? s.substring(1) : s;
    need(!digits.isEmpty(), "An empty string is not a valid number.");
    long value = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (!isDigit(c)) {
        throw new DbeFormatException("The character '" + c + "' is not a valid decimal digit.");
      }
      // Past a billion the magnitude checks fail anyway; saturate instead of overflowing.
      value = Math.min(value * 10 + (c - '0'), 1_000_000_000L);
    }
    return (int) (negative ? -value : value);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isE(char c) {
    return c == 'e' || c == 'E';
  }

  private static void need(boolean condition, String message) {
    if (!condition) {
      throw new DbeFormatException(message);
    }
  }
}
