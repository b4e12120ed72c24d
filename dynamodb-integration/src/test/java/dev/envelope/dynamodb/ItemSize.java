package dev.envelope.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An item's size as DynamoDB counts it for its 400 KB limit and capacity units (Amazon DynamoDB Developer Guide,
 * "Item sizes and formats"): attribute names plus values; strings by UTF-8 length, binaries by byte length,
 * numbers about one byte per two significant digits plus one, booleans and nulls one byte, lists and maps three
 * bytes plus one per element plus their contents.
 */
final class ItemSize {
  private ItemSize() {}

  static long of(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      size += utf8(e.getKey()) + of(e.getValue());
    }
    return size;
  }

  static long of(AttributeValue v) {
    return switch (v.type()) {
      case S -> utf8(v.s());
      case N -> number(v.n());
      case B -> v.b().asByteArrayUnsafe().length;
      case BOOL, NUL -> 1;
      case SS -> v.ss().stream().mapToLong(ItemSize::utf8).sum();
      case NS -> v.ns().stream().mapToLong(ItemSize::number).sum();
      case BS -> v.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
      case L -> 3 + v.l().stream().mapToLong(x -> 1 + of(x)).sum();
      case M -> 3 + v.m().entrySet().stream().mapToLong(x -> 1 + utf8(x.getKey()) + of(x.getValue())).sum();
      default -> throw new IllegalArgumentException(v.type().toString());
    };
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static long number(String n) {
    String digits = n.replace("-", "").replace(".", "").replaceAll("^0+", "");
    return (digits.length() + 1) / 2 + 1;
  }
}
