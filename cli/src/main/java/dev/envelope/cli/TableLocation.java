package dev.envelope.cli;

/** A {@code dynamodb://table} argument (a table name or ARN). */
record TableLocation(String table) {
  static boolean is(String text) {
    return text.startsWith("dynamodb://");
  }

  static TableLocation parse(String text) {
    String table = text.substring("dynamodb://".length());
    if (table.isEmpty()) {
      throw new UsageException("expected dynamodb://TABLE, not '" + text + "'");
    }
    return new TableLocation(table);
  }
}
