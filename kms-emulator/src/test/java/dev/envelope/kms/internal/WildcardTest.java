package dev.envelope.kms.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The linear wildcard matcher agrees with the regular-expression definition of IAM wildcards. */
class WildcardTest {
  private static boolean byRegex(String pattern, String value) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
  }

  @Test
  void agreesWithTheRegexDefinitionOnRandomPatterns() {
    Random random = new Random(17);
    char[] patternChars = {'a', 'b', '*', '?', ':', '/'};
    char[] valueChars = {'a', 'b', ':', '/'};
    for (int i = 0; i < 200_000; i++) {
      StringBuilder p = new StringBuilder();
      for (int n = random.nextInt(8); n > 0; n--) {
        p.append(patternChars[random.nextInt(patternChars.length)]);
      }
      StringBuilder v = new StringBuilder();
      for (int n = random.nextInt(10); n > 0; n--) {
        v.append(valueChars[random.nextInt(valueChars.length)]);
      }
      assertEquals(byRegex(p.toString(), v.toString()), Wildcard.matches(p.toString(), v.toString()),
          "pattern '" + p + "' value '" + v + "'");
    }
  }

  @Test
  void edgeCases() {
    assertTrue(Wildcard.matches("*", ""));
    assertTrue(Wildcard.matches("", ""));
    assertFalse(Wildcard.matches("", "a"));
    assertTrue(Wildcard.matches("a*", "a"));
    assertFalse(Wildcard.matches("ab*ba", "aba"), "prefix and suffix must not overlap");
    assertTrue(Wildcard.matches("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/k"));
    assertFalse(Wildcard.matches("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(5000)));
  }
}
