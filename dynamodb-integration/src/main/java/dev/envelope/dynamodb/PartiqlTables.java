package dev.envelope.dynamodb;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables a DynamoDB PartiQL statement addresses: the identifier after {@code FROM}, {@code INTO} or
 * {@code UPDATE}, double-quoted or bare, without an index suffix ({@code "Orders"."ByDate"}). Deliberately loose:
 * a keyword inside a string literal adds a name, which can only make the interceptor refuse more, never less.
 */
final class PartiqlTables {
  private static final Pattern TABLE = Pattern.compile(
      "\\b(?:FROM|INTO|UPDATE)\\s+(?:\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_.\\-]*))",
      Pattern.CASE_INSENSITIVE);

  private PartiqlTables() {}

  static Set<String> named(String statement) {
    Set<String> tables = new LinkedHashSet<>();
    if (statement == null) {
      return tables;
    }
    Matcher m = TABLE.matcher(statement);
    while (m.find()) {
      if (m.group(1) != null) {
        tables.add(m.group(1).replace("\"\"", "\""));
      } else {
        String bare = m.group(2);
        int dot = bare.indexOf('.');
        tables.add(dot > 0 ? bare.substring(0, dot) : bare);
      }
    }
    return tables;
  }
}
