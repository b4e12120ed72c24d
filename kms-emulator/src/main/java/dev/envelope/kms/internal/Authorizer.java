package dev.envelope.kms.internal;

import dev.envelope.kms.KmsError;
import dev.envelope.kms.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * KMS authorization for key-resource operations ("Troubleshooting key access"):
 * <ol>
 *   <li>an explicit deny in the key policy or in the caller's IAM policies wins;</li>
 *   <li>a key policy statement naming the caller (or {@code *}) allows on its own, in the key's account;</li>
 *   <li>a statement naming the caller's account (root) only delegates to IAM: the caller's IAM policies must allow
 *       the action on the key ARN;</li>
 *   <li>cross-account: the key policy must allow the caller or its account, and the caller's IAM policy too;</li>
 *   <li>a grant to the caller for the operation, whose constraint holds, allows on its own.</li>
 * </ol>
 */
final class Authorizer {
  private Authorizer() {}

  static void check(KmsKey key, Principal caller, List<PolicyDocument> iamPolicies, String operation,
      Map<String, String> context, String viaService, String sourceIp, Instant now) {
    String action = "kms:" + operation;
    RequestContext request = new RequestContext(caller, action, key, context, viaService, sourceIp, now);

    PolicyDocument.Match direct = key.policy.evaluate(request, PolicyDocument.Reach.DIRECT);
    PolicyDocument.Match account = key.policy.evaluate(request, PolicyDocument.Reach.ACCOUNT);
    PolicyDocument.Match iam = identityMatch(iamPolicies, request);
    String prefix = "User: " + caller.arn() + " is not authorized to perform: " + action + " on resource: "
        + key.arn();
    if (direct == PolicyDocument.Match.DENY || account == PolicyDocument.Match.DENY) {
      throw KmsError.accessDenied(prefix + " with an explicit deny in a resource-based policy");
    }
    if (iam == PolicyDocument.Match.DENY) {
      throw KmsError.accessDenied(prefix + " with an explicit deny in an identity-based policy");
    }
    boolean sameAccount = caller.accountId().equals(key.accountId);
    boolean keyPolicyDirect = direct == PolicyDocument.Match.ALLOW;
    boolean keyPolicyAccount = account == PolicyDocument.Match.ALLOW;
    boolean iamAllows = iam == PolicyDocument.Match.ALLOW;
    boolean allowed = sameAccount
        ? keyPolicyDirect || keyPolicyAccount && iamAllows
        : (keyPolicyDirect || keyPolicyAccount) && iamAllows;
    if (allowed || grantAllows(key, caller, operation, context)) {
      return;
    }
    if (!keyPolicyDirect && !keyPolicyAccount) {
      throw KmsError.accessDenied(prefix + " because no resource-based policy allows the " + action + " action");
    }
    throw KmsError.accessDenied(prefix + " because no identity-based policy allows the " + action + " action");
  }

  /**
   * The operations that act on no key (ListKeys, ListAliases, CreateKey, GenerateRandom, ListRetirableGrants): only
   * the caller's IAM policies decide, on resource {@code *}. The account's root user may do them.
   */
  static void checkIdentityOnly(Principal caller, List<PolicyDocument> iamPolicies, String operation, String sourceIp,
      Instant now) {
    if (caller.isRoot()) {
      return;
    }
    String action = "kms:" + operation;
    RequestContext request = new RequestContext(caller, action, null, Map.of(), null, sourceIp, now);
    PolicyDocument.Match iam = identityMatch(iamPolicies, request);
    String prefix = "User: " + caller.arn() + " is not authorized to perform: " + action + " on resource: *";
    if (iam == PolicyDocument.Match.DENY) {
      throw KmsError.accessDenied(prefix + " with an explicit deny in an identity-based policy");
    }
    if (iam != PolicyDocument.Match.ALLOW) {
      throw KmsError.accessDenied(prefix + " because no identity-based policy allows the " + action + " action");
    }
  }

  /** What the caller's identity policies say together: an explicit deny in any wins, then an allow in any. */
  private static PolicyDocument.Match identityMatch(List<PolicyDocument> iamPolicies, RequestContext request) {
    PolicyDocument.Match iam = PolicyDocument.Match.NONE;
    for (PolicyDocument p : iamPolicies) {
      PolicyDocument.Match m = p.evaluateIdentity(request);
      if (m == PolicyDocument.Match.DENY) {
        return m;
      }
      if (m == PolicyDocument.Match.ALLOW) {
        iam = m;
      }
    }
    return iam;
  }

  private static boolean grantAllows(KmsKey key, Principal caller, String operation, Map<String, String> context) {
    for (Grant g : key.grants) {
      boolean grantee = g.granteePrincipal().equals(caller.arn())
          || g.granteePrincipal().equals("arn:aws:iam::" + caller.accountId() + ":root");
      if (grantee && g.operations().contains(operation)
          && (operation.equals("DescribeKey") || operation.equals("RetireGrant") || g.constraintHolds(context))) {
        return true;
      }
    }
    return false;
  }
}
