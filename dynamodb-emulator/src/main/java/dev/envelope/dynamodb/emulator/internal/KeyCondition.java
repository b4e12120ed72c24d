package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.emulator.internal.Expressions.And;
import dev.envelope.dynamodb.emulator.internal.Expressions.Between;
import dev.envelope.dynamodb.emulator.internal.Expressions.Comparison;
import dev.envelope.dynamodb.emulator.internal.Expressions.Condition;
import dev.envelope.dynamodb.emulator.internal.Expressions.Function;
import dev.envelope.dynamodb.emulator.internal.Expressions.PathOperand;
import dev.envelope.dynamodb.emulator.internal.Expressions.ValueOperand;
import java.util.Set;

/**
 * A Query's key condition, in the only shapes DynamoDB accepts: the partition key equal to a value, optionally
 * AND one condition on the sort key ({@code = < <= > >=}, BETWEEN, begins_with).
 */
record KeyCondition(JsonNode partition, Condition sort) {
  private static final Set<String> SORT_OPERATORS = Set.of("=", "<", "<=", ">", ">=");

  static KeyCondition of(Condition condition, KeySchema table) {
    Condition partitionPart = condition;
    Condition sortPart = null;
    if (condition instanceof And and) {
      if (isPartitionEquality(and.left(), table)) {
        partitionPart = and.left();
        sortPart = and.right();
      } else {
        partitionPart = and.right();
        sortPart = and.left();
      }
    }
    if (!isPartitionEquality(partitionPart, table)) {
      throw DynamoDbError.validation("Query condition missed key schema element: " + table.partitionKey());
    }
    Comparison equality = (Comparison) partitionPart;
    JsonNode value = ((ValueOperand) equality.right()).value();
    checkType(value, table.partitionKey(), table);
    if (sortPart != null) {
      checkSortCondition(sortPart, table);
    }
    return new KeyCondition(value, sortPart);
  }

  private static boolean isPartitionEquality(Condition c, KeySchema table) {
    return c instanceof Comparison cmp && cmp.operator().equals("=") && cmp.left() instanceof PathOperand p
        && p.path().elements().size() == 1 && p.path().top().equals(table.partitionKey())
        && cmp.right() instanceof ValueOperand;
  }

  private static void checkSortCondition(Condition c, KeySchema table) {
    String sortKey = table.sortKey();
    boolean supported;
    if (c instanceof Comparison cmp) {
      supported = SORT_OPERATORS.contains(cmp.operator()) && isSortPath(cmp.left(), sortKey)
          && cmp.right() instanceof ValueOperand v && checkType(v.value(), sortKey, table);
    } else if (c instanceof Between b) {
      supported = isSortPath(b.value(), sortKey) && b.low() instanceof ValueOperand lo
          && b.high() instanceof ValueOperand hi && checkType(lo.value(), sortKey, table)
          && checkType(hi.value(), sortKey, table);
    } else if (c instanceof Function f) {
      supported = f.name().equals("begins_with") && isSortPath(f.arguments().get(0), sortKey)
          && f.arguments().get(1) instanceof ValueOperand v && checkType(v.value(), sortKey, table);
    } else {
      supported = false;
    }
    if (!supported) {
      throw DynamoDbError.validation("Query key condition not supported");
    }
  }

  private static boolean isSortPath(Expressions.Operand operand, String sortKey) {
    if (sortKey == null || !(operand instanceof PathOperand p) || p.path().elements().size() != 1) {
      return false;
    }
    return p.path().top().equals(sortKey);
  }

  private static boolean checkType(JsonNode value, String keyName, KeySchema table) {
    if (!AttributeValues.type(value).equals(table.typeOf(keyName))) {
      throw DynamoDbError.validation("One or more parameter values were invalid: Condition parameter type does "
          + "not match schema type");
    }
    return true;
  }

  boolean matchesSort(ObjectNode item) {
    return sort == null || Evaluator.matches(sort, item);
  }
}
