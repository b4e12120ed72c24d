package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.dynamodb.CryptoAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the DB-ESDK format needs to know about a table, checked as the AWS library's item encryptor checks its
 * configuration: the logical table name (bound into every item), the key attributes (SIGN_ONLY, or
 * SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT in version 2, the version any such attribute selects), the action of each
 * signed attribute, and which attributes are out of the signature's scope (listed, by prefix, or {@code aws_dbe_*}).
 *
 * @param sortKey null when the table has none
 * @param unsignedPrefix null for none
 */
public record DbeSchema(String logicalTableName, String partitionKey, String sortKey,
    Map<String, CryptoAction> actions, Set<String> unsignedAttributes, String unsignedPrefix) {
  public static final String RESERVED_PREFIX = "aws_dbe_";

  public DbeSchema {
    Objects.requireNonNull(logicalTableName, "logicalTableName");
    Objects.requireNonNull(partitionKey, "partitionKey");
    actions = Map.copyOf(actions);
    unsignedAttributes = Set.copyOf(unsignedAttributes);
    CryptoAction keyAction = version(actions) == 2 ? CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT
        : CryptoAction.SIGN_ONLY;
    for (String key : sortKey == null ? Set.of(partitionKey) : Set.of(partitionKey, sortKey)) {
      if (actions.get(key) != keyAction) {
        throw new IllegalArgumentException("Key attribute " + key + " must be " + keyAction + (keyAction
            == CryptoAction.SIGN_ONLY ? "" : " (an attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT, so the "
            + "keys are too, as in the AWS library)") + ", not " + actions.get(key));
      }
    }
    boolean signed = false;
    for (Map.Entry<String, CryptoAction> e : actions.entrySet()) {
      String name = e.getKey();
      if (name.startsWith(RESERVED_PREFIX)) {
        throw new IllegalArgumentException("Attribute " + name + " starts with " + RESERVED_PREFIX + ", which the "
            + "DB-ESDK format reserves for its own attributes");
      }
      boolean inScope = inScope(name, unsignedAttributes, unsignedPrefix);
      if (e.getValue() == CryptoAction.DO_NOTHING && inScope) {
        throw new IllegalArgumentException("Attribute " + name + " is DO_NOTHING but in the signature's scope: "
            + "list it among the unsigned attributes or give it an unsigned prefix");
      }
      if (e.getValue() != CryptoAction.DO_NOTHING && !inScope) {
        throw new IllegalArgumentException("Attribute " + name + " is " + e.getValue() + " but unsigned by name "
            + "(unsigned attributes or prefix): a signed attribute cannot be out of the signature's scope");
      }
      signed |= e.getValue().isSigned();
    }
    if (!signed) {
      throw new IllegalArgumentException("No attribute is signed: the DB-ESDK format signs at least the keys");
    }
  }

  /** 2 when any attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT, else 1. */
  public int version() {
    return version(actions);
  }

  private static int version(Map<String, CryptoAction> actions) {
    return actions.containsValue(CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) ? 2 : 1;
  }

  /** Whether {@code name} is in the signature's scope (then it must have a signing action). */
  public boolean inScope(String name) {
    return inScope(name, unsignedAttributes, unsignedPrefix);
  }

  private static boolean inScope(String name, Set<String> unsigned, String prefix) {
    return !(unsigned.contains(name) || prefix != null && name.startsWith(prefix) || name.startsWith(RESERVED_PREFIX));
  }

  public byte[] tableNameBytes() {
    return logicalTableName.getBytes(StandardCharsets.UTF_8);
  }
}
