package dev.envelope.s3.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One S3 access point of an {@link S3Emulator}: its name, account and Region (which make its ARN), its alias, and
 * its data source, an S3 bucket or an FSx for ONTAP volume (emulated by a bucket of the same emulator). Both names
 * are accepted wherever S3 takes a bucket name, as S3 accepts them. Immutable.
 *
 * <p>Aliases have S3's shape: the name, a 32-character suffix, and {@code -s3alias} for a bucket or
 * {@code -ext-s3alias} for an FSx volume (the FSx for ONTAP User Guide's example:
 * {@code my-ontap-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-ext-s3alias}). S3 draws the suffix at random; here it is
 * derived from the account, Region and name, so a test's alias is the same on every run.
 */
public final class AccessPoint {
  /** The only storage class of files on an FSx for ONTAP volume. */
  public static final String FSX_ONTAP_STORAGE_CLASS = "FSX_ONTAP";

  // S3's naming rules for access points: 3-50 characters, lowercase letters, digits and hyphens, starting and
  // ending with a letter or digit.
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,48}[a-z0-9]");
  private static final char[] ALIAS_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** What an access point is attached to. */
  public enum DataSource {
    /** An S3 general purpose bucket: every object operation, as the bucket itself serves it. */
    S3_BUCKET,
    /**
     * A volume of an FSx for ONTAP file system: the subset of operations the FSx for ONTAP User Guide lists under
     * "Access point compatibility", storage class {@code FSX_ONTAP}, files also reachable as a directory.
     */
    FSX_ONTAP_VOLUME
  }

  private final String name;
  private final String account;
  private final String region;
  private final DataSource dataSource;
  private final String dataSourceName;
  private final boolean userMetadataKept;

  private AccessPoint(Builder b) {
    if (b.name == null || !NAME.matcher(b.name).matches() || b.name.contains("--")) {
      throw new IllegalArgumentException("Access point name " + b.name + " breaks S3's naming rules: 3-50 "
          + "lowercase letters, digits and single hyphens, starting and ending with a letter or digit");
    }
    if (b.account == null || !b.account.matches("\\d{12}")) {
      throw new IllegalArgumentException("Account must be 12 digits, not " + b.account);
    }
    this.name = b.name;
    this.account = b.account;
    this.region = Objects.requireNonNull(b.region, "region");
    this.dataSource = Objects.requireNonNull(b.dataSource, "dataSource");
    this.dataSourceName = Objects.requireNonNull(b.dataSourceName, "dataSourceName");
    this.userMetadataKept = b.userMetadataKept != null ? b.userMetadataKept : dataSource == DataSource.S3_BUCKET;
  }

  /** An access point named {@code name} on the emulator's bucket {@code bucket}. */
  public static AccessPoint onBucket(String name, String bucket) {
    return builder().name(name).dataSource(DataSource.S3_BUCKET, bucket).build();
  }

  /**
   * An access point named {@code name} on the FSx for ONTAP volume {@code volume} (a bucket of that name in the
   * emulator holds its files).
   */
  public static AccessPoint onFsxOntapVolume(String name, String volume) {
    return builder().name(name).dataSource(DataSource.FSX_ONTAP_VOLUME, volume).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public String name() {
    return name;
  }

  public String account() {
    return account;
  }

  public String region() {
    return region;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** The bucket, or the volume, the access point is attached to. */
  public String dataSourceName() {
    return dataSourceName;
  }

  /** Whether user-defined metadata ({@code x-amz-meta-*}) written through this access point is kept. */
  public boolean userMetadataKept() {
    return userMetadataKept;
  }

  /** {@code arn:aws:s3:<region>:<account>:accesspoint/<name>}. */
  public String arn() {
    return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name;
  }

  /** The alias: {@code <name>-<32 characters>-s3alias}, or {@code -ext-s3alias} on an FSx volume. */
  public String alias() {
    String suffix = dataSource == DataSource.FSX_ONTAP_VOLUME ? "-ext-s3alias" : "-s3alias";
    return name + "-" + aliasSuffix() + suffix;
  }

  /** Whether {@code bucket} names this access point (its ARN or its alias). */
  public boolean isNamedBy(String bucket) {
    return arn().equals(bucket) || alias().equals(bucket);
  }

  private String aliasSuffix() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((account + "/" + region + "/" + name).getBytes(StandardCharsets.UTF_8));
      StringBuilder s = new StringBuilder(32);
      for (int i = 0; i < 32; i++) {
        s.append(ALIAS_ALPHABET[(digest[i] & 0xff) % ALIAS_ALPHABET.length]);
      }
      return s.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "AccessPoint[" + arn() + " on " + dataSource.name().toLowerCase(Locale.ROOT) + " " + dataSourceName
        + "]";
  }

  /** Builder: a name and a data source are required; account 000000000000 and us-east-1 by default. */
  public static final class Builder {
    private String name;
    private String account = "000000000000";
    private String region = "us-east-1";
    private DataSource dataSource;
    private String dataSourceName;
    private Boolean userMetadataKept;

    private Builder() {}

    /** The access point's name (S3's rules: 3-50 lowercase letters, digits, hyphens). Required. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The owning account, in the ARN; default 000000000000 (as the KMS and DynamoDB emulators). */
    public Builder account(String account) {
      this.account = account;
      return this;
    }

    /** The Region, in the ARN; default us-east-1. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** What the access point is attached to, and that bucket's or volume's name. Required. */
    public Builder dataSource(DataSource dataSource, String name) {
      this.dataSource = dataSource;
      this.dataSourceName = name;
      return this;
    }

    /**
     * Whether user-defined metadata survives on the data source. Default: kept on a bucket; dropped on an FSx
     * volume, because the FSx for ONTAP User Guide does not promise it there (see LIMITATIONS.md), and a client
     * that works when it is dropped works when it is kept.
     */
    public Builder userMetadataKept(boolean kept) {
      this.userMetadataKept = kept;
      return this;
    }

    public AccessPoint build() {
      return new AccessPoint(this);
    }
  }
}
