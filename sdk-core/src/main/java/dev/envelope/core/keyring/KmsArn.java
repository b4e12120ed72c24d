package dev.envelope.core.keyring;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A KMS key ARN, {@code arn:<partition>:kms:<region>:<account>:key/<key id>}, as stored in the provider info of
 * {@code aws-kms} encrypted data keys. Multi-Region keys have ids starting {@code mrk-}: related keys share the
 * id and differ only in Region.
 */
public record KmsArn(String partition, String region, String account, String keyId) {
  private static final Pattern ARN = Pattern.compile("arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):key/([^/]+)");

  /** The ARN in {@code text}, if it is a well-formed KMS key ARN. */
  public static Optional<KmsArn> parse(String text) {
    Matcher m = ARN.matcher(text);
    return m.matches() ? Optional.of(new KmsArn(m.group(1), m.group(2), m.group(3), m.group(4))) : Optional.empty();
  }

  public boolean isMultiRegion() {
    return keyId.startsWith("mrk-");
  }

  /** The same key in another Region (meaningful for multi-Region keys). */
  public KmsArn inRegion(String otherRegion) {
    return new KmsArn(partition, otherRegion, account, keyId);
  }

  /**
   * Whether a data key wrapped by {@code other} can be decrypted by this key: the same ARN, or related multi-Region
   * keys (same partition, account and {@code mrk-} id, any Region).
   */
  public boolean matchesForDecrypt(KmsArn other) {
    if (equals(other)) {
      return true;
    }
    return isMultiRegion() && other.isMultiRegion() && partition.equals(other.partition)
        && account.equals(other.account) && keyId.equals(other.keyId);
  }

  @Override
  public String toString() {
    return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyId;
  }
}
