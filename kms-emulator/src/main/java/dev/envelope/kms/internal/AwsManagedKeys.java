package dev.envelope.kms.internal;

import dev.envelope.kms.KmsError;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS managed keys ({@code alias/aws/<service>}): created on first use, DescribeKey included, as KMS does; symmetric,
 * rotated every year, with KMS's policy for them; never deleted, disabled or changed.
 */
final class AwsManagedKeys {
  private AwsManagedKeys() {}

  /** {@code alias/aws/<service>}: the alias of a service's AWS managed key, which KMS creates on first use. */
  private static final Pattern ALIAS = java.util.regex.Pattern.compile(
      "alias/aws/([a-z0-9-]{1,64})");

  /**
   * Creates the AWS managed key of {@code service}, as KMS does when an {@code alias/aws/<service>} is first used
   * (DescribeKey included): symmetric, rotated every year, with KMS's policy for such keys (cryptographic use only
   * through the service, by principals of the account; metadata readable by the account).
   */
  static KmsKey createOnFirstUse(KmsEngine engine, String account, String region, String aliasName) {
    Matcher m = ALIAS.matcher(aliasName);
    if (!m.matches()) {
      return null;
    }
    String service = m.group(1);
    Instant now = engine.clock.instant();
    KmsKey key = new KmsKey(account, region, engine.newKeyId(false), now);
    key.keySpec = "SYMMETRIC_DEFAULT";
    key.keyUsage = "ENCRYPT_DECRYPT";
    key.origin = "AWS_KMS";
    key.awsManaged = true;
    key.description = "Default key that protects my " + service + " data when no other key is defined";
    key.policy = PolicyDocument.parse(policy(account, region, service), true);
    key.shared = new KmsKey.SharedMaterial();
    key.shared.regions.add(region);
    Rotation.addMaterial(engine, key, now, null);
    key.shared.rotationEnabled = true;
    key.shared.rotationPeriodDays = 365;
    key.shared.nextRotation = now.plus(Duration.ofDays(365));
    key.state = KeyState.Enabled;
    engine.keys.put(key.arn(), key);
    engine.aliases.put(Arns.alias(region, account, aliasName), new Alias(account, region, aliasName, key.keyId, now));
    engine.saveKeyAndAliases(key); // created inside a read-only call, which persists nothing itself
    return key;
  }

  static String policy(String account, String region, String service) {
    return "{\"Version\":\"2012-10-17\",\"Id\":\"auto-" + service + "-2\",\"Statement\":[{\"Sid\":\"Allow access "
        + "through " + service + " for all principals in the account that are authorized to use " + service + "\","
        + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\","
        + "\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\",\"kms:CreateGrant\",\"kms:DescribeKey\"],\"Resource\":\"*\","
        + "\"Condition\":{\"StringEquals\":{\"kms:ViaService\":\"" + service + "." + region + ".amazonaws.com\","
        + "\"kms:CallerAccount\":\"" + account + "\"}}},{\"Sid\":\"Allow direct access to key metadata to the "
        + "account\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account + ":root\"},"
        + "\"Action\":[\"kms:Describe*\",\"kms:Get*\",\"kms:List*\",\"kms:RevokeGrant\"],\"Resource\":\"*\"}]}";
  }

  /**
   * AWS managed keys cannot be deleted, disabled or changed: their policy allows those actions to nobody, so KMS
   * answers every caller, the account's root included, as a key policy denial.
   */
  static void refuseChange(Call call, KmsKey key, String operation) {
    if (key.awsManaged) {
      throw KmsError.accessDenied("User: " + call.principal.arn() + " is not authorized to perform: kms:" + operation
          + " on resource: " + key.arn() + " because no resource-based policy allows the kms:" + operation
          + " action (it is an AWS managed key, which cannot be deleted, disabled or changed)");
    }
  }
}
