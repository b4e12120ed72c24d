package dev.envelope.kms;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A caller of the emulator: an IAM principal ARN and its account. Assumed-role sessions are represented by their
 * role ARN, as KMS evaluates {@code aws:PrincipalArn}.
 */
public record Principal(String arn, String accountId) {
  private static final Pattern IAM_ARN = Pattern.compile("arn:aws[a-z-]*:(iam|sts)::(\\d{12}):(.+)");

  public Principal {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(accountId, "accountId");
    if (!accountId.matches("\\d{12}")) {
      throw new IllegalArgumentException("accountId must be 12 digits: " + accountId);
    }
  }

  /** The principal of an IAM ARN such as {@code arn:aws:iam::111122223333:role/lambda-exec}. */
  public static Principal of(String arn) {
    Matcher m = IAM_ARN.matcher(arn);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an IAM principal ARN: " + arn);
    }
    return new Principal(arn, m.group(2));
  }

  /** The account's root principal, {@code arn:aws:iam::<account>:root}. */
  public static Principal root(String accountId) {
    return new Principal("arn:aws:iam::" + accountId + ":root", accountId);
  }

  public static Principal role(String accountId, String roleName) {
    return new Principal("arn:aws:iam::" + accountId + ":role/" + roleName, accountId);
  }

  public static Principal user(String accountId, String userName) {
    return new Principal("arn:aws:iam::" + accountId + ":user/" + userName, accountId);
  }

  public boolean isRoot() {
    return arn.endsWith(":root");
  }

  /** CloudTrail's userIdentity.type for this principal. */
  public String identityType() {
    if (isRoot()) {
      return "Root";
    }
    return arn.contains(":role/") || arn.contains(":assumed-role/") ? "AssumedRole" : "IAMUser";
  }

  @Override
  public String toString() {
    return arn;
  }
}
