package dev.envelope.dynamodb.internal.expr;

import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.internal.expr.ExpressionTokens.Kind;
import dev.envelope.dynamodb.internal.expr.ExpressionTokens.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed DynamoDB condition: comparisons, {@code BETWEEN}, {@code IN}, the functions, and {@code NOT}, {@code AND},
 * {@code OR} with DynamoDB's precedence (NOT binds tighter than AND, AND than OR) and parentheses. Operands keep the
 * position of their token, so that a rewriting can change exactly the tokens it means.
 */
public sealed interface Condition {
  /** An operand: a document path, a value placeholder, or {@code size(path)}. */
  sealed interface Operand permits PathOperand, ValueOperand, SizeOperand {}

  /** @param token the index of the PATH token */
  record PathOperand(Token path, int token) implements Operand {}

  record ValueOperand(String placeholder, int token) implements Operand {}

  record SizeOperand(PathOperand path) implements Operand {}

  record Comparison(String operator, Operand left, Operand right) implements Condition {}

  record Between(Operand value, Operand low, Operand high) implements Condition {}

  record In(Operand value, List<Operand> candidates) implements Condition {}

  /** A function other than {@code size}: its first argument is a path. */
  record Call(String function, List<Operand> arguments) implements Condition {}

  record Not(Condition condition) implements Condition {}

  record And(Condition left, Condition right) implements Condition {}

  record Or(Condition left, Condition right) implements Condition {}

  /**
   * Parses tokens into a condition.
   *
   * @throws UnsupportedRequestException for an expression DynamoDB would not accept either
   */
  static Condition parse(List<Token> tokens, String expression) {
    Parser p = new Parser(tokens, expression);
    Condition c = p.or();
    if (p.pos != tokens.size()) {
      throw p.syntax();
    }
    return c;
  }

  /** Recursive descent over the tokens of one expression. */
  final class Parser {
    private final List<Token> tokens;
    private final String expression;
    private int pos;

    private Parser(List<Token> tokens, String expression) {
      this.tokens = tokens;
      this.expression = expression;
    }

    private Kind peek() {
      return pos < tokens.size() ? tokens.get(pos).kind() : null;
    }

    private Token expect(Kind kind) {
      if (peek() != kind) {
        throw syntax();
      }
      return tokens.get(pos++);
    }

    private UnsupportedRequestException syntax() {
      String near = pos < tokens.size() ? "at '" + tokens.get(pos).text() + "'" : "at its end";
      return new UnsupportedRequestException("Syntax error " + near + " in expression \"" + expression + "\"");
    }

    private Condition or() {
      Condition left = and();
      while (peek() == Kind.OR) {
        pos++;
        left = new Or(left, and());
      }
      return left;
    }

    private Condition and() {
      Condition left = not();
      while (peek() == Kind.AND) {
        pos++;
        left = new And(left, not());
      }
      return left;
    }

    private Condition not() {
      if (peek() == Kind.NOT) {
        pos++;
        return new Not(not());
      }
      return primary();
    }

    private Condition primary() {
      if (peek() == Kind.OPEN) {
        pos++;
        Condition inner = or();
        expect(Kind.CLOSE);
        return inner;
      }
      if (peek() == Kind.FUNCTION && !tokens.get(pos).text().equals("size")) {
        String function = tokens.get(pos++).text();
        expect(Kind.OPEN);
        List<Operand> arguments = new ArrayList<>();
        arguments.add(operand());
        while (peek() == Kind.COMMA) {
          pos++;
          arguments.add(operand());
        }
        expect(Kind.CLOSE);
        int arity = function.startsWith("attribute_") && !function.equals("attribute_type") ? 1 : 2;
        if (arguments.size() != arity || !(arguments.get(0) instanceof PathOperand)) {
          throw new UnsupportedRequestException(function + " takes " + (arity == 1 ? "a path" : "a path and a value")
              + " in expression \"" + expression + "\"");
        }
        return new Call(function, List.copyOf(arguments));
      }
      Operand left = operand();
      if (peek() == Kind.BETWEEN) {
        pos++;
        Operand low = operand();
        expect(Kind.AND);
        return new Between(left, low, operand());
      }
      if (peek() == Kind.IN) {
        pos++;
        expect(Kind.OPEN);
        List<Operand> candidates = new ArrayList<>();
        candidates.add(operand());
        while (peek() == Kind.COMMA) {
          pos++;
          candidates.add(operand());
        }
        expect(Kind.CLOSE);
        return new In(left, List.copyOf(candidates));
      }
      String operator = expect(Kind.COMPARATOR).text();
      return new Comparison(operator, left, operand());
    }

    private Operand operand() {
      Kind kind = peek();
      if (kind == Kind.VALUE) {
        return new ValueOperand(tokens.get(pos).text(), pos++);
      }
      if (kind == Kind.PATH) {
        return new PathOperand(tokens.get(pos), pos++);
      }
      if (kind == Kind.FUNCTION && tokens.get(pos).text().equals("size")) {
        pos++;
        expect(Kind.OPEN);
        int at = pos;
        PathOperand path = new PathOperand(expect(Kind.PATH), at);
        expect(Kind.CLOSE);
        return new SizeOperand(path);
      }
      throw syntax();
    }
  }
}
