package dev.envelope.keystore;

import dev.envelope.core.keystore.BranchKeyStoreException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One item of the AWS key store table, and the KMS encryption context it is bound to (the item's attributes except
 * {@code enc}, all as strings, plus {@code tablename} = the logical key store name, which is never stored). Items
 * are checked as the AWS library checks them: every attribute a string except {@code enc} (binary) and
 * {@code hierarchy-version} (the number 1), {@code version} present exactly on the ACTIVE item. Any other string
 * attribute is part of the context, so a changed or added attribute fails KMS decryption. Immutable.
 */
final class BranchKeyItem {
  static final String BRANCH_KEY_ID = "branch-key-id";
  static final String TYPE = "type";
  static final String VERSION = "version";
  static final String ENC = "enc";
  static final String CREATE_TIME = "create-time";
  static final String KMS_ARN = "kms-arn";
  static final String HIERARCHY_VERSION = "hierarchy-version";
  static final String TABLE_NAME = "tablename";
  static final String CUSTOM_CONTEXT_PREFIX = "aws-crypto-ec:";

  static final String ACTIVE = "branch:ACTIVE";
  static final String VERSION_PREFIX = "branch:version:";
  static final String BEACON = "beacon:ACTIVE";

  /** The item's attributes as the KMS encryption context, with {@code tablename}; no {@code enc}. */
  private final Map<String, String> context;
  private final byte[] enc;

  private BranchKeyItem(Map<String, String> context, byte[] enc) {
    this.context = Map.copyOf(context);
    this.enc = enc;
  }

  /** A new item with {@code context} (which holds {@code tablename}) and the KMS ciphertext {@code enc}. */
  static BranchKeyItem of(Map<String, String> context, byte[] enc) {
    return new BranchKeyItem(context, enc.clone());
  }

  /**
   * Parses a stored item.
   *
   * @throws BranchKeyStoreException naming the branch key and attribute if the item is not a key store item
   */
  static BranchKeyItem parse(Map<String, AttributeValue> item, String logicalName, String where) {
    Map<String, String> context = new TreeMap<>();
    byte[] enc = null;
    for (Map.Entry<String, AttributeValue> a : item.entrySet()) {
      String name = a.getKey();
      AttributeValue value = a.getValue();
      if (name.equals(ENC)) {
        if (value.b() == null) {
          throw invalid(where, "attribute enc is not binary");
        }
        enc = value.b().asByteArray();
      } else if (name.equals(HIERARCHY_VERSION)) {
        if (!"1".equals(value.n())) {
          throw invalid(where, "attribute hierarchy-version is not the number 1");
        }
        context.put(name, "1");
      } else if (name.equals(TABLE_NAME)) {
        throw invalid(where, "attribute tablename is stored; the logical key store name is never stored");
      } else if (value.s() != null) {
        context.put(name, value.s());
      } else {
        throw invalid(where, "attribute " + name + " is not a string");
      }
    }
    for (String required : new String[] {BRANCH_KEY_ID, TYPE, CREATE_TIME, KMS_ARN, HIERARCHY_VERSION}) {
      if (!context.containsKey(required)) {
        throw invalid(where, "attribute " + required + " is missing");
      }
    }
    if (enc == null) {
      throw invalid(where, "attribute enc is missing");
    }
    String type = context.get(TYPE);
    boolean active = type.equals(ACTIVE);
    if (active != context.containsKey(VERSION)) {
      throw invalid(where, active ? "the ACTIVE item has no version attribute"
          : "attribute version is only on the ACTIVE item");
    }
    if (active && !context.get(VERSION).startsWith(VERSION_PREFIX)) {
      throw invalid(where, "attribute version does not start with " + VERSION_PREFIX);
    }
    if (!active && !type.equals(BEACON) && !type.startsWith(VERSION_PREFIX)) {
      throw invalid(where, "attribute type '" + type + "' is not a key store item type");
    }
    context.put(TABLE_NAME, logicalName);
    return new BranchKeyItem(context, enc);
  }

  private static BranchKeyStoreException invalid(String where, String what) {
    return new BranchKeyStoreException(where + " is not a valid key store item: " + what + ". Items are written "
        + "by CreateKey and VersionKey only; restore it from a backup or version the branch key");
  }

  /** The KMS encryption context: the attributes plus {@code tablename}. */
  Map<String, String> context() {
    return context;
  }

  byte[] enc() {
    return enc.clone();
  }

  String branchKeyId() {
    return context.get(BRANCH_KEY_ID);
  }

  String type() {
    return context.get(TYPE);
  }

  String kmsArn() {
    return context.get(KMS_ARN);
  }

  /** The version this item holds: from {@code version} on the ACTIVE item, from {@code type} on a version item. */
  String version() {
    String typed = type().equals(ACTIVE) ? context.get(VERSION) : type();
    return typed.substring(VERSION_PREFIX.length());
  }

  /** The custom encryption context, without its prefix. */
  Map<String, String> customContext() {
    Map<String, String> custom = new HashMap<>();
    context.forEach((k, v) -> {
      if (k.startsWith(CUSTOM_CONTEXT_PREFIX)) {
        custom.put(k.substring(CUSTOM_CONTEXT_PREFIX.length()), v);
      }
    });
    return custom;
  }

  /** The item to store: the context without {@code tablename}, {@code hierarchy-version} as a number. */
  Map<String, AttributeValue> toItem() {
    Map<String, AttributeValue> item = new HashMap<>();
    context.forEach((k, v) -> {
      if (k.equals(HIERARCHY_VERSION)) {
        item.put(k, AttributeValue.fromN(v));
      } else if (!k.equals(TABLE_NAME)) {
        item.put(k, AttributeValue.fromS(v));
      }
    });
    item.put(ENC, AttributeValue.fromB(SdkBytes.fromByteArray(enc)));
    return item;
  }
}
