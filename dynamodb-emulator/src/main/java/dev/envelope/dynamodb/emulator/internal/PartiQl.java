package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simple PartiQL statements of ExecuteStatement, turned into the operations they mean:
 * {@code INSERT INTO "t" VALUE {'a': 'x', 'n': 1}}, {@code SELECT * FROM "t" [WHERE a = ? AND b = 'x']},
 * {@code UPDATE "t" SET a = ?, b = 'x' WHERE key = ? [AND key = ?]} (of an existing item, as in DynamoDB) and
 * {@code DELETE FROM "t" WHERE key = ? [AND key = ?]}. Values are string or number literals or {@code ?}
 * parameters. Anything else is refused.
 */
final class PartiQl {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Pattern INSERT =
      Pattern.compile("(?is)\\s*INSERT\\s+INTO\\s+\"([^\"]+)\"\\s+VALUE\\s+\\{(.*)\\}\\s*");
  private static final Pattern SELECT =
      Pattern.compile("(?is)\\s*SELECT\\s+\\*\\s+FROM\\s+\"([^\"]+)\"(?:\\s+WHERE\\s+(.*))?\\s*");
  private static final Pattern UPDATE = Pattern.compile(
      "(?is)\\s*UPDATE\\s+\"([^\"]+)\"\\s+SET\\s+(.*?)\\s+WHERE\\s+(.*)");
  private static final Pattern DELETE = Pattern.compile("(?is)\\s*DELETE\\s+FROM\\s+\"([^\"]+)\"\\s+WHERE\\s+(.*)");
  private static final String LITERAL = "('(?:[^']|'')*'|-?[0-9.eE+-]+|\\?)";
  private static final Pattern PAIR = Pattern.compile("(?s)\\s*'([^']*)'\\s*:\\s*" + LITERAL + "\\s*");
  private static final Pattern EQUALITY =
      Pattern.compile("(?is)\\s*\"?([A-Za-z0-9_.-]+)\"?\\s*=\\s*" + LITERAL + "\\s*");

  /** A statement as the operation it means. */
  record Translated(String operation, ObjectNode request) {}

  private PartiQl() {}

  static Translated translate(String statement, JsonNode parameters) {
    List<JsonNode> params = new ArrayList<>();
    if (parameters != null) {
      parameters.forEach(params::add);
    }
    int[] next = {0};
    Matcher m = INSERT.matcher(statement);
    if (m.matches()) {
      ObjectNode request = JSON.objectNode().put("TableName", m.group(1));
      ObjectNode item = request.putObject("Item");
      for (String pair : splitTopLevel(m.group(2))) {
        Matcher p = PAIR.matcher(pair);
        if (!p.matches()) {
          throw unsupported(statement);
        }
        item.set(p.group(1), value(p.group(2), params, next));
      }
      return new Translated("PartiQLInsert", request);
    }
    m = SELECT.matcher(statement);
    if (m.matches()) {
      ObjectNode request = JSON.objectNode().put("TableName", m.group(1));
      if (m.group(2) != null) {
        request.set("Where", where(m.group(2), params, next, statement));
      }
      return new Translated("PartiQLSelect", request);
    }
    m = UPDATE.matcher(statement);
    if (m.matches()) {
      // UPDATE "t" SET a = ?, b = 'x' (or SET a = ? SET b = 'x') WHERE key = ?: an UpdateItem of an existing item.
      ObjectNode request = JSON.objectNode().put("TableName", m.group(1));
      ObjectNode names = request.putObject("ExpressionAttributeNames");
      ObjectNode values = request.putObject("ExpressionAttributeValues");
      List<String> sets = new ArrayList<>();
      for (String assignment : splitTopLevel(m.group(2).replaceAll("(?i)\\s+SET\\s+", ","))) {
        Matcher e = EQUALITY.matcher(assignment);
        if (!e.matches()) {
          throw unsupported(statement);
        }
        int i = sets.size();
        names.put("#u" + i, e.group(1));
        values.set(":u" + i, value(e.group(2), params, next));
        sets.add("#u" + i + " = :u" + i);
      }
      ObjectNode key = where(m.group(3), params, next, statement);
      request.set("Key", key);
      request.put("UpdateExpression", "SET " + String.join(", ", sets));
      names.put("#k", key.fieldNames().next());
      request.put("ConditionExpression", "attribute_exists(#k)");
      return new Translated("UpdateItem", request);
    }
    m = DELETE.matcher(statement);
    if (m.matches()) {
      ObjectNode request = JSON.objectNode().put("TableName", m.group(1));
      request.set("Key", where(m.group(2), params, next, statement));
      return new Translated("DeleteItem", request);
    }
    throw unsupported(statement);
  }

  private static ObjectNode where(String clause, List<JsonNode> params, int[] next, String statement) {
    ObjectNode out = JSON.objectNode();
    for (String part : clause.split("(?i)\\s+AND\\s+")) {
      Matcher e = EQUALITY.matcher(part);
      if (!e.matches()) {
        throw unsupported(statement);
      }
      out.set(e.group(1), value(e.group(2), params, next));
    }
    return out;
  }

  private static List<String> splitTopLevel(String body) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (char c : body.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.toString().isBlank()) {
      parts.add(current.toString());
    }
    return parts;
  }

  private static JsonNode value(String literal, List<JsonNode> params, int[] next) {
    if (literal.equals("?")) {
      if (next[0] >= params.size()) {
        throw DynamoDbError.validation("Number of parameters in request and statement don't match.");
      }
      return AttributeValues.normalize(params.get(next[0]++));
    }
    if (literal.startsWith("'")) {
      return JSON.objectNode().put("S", literal.substring(1, literal.length() - 1).replace("''", "'"));
    }
    return JSON.objectNode().put("N", AttributeValues.number(literal));
  }

  private static DynamoDbError unsupported(String statement) {
    String verb = statement.trim().split("\\s+")[0].toUpperCase(Locale.ROOT);
    return DynamoDbError.validation("Statement wasn't well formed, or this emulator does not support this form "
        + "of " + verb + " yet (see the dynamodb-emulator LIMITATIONS.md)");
  }
}
