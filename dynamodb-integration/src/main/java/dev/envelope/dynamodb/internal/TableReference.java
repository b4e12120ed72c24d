package dev.envelope.dynamodb.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request's {@code TableName} names. DynamoDB accepts a table's name or its ARN,
 * {@code arn:<partition>:dynamodb:<region>:<account>:table/<name>}, in every item operation; both must reach the
 * same encryption configuration, or a request by ARN would pass unencrypted.
 *
 * @param name the table name (the last ARN segment for an ARN)
 * @param region the ARN's region, empty for a plain name
 * @param account the ARN's account, empty for a plain name
 */
public record TableReference(String name, Optional<String> region, Optional<String> account) {
  /** DynamoDB's table-name rule: 3 to 255 of {@code a-z A-Z 0-9 _ - .}. */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-]{3,255}");
  private static final Pattern ARN = Pattern.compile(
      "arn:([a-z][a-z0-9-]*):dynamodb:([a-z0-9-]+):([0-9]{12}):table/([a-zA-Z0-9_.\\-]{3,255})");

  /**
   * Parses a name or a table ARN; empty for anything else (a malformed ARN, an index or stream ARN, a name
   * DynamoDB would refuse), which callers must treat as unresolvable.
   */
  public static Optional<TableReference> parse(String nameOrArn) {
    if (nameOrArn == null) {
      return Optional.empty();
    }
    if (NAME.matcher(nameOrArn).matches()) {
      return Optional.of(new TableReference(nameOrArn, Optional.empty(), Optional.empty()));
    }
    Matcher arn = ARN.matcher(nameOrArn);
    if (arn.matches()) {
      return Optional.of(new TableReference(arn.group(4), Optional.of(arn.group(2)), Optional.of(arn.group(3))));
    }
    return Optional.empty();
  }

  public boolean isArn() {
    return account.isPresent();
  }
}
