package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.dynamodb.CryptoAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The encryption context of an item in the DB-ESDK format, all of it required (authenticated, never stored):
 * <pre>
 * aws-crypto-table-name     logical table name
 * aws-crypto-partition-name partition key name            aws-crypto-sort-name  sort key name (if any)
 * version 1: aws-crypto-attr.&lt;key&gt; = base64(type id || value) for the partition and sort keys
 * version 2: aws-crypto-attr.&lt;name&gt; for every SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT attribute (keys included):
 *            S as is, N normalized, NULL "null", BOOL "true"/"false", others base64(type id || value);
 *            aws-crypto-legend: S, N, L (null, boolean) or B per such attribute, in the UTF-8 order of their keys
 * </pre>
 */
public final class DbeContext {
  public static final String TABLE_NAME = "aws-crypto-table-name";
  public static final String PARTITION_NAME = "aws-crypto-partition-name";
  public static final String SORT_NAME = "aws-crypto-sort-name";
  public static final String ATTRIBUTE_PREFIX = "aws-crypto-attr.";
  public static final String LEGEND = "aws-crypto-legend";
  public static final String PUBLIC_KEY = "aws-crypto-public-key";

  private DbeContext() {}

  /**
   * The context of {@code item}: version 1 binds the keys' values, version 2 the values of {@code included} (in
   * encrypt: every SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT attribute; in decrypt: every 'c' of the legend).
   *
   * @throws DbeFormatException if a key or included attribute is missing, or two keys collide
   */
  public static Map<String, String> of(DbeSchema schema, int version, Map<String, AttributeValue> item,
      List<String> included) {
    Map<String, String> context = new HashMap<>();
    context.put(TABLE_NAME, schema.logicalTableName());
    context.put(PARTITION_NAME, schema.partitionKey());
    if (schema.sortKey() != null) {
      context.put(SORT_NAME, schema.sortKey());
    }
    if (version == 1) {
      for (String key : keys(schema)) {
        context.put(ATTRIBUTE_PREFIX + key, typedBase64(present(item, key)));
      }
      return context;
    }
    List<byte[]> legendOrder = new ArrayList<>();
    Map<String, Character> legend = new HashMap<>();
    for (String name : included) {
      AttributeValue value = present(item, name);
      String key = ATTRIBUTE_PREFIX + name;
      String text;
      char kind;
      switch (value.type()) {
        case S -> { text = value.s(); kind = 'S'; }
        case N -> { text = DbeNumbers.normalize(value.n()); kind = 'N'; }
        case NUL -> { text = "null"; kind = 'L'; }
        case BOOL -> { text = value.bool() ? "true" : "false"; kind = 'L'; }
        default -> { text = typedBase64(value); kind = 'B'; }
      }
      if (context.put(key, text) != null) {
        throw new DbeFormatException("Encryption context key " + key + " collides with another");
      }
      legend.put(key, kind);
      legendOrder.add(key.getBytes(StandardCharsets.UTF_8));
    }
    legendOrder.sort(Arrays::compareUnsigned);
    StringBuilder chars = new StringBuilder();
    for (byte[] key : legendOrder) {
      chars.append(legend.get(new String(key, StandardCharsets.UTF_8)));
    }
    context.put(LEGEND, chars.toString());
    return context;
  }

  private static List<String> keys(DbeSchema schema) {
    return schema.sortKey() == null ? List.of(schema.partitionKey()) : List.of(schema.partitionKey(),
        schema.sortKey());
  }

  /** The attributes version 2 binds on encrypt: those configured SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT. */
  public static List<String> included(DbeSchema schema) {
    List<String> out = new ArrayList<>();
    schema.actions().forEach((name, action) -> {
      if (action == CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) {
        out.add(name);
      }
    });
    return out;
  }

  private static AttributeValue present(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    if (value == null) {
      throw new DbeFormatException("Attribute " + name + " is bound into the encryption context but missing from "
          + "the item");
    }
    return value;
  }

  private static String typedBase64(AttributeValue value) {
    byte[] body = DbeAttributes.serialize(value);
    int type = DbeAttributes.typeId(value);
    byte[] typed = new byte[2 + body.length];
    typed[0] = (byte) (type >>> 8);
    typed[1] = (byte) type;
    System.arraycopy(body, 0, typed, 2, body.length);
    return Base64.getEncoder().encodeToString(typed);
  }
}
