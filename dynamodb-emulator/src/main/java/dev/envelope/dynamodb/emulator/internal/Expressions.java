package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses DynamoDB condition expressions (the grammar of ConditionExpression, FilterExpression and
 * KeyConditionExpression): comparators, BETWEEN, IN, AND/OR/NOT with DynamoDB's precedence (NOT, then AND, then
 * OR), parentheses, the functions attribute_exists, attribute_not_exists, attribute_type, begins_with, contains
 * and size, and document paths ({@code a.b[3].c}). Names and values come from the request's
 * ExpressionAttributeNames/Values; {@link #checkAllUsed} refuses those no expression used, as DynamoDB does.
 * One instance per request; not thread-safe.
 */
public final class Expressions {
  /** DynamoDB's limit on the length of any one expression: 4 KB. */
  static final int MAX_EXPRESSION_BYTES = 4096;

  private final JsonNode names;
  private final JsonNode values;
  private final Set<String> usedNames = new HashSet<>();
  private final Set<String> usedValues = new HashSet<>();

  public Expressions(ObjectNode request) {
    this.names = request.get("ExpressionAttributeNames");
    this.values = request.get("ExpressionAttributeValues");
  }

  /** Parses one condition; {@code what} names it in errors ("condition", "filter", "key condition"). */
  public Condition parseCondition(String expression, String what) {
    if (expression == null || expression.isBlank()) {
      throw DynamoDbError.validation("Invalid " + what + "Expression: The expression can not be empty;");
    }
    Parser p = new Parser(new Lexer(expression, what).tokens(), what);
    Condition c = p.or();
    p.expectEnd();
    return c;
  }

  /** Parses a ProjectionExpression: document paths separated by commas. */
  public List<Path> parseProjection(String expression) {
    if (expression == null || expression.isBlank()) {
      throw DynamoDbError.validation("Invalid ProjectionExpression: The expression can not be empty;");
    }
    Parser p = new Parser(new Lexer(expression, "Projection").tokens(), "Projection");
    List<Path> paths = p.projection();
    p.expectEnd();
    return paths;
  }

  /** After every expression of the request is parsed: names and values that none used are refused. */
  public void checkAllUsed() {
    refuseUnused(values, usedValues, "ExpressionAttributeValues");
    refuseUnused(names, usedNames, "ExpressionAttributeNames");
  }

  private static void refuseUnused(JsonNode given, Set<String> used, String parameter) {
    if (given == null) {
      return;
    }
    List<String> unused = new ArrayList<>();
    given.fieldNames().forEachRemaining(k -> {
      if (!used.contains(k)) {
        unused.add(k);
      }
    });
    if (!unused.isEmpty()) {
      throw DynamoDbError.validation("Value provided in " + parameter + " unused in expressions: keys: {"
          + String.join(", ", unused) + "}");
    }
  }

  // ------------------------------------------------------------------ the tree

  /** A document path: attribute names and list indexes. */
  public record Path(List<Object> elements) {
    public String top() {
      return (String) elements.get(0);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      for (Object e : elements) {
        if (e instanceof Integer i) {
          b.append('[').append(i).append(']');
        } else {
          b.append(b.length() == 0 ? "" : ".").append(e);
        }
      }
      return b.toString();
    }
  }

  /** An operand: a path, a value, or size(path). */
  public sealed interface Operand permits PathOperand, ValueOperand, SizeOperand {}

  public record PathOperand(Path path) implements Operand {}

  public record ValueOperand(JsonNode value) implements Operand {}

  public record SizeOperand(Path path) implements Operand {}

  /** A condition node. */
  public sealed interface Condition permits Comparison, Between, In, And, Or, Not, Function {}

  public record Comparison(String operator, Operand left, Operand right) implements Condition {}

  public record Between(Operand value, Operand low, Operand high) implements Condition {}

  public record In(Operand value, List<Operand> candidates) implements Condition {}

  public record And(Condition left, Condition right) implements Condition {}

  public record Or(Condition left, Condition right) implements Condition {}

  public record Not(Condition condition) implements Condition {}

  public record Function(String name, List<Operand> arguments) implements Condition {}

  /** A value computed for SET: an operand, {@code a + b}, {@code a - b}, if_not_exists or list_append. */
  public sealed interface SetValue permits Plain, Arithmetic, IfNotExists, ListAppend {}

  public record Plain(Operand operand) implements SetValue {}

  public record Arithmetic(String operator, SetValue left, SetValue right) implements SetValue {}

  public record IfNotExists(Path path, SetValue fallback) implements SetValue {}

  public record ListAppend(SetValue first, SetValue second) implements SetValue {}

  /** One action of an update expression. */
  public record Action(String clause, Path path, SetValue value) {}

  /** Parses an UpdateExpression: SET, REMOVE, ADD and DELETE clauses, each at most once. */
  public List<Action> parseUpdate(String expression) {
    if (expression == null || expression.isBlank()) {
      throw DynamoDbError.validation("Invalid UpdateExpression: The expression can not be empty;");
    }
    Parser p = new Parser(new Lexer(expression, "Update").tokens(), "Update");
    List<Action> actions = p.update();
    p.expectEnd();
    return actions;
  }

  // ------------------------------------------------------------------ lexing

  private record Token(String kind, String text) {}

  private static final class Lexer {
    private final String s;
    private final String what;
    private int i;

    Lexer(String s, String what) {
      int size = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (size > MAX_EXPRESSION_BYTES) {
        throw DynamoDbError.validation("Invalid " + what + "Expression: Expression size has exceeded the maximum "
            + "allowed size; expression size: " + size);
      }
      this.s = s;
      this.what = what;
    }

    List<Token> tokens() {
      List<Token> out = new ArrayList<>();
      while (true) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
          i++;
        }
        if (i == s.length()) {
          return out;
        }
        char c = s.charAt(i);
        if (c == '<' || c == '>' || c == '=') {
          String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
          if (two.equals("<=") || two.equals(">=") || two.equals("<>")) {
            out.add(new Token("op", two));
            i += 2;
          } else {
            out.add(new Token("op", String.valueOf(c)));
            i++;
          }
        } else if ("(),.[]+-".indexOf(c) >= 0) {
          out.add(new Token(String.valueOf(c), String.valueOf(c)));
          i++;
        } else if (c == ':' || c == '#' || Character.isLetterOrDigit(c) || c == '_') {
          int start = i++;
          while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
          }
          String text = s.substring(start, i);
          out.add(new Token(c == ':' ? "value" : c == '#' ? "name" : Character.isDigit(c) ? "number" : "word",
              text));
        } else {
          throw DynamoDbError.validation("Invalid " + what + "Expression: Syntax error; token: \"" + c
              + "\", near: \"" + s.substring(Math.max(0, i - 2), Math.min(s.length(), i + 3)) + "\"");
        }
      }
    }
  }

  // ------------------------------------------------------------------ parsing

  private final class Parser {
    private final List<Token> tokens;
    private final String what;
    private int pos;

    Parser(List<Token> tokens, String what) {
      this.tokens = tokens;
      this.what = what;
    }

    private Token peek() {
      return pos < tokens.size() ? tokens.get(pos) : new Token("end", "<EOF>");
    }

    private boolean keyword(String word) {
      Token t = peek();
      return t.kind().equals("word") && t.text().toUpperCase(Locale.ROOT).equals(word);
    }

    private Token next() {
      return pos < tokens.size() ? tokens.get(pos++) : new Token("end", "<EOF>");
    }

    private DynamoDbError syntax(Token t) {
      return DynamoDbError.validation("Invalid " + what + "Expression: Syntax error; token: \"" + t.text()
          + "\", near: \"" + t.text() + "\"");
    }

    private void expect(String kind) {
      Token t = next();
      if (!t.kind().equals(kind)) {
        throw syntax(t);
      }
    }

    void expectEnd() {
      if (pos != tokens.size()) {
        throw syntax(peek());
      }
    }

    List<Path> projection() {
      List<Path> paths = new ArrayList<>();
      paths.add(path());
      while (peek().kind().equals(",")) {
        next();
        paths.add(path());
      }
      return paths;
    }

    List<Action> update() {
      List<Action> actions = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      while (peek().kind().equals("word")) {
        String clause = next().text().toUpperCase(Locale.ROOT);
        if (!Set.of("SET", "REMOVE", "ADD", "DELETE").contains(clause)) {
          throw syntax(tokens.get(pos - 1));
        }
        if (!seen.add(clause)) {
          throw DynamoDbError.validation("Invalid UpdateExpression: The \"" + clause + "\" section can only be "
              + "used once in an update expression;");
        }
        do {
          if (!actions.isEmpty() && peek().kind().equals(",")) {
            next();
          }
          Path path = path();
          SetValue value = null;
          switch (clause) {
            case "SET" -> {
              Token eq = next();
              if (!eq.text().equals("=")) {
                throw syntax(eq);
              }
              value = setValue();
            }
            case "ADD", "DELETE" -> value = new Plain(operand());
            default -> { }
          }
          actions.add(new Action(clause, path, value));
        } while (peek().kind().equals(","));
      }
      if (actions.isEmpty()) {
        throw syntax(peek());
      }
      return actions;
    }

    private SetValue setValue() {
      SetValue left = setOperand();
      if (peek().kind().equals("+") || peek().kind().equals("-")) {
        String operator = next().text();
        return new Arithmetic(operator, left, setOperand());
      }
      return left;
    }

    private SetValue setOperand() {
      Token t = peek();
      if (t.kind().equals("word") && pos + 1 < tokens.size() && tokens.get(pos + 1).kind().equals("(")) {
        String name = t.text();
        next();
        next();
        SetValue result;
        if (name.equals("if_not_exists")) {
          Path path = path();
          expect(",");
          result = new IfNotExists(path, setOperand());
        } else if (name.equals("list_append")) {
          SetValue first = setOperand();
          expect(",");
          result = new ListAppend(first, setOperand());
        } else {
          throw DynamoDbError.validation("Invalid UpdateExpression: Invalid function name; function: " + name);
        }
        expect(")");
        return result;
      }
      return new Plain(operand());
    }

    Condition or() {
      Condition left = and();
      while (keyword("OR")) {
        next();
        left = new Or(left, and());
      }
      return left;
    }

    private Condition and() {
      Condition left = not();
      while (keyword("AND")) {
        next();
        left = new And(left, not());
      }
      return left;
    }

    private Condition not() {
      if (keyword("NOT")) {
        next();
        return new Not(not());
      }
      return primary();
    }

    private Condition primary() {
      Token t = peek();
      if (t.kind().equals("(")) {
        next();
        Condition c = or();
        expect(")");
        return c;
      }
      if (t.kind().equals("word") && pos + 1 < tokens.size() && tokens.get(pos + 1).kind().equals("(")) {
        String name = t.text();
        if (!name.equals("size")) {
          next();
          next();
          List<Operand> args = new ArrayList<>();
          if (!peek().kind().equals(")")) {
            args.add(operand());
            while (peek().kind().equals(",")) {
              next();
              args.add(operand());
            }
          }
          expect(")");
          return function(name, args);
        }
      }
      Operand left = operand();
      if (keyword("BETWEEN")) {
        next();
        Operand low = operand();
        if (!keyword("AND")) {
          throw syntax(peek());
        }
        next();
        return new Between(left, low, operand());
      }
      if (keyword("IN")) {
        next();
        expect("(");
        List<Operand> candidates = new ArrayList<>();
        candidates.add(operand());
        while (peek().kind().equals(",")) {
          next();
          candidates.add(operand());
        }
        expect(")");
        return new In(left, candidates);
      }
      Token op = next();
      if (!op.kind().equals("op")) {
        throw syntax(op);
      }
      return new Comparison(op.text(), left, operand());
    }

    private Condition function(String name, List<Operand> args) {
      int arity = switch (name) {
        case "attribute_exists", "attribute_not_exists" -> 1;
        case "attribute_type", "begins_with", "contains" -> 2;
        default -> throw DynamoDbError.validation("Invalid " + what + "Expression: Invalid function name; "
            + "function: " + name);
      };
      if (args.size() != arity) {
        throw DynamoDbError.validation("Invalid " + what + "Expression: Incorrect number of operands for operator "
            + "or function; operator or function: " + name + ", number of operands: " + args.size());
      }
      if (!(args.get(0) instanceof PathOperand)) {
        throw DynamoDbError.validation("Invalid " + what + "Expression: Operator or function requires a document "
            + "path; operator or function: " + name);
      }
      return new Function(name, List.copyOf(args));
    }

    private Operand operand() {
      Token t = peek();
      if (t.kind().equals("value")) {
        next();
        return new ValueOperand(value(t.text()));
      }
      if (t.kind().equals("word") && t.text().equals("size") && pos + 1 < tokens.size()
          && tokens.get(pos + 1).kind().equals("(")) {
        next();
        next();
        Path path = path();
        expect(")");
        return new SizeOperand(path);
      }
      return new PathOperand(path());
    }

    private Path path() {
      List<Object> elements = new ArrayList<>();
      elements.add(name(next()));
      while (true) {
        if (peek().kind().equals(".")) {
          next();
          elements.add(name(next()));
        } else if (peek().kind().equals("[")) {
          next();
          Token index = next();
          if (!index.kind().equals("number")) {
            throw syntax(index);
          }
          elements.add(Integer.parseInt(index.text()));
          expect("]");
        } else {
          return new Path(List.copyOf(elements));
        }
      }
    }

    private String name(Token t) {
      if (t.kind().equals("name")) {
        JsonNode n = names == null ? null : names.get(t.text());
        if (n == null) {
          throw DynamoDbError.validation("Invalid " + what + "Expression: An expression attribute name used in the "
              + "document path is not defined; attribute name: " + t.text());
        }
        usedNames.add(t.text());
        return n.asText();
      }
      if (!t.kind().equals("word")) {
        throw syntax(t);
      }
      if (ReservedWords.contains(t.text())) {
        throw DynamoDbError.validation("Invalid " + what + "Expression: Attribute name is a reserved keyword; "
            + "reserved keyword: " + t.text());
      }
      return t.text();
    }

    private JsonNode value(String token) {
      JsonNode v = values == null ? null : values.get(token);
      if (v == null) {
        throw DynamoDbError.validation("Invalid " + what + "Expression: An expression attribute value used in "
            + "expression is not defined; attribute value: " + token);
      }
      usedValues.add(token);
      return AttributeValues.normalize(v);
    }
  }
}
