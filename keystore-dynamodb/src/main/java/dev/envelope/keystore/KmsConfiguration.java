package dev.envelope.keystore;

import dev.envelope.core.keyring.KmsArn;
import java.util.Objects;

/**
 * Which KMS key a {@link DynamoDbBranchKeyStore} uses, with the four choices of the AWS key store's
 * {@code KMSConfiguration}:
 * <ul>
 *   <li>{@link #keyArn}: one key; items must name exactly it. Creates, versions and reads.</li>
 *   <li>{@link #mrKeyArn}: a multi-Region key; items may name any Region's replica of it and KMS is called with the
 *       configured one (the replica near this client). Creates, versions (a versioned item keeps the ARN it had)
 *       and reads.</li>
 *   <li>{@link #discovery}: reads only, calling KMS with the ARN each item names.</li>
 *   <li>{@link #mrDiscovery}: reads only; multi-Region ARNs are called in the given Region, others as named.</li>
 * </ul>
 * Immutable.
 */
public final class KmsConfiguration {
  private enum Kind { KEY_ARN, MR_KEY_ARN, DISCOVERY, MR_DISCOVERY }

  private final Kind kind;
  private final KmsArn arn;
  private final String region;

  private KmsConfiguration(Kind kind, KmsArn arn, String region) {
    this.kind = kind;
    this.arn = arn;
    this.region = region;
  }

  /** One KMS key, by its full ARN (not an alias: the ARN is written into every item and compared on reads). */
  public static KmsConfiguration keyArn(String kmsKeyArn) {
    return new KmsConfiguration(Kind.KEY_ARN, parse(kmsKeyArn, "kmsKeyArn"), null);
  }

  /** A multi-Region KMS key ({@code mrk-} id) by the full ARN of the replica this client should call. */
  public static KmsConfiguration mrKeyArn(String kmsMultiRegionKeyArn) {
    KmsArn parsed = parse(kmsMultiRegionKeyArn, "kmsMRKeyArn");
    if (!parsed.isMultiRegion()) {
      throw new IllegalArgumentException("kmsMRKeyArn must name a multi-Region key (key id mrk-...): "
          + kmsMultiRegionKeyArn + "; use keyArn for a single-Region key");
    }
    return new KmsConfiguration(Kind.MR_KEY_ARN, parsed, null);
  }

  /** Reads only, with whichever KMS key each item names. */
  public static KmsConfiguration discovery() {
    return new KmsConfiguration(Kind.DISCOVERY, null, null);
  }

  /** Reads only, calling multi-Region keys in {@code region} (e.g. {@code us-west-2}), other keys as named. */
  public static KmsConfiguration mrDiscovery(String region) {
    if (region == null || region.isEmpty()) {
      throw new IllegalArgumentException("mrDiscovery needs the Region to call multi-Region keys in");
    }
    return new KmsConfiguration(Kind.MR_DISCOVERY, null, region);
  }

  private static KmsArn parse(String text, String what) {
    Objects.requireNonNull(text, what);
    return KmsArn.parse(text).orElseThrow(() -> new IllegalArgumentException(what + " must be a KMS key ARN "
        + "(arn:aws:kms:<region>:<account>:key/<id>), not an alias or a key id: the ARN is written into every item "
        + "and compared on each read: " + text));
  }

  /**
   * The ARN new items are written with, and the key of the KMS calls that write them.
   *
   * @throws IllegalStateException in the discovery configurations, which only read
   */
  String writeArn(String operation) {
    if (arn == null) {
      throw new IllegalStateException("A key store configured for " + this + " only reads branch keys, so it cannot "
          + operation + ": configure it with keyArn or mrKeyArn to create and version keys");
    }
    return arn.toString();
  }

  /**
   * The key id to call KMS with for an item protected by {@code itemArn}.
   *
   * @throws IllegalArgumentException saying why this configuration does not accept that item ("is protected by
   *     KMS key ..."), to follow the item's name in an error
   */
  String decryptKeyId(String itemArn) {
    KmsArn parsed = KmsArn.parse(itemArn).orElseThrow(() -> new IllegalArgumentException("names " + itemArn
        + " as its KMS key, which is not a KMS key ARN"));
    switch (kind) {
      case KEY_ARN:
        if (!parsed.equals(arn)) {
          throw new IllegalArgumentException("is protected by KMS key " + itemArn + ", not by this store's " + arn
              + ": configure the store with the key the branch key was created under");
        }
        return arn.toString();
      case MR_KEY_ARN:
        if (!arn.matchesForDecrypt(parsed)) {
          throw new IllegalArgumentException("is protected by KMS key " + itemArn + ", which is not a replica of "
              + "this store's multi-Region key " + arn + ": configure the store with the key the branch key was "
              + "created under");
        }
        return arn.toString();
      case DISCOVERY:
        return itemArn;
      case MR_DISCOVERY:
        return parsed.isMultiRegion() ? parsed.inRegion(region).toString() : itemArn;
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case KEY_ARN:
        return "kmsKeyArn " + arn;
      case MR_KEY_ARN:
        return "kmsMRKeyArn " + arn;
      case DISCOVERY:
        return "discovery";
      default:
        return "mrDiscovery in " + region;
    }
  }
}
