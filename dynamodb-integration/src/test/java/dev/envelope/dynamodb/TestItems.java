package dev.envelope.dynamodb;

import dev.envelope.core.keyring.Keyring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Items holding every DynamoDB type, and the table configuration the tests use for them. */
final class TestItems {
  static final String SECRET = "4111-1111-1111-1111";

  private TestItems() {}

  static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  static AttributeValue n(String v) {
    return AttributeValue.fromN(v);
  }

  /** An item with pk (S), sk (N) and one attribute of each type, the secret in several of them. */
  static Map<String, AttributeValue> everyType(String pk, int sk) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", s(pk));
    item.put("sk", n(Integer.toString(sk)));
    item.put("card", s(SECRET));
    item.put("amount", n("1234.50"));
    item.put("blob", AttributeValue.fromB(SdkBytes.fromUtf8String("binary " + SECRET)));
    item.put("flag", AttributeValue.fromBool(true));
    item.put("nothing", AttributeValue.fromNul(true));
    item.put("lines", AttributeValue.fromL(List.of(s("sku-1"), n("2"),
        AttributeValue.fromM(Map.of("note", s(SECRET))), AttributeValue.fromL(List.of()))));
    item.put("address", AttributeValue.fromM(Map.of("street", s("1 Main St"), "zip", n("02134"),
        "tags", AttributeValue.fromSs(List.of("b", "a")))));
    item.put("tags", AttributeValue.fromSs(List.of("gold", "vip", SECRET)));
    item.put("scores", AttributeValue.fromNs(List.of("3", "1.5", "20")));
    item.put("blobs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"), SdkBytes.fromUtf8String("y"))));
    item.put("status", s("PAID"));
    item.put("_ttl", n("1900000000"));
    return item;
  }

  /**
   * The configuration for {@link #everyType}: status SIGN_ONLY, _ttl unsigned, everything else encrypted; in
   * Envelope's first format, whose behaviour these tests pin (the DB-ESDK format has its own, {@code Dbe*Test}).
   */
  static TableConfig.Builder config(String table, Keyring keyring) {
    return TableConfig.builder()
        .format(ItemStorageFormat.ENVELOPE_V1)
        .tableName(table)
        .partitionKeyName("pk")
        .sortKeyName("sk")
        .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("amount", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("blob", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("flag", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("nothing", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("lines", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("address", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("tags", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("scores", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("blobs", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("status", CryptoAction.SIGN_ONLY)
        .unsignedAttributePrefix("_")
        .keyring(keyring);
  }

  /**
   * What DynamoDB gives back for {@code item}: numbers normalized, sets in canonical order. Sets and numbers are
   * compared this way because DynamoDB itself does not keep the written form.
   */
  static Map<String, AttributeValue> normalized(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    item.forEach((k, v) -> out.put(k, normalized(v)));
    return out;
  }

  static AttributeValue normalized(AttributeValue v) {
    return switch (v.type()) {
      case N -> n(dev.envelope.dynamodb.internal.AttributeCodec.normalizeNumber(v.n()));
      case SS -> AttributeValue.fromSs(v.ss().stream().sorted().toList());
      case NS -> AttributeValue.fromNs(v.ns().stream().map(
          dev.envelope.dynamodb.internal.AttributeCodec::normalizeNumber).sorted().toList());
      case BS -> AttributeValue.fromBs(v.bs().stream().sorted((a, b) -> java.util.Arrays.compareUnsigned(
          a.asByteArrayUnsafe(), b.asByteArrayUnsafe())).toList());
      case L -> AttributeValue.fromL(v.l().stream().map(TestItems::normalized).toList());
      case M -> AttributeValue.fromM(normalized(v.m()));
      default -> v;
    };
  }
}
