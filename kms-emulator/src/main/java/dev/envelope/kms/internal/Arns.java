package dev.envelope.kms.internal;

import java.util.regex.Pattern;

/** KMS identifiers: key ids, key and alias ARNs. */
public final class Arns {
  static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}");
  static final Pattern KEY_ARN = Pattern.compile("arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):key/(.+)");
  static final Pattern ALIAS_ARN = Pattern.compile("arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):(alias/.+)");

  private Arns() {}

  public static String key(String region, String account, String keyId) {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
  }

  public static String alias(String region, String account, String aliasName) {
    return "arn:aws:kms:" + region + ":" + account + ":" + aliasName;
  }
}
