package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.KmsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed IAM policy document (key policy or identity policy): statements with Effect, Principal, Action,
 * Resource and Condition, evaluated the way IAM does for the KMS actions. Parsed once, when the policy is set.
 * Immutable.
 */
public final class PolicyDocument {
  /** KMS's quota on key policy size. */
  public static final int MAX_BYTES = 32 * 1024;

  /**
   * One statement. {@code principals} is null when the statement has neither Principal nor NotPrincipal (identity
   * policies); {@code notPrincipal}, {@code notAction} and {@code notResource} say the list is an exception list.
   */
  record Statement(boolean allow, List<String> principals, boolean notPrincipal, List<String> actions,
      boolean notAction, List<String> resources, boolean notResource, Conditions condition) {}

  private final String text;
  private final List<Statement> statements;

  private PolicyDocument(String text, List<Statement> statements) {
    this.text = text;
    this.statements = statements;
  }

  public String text() {
    return text;
  }

  /**
   * Parses a policy. Malformed JSON, a missing Statement, a statement without Effect, without Action or NotAction,
   * with both an element and its Not form, (for key policies) without Principal or NotPrincipal, or with an unknown
   * condition operator fails with {@code MalformedPolicyDocumentException}, as KMS does.
   */
  public static PolicyDocument parse(String text, boolean keyPolicy) {
    if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new KmsError("LimitExceededException", "Policy exceeds the 32 KB key policy quota.");
    }
    JsonNode root;
    try {
      root = Json.parse(text);
    } catch (Exception e) {
      throw malformed("The policy is not valid JSON.");
    }
    if (root == null || !root.isObject() || !root.has("Statement")) {
      throw malformed("The policy has no Statement.");
    }
    List<Statement> statements = new ArrayList<>();
    for (JsonNode s : list(root.get("Statement"))) {
      if (!s.isObject()) {
        throw malformed("A policy statement is not a JSON object.");
      }
      String effect = s.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw malformed("Statement Effect must be Allow or Deny.");
      }
      List<String> principals = null;
      boolean notPrincipal = exclusive(s, "Principal");
      if (s.has("Principal") || s.has("NotPrincipal")) {
        principals = principals(s.get(notPrincipal ? "NotPrincipal" : "Principal"));
      } else if (keyPolicy) {
        throw malformed("Policy contains a statement with no principal.");
      }
      boolean notAction = exclusive(s, "Action");
      if (!s.has("Action") && !s.has("NotAction")) {
        throw malformed("Policy contains a statement with no Action or NotAction.");
      }
      boolean notResource = exclusive(s, "Resource");
      List<String> resources = strings(s.get(notResource ? "NotResource" : "Resource"));
      if (keyPolicy && !s.has("Resource") && !s.has("NotResource")) {
        resources = List.of("*"); // the key itself
      }
      statements.add(new Statement(effect.equals("Allow"), principals, notPrincipal,
          strings(s.get(notAction ? "NotAction" : "Action")), notAction, resources, notResource,
          Conditions.parse(s.get("Condition"))));
    }
    return new PolicyDocument(text, List.copyOf(statements));
  }

  /** Whether the statement uses {@code Not<element>}; refuses a statement that has both forms. */
  private static boolean exclusive(JsonNode statement, String element) {
    if (statement.has(element) && statement.has("Not" + element)) {
      throw malformed("A statement cannot have both " + element + " and Not" + element + ".");
    }
    return statement.has("Not" + element);
  }

  private static KmsError malformed(String message) {
    return new KmsError("MalformedPolicyDocumentException", message);
  }

  private static List<String> principals(JsonNode p) {
    if (p.isTextual()) {
      if (!p.asText().equals("*")) {
        throw malformed("Policy contains a statement with one or more invalid principals.");
      }
      return List.of("*");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : list(p.path("AWS"))) {
      String s = v.asText();
      if (!s.equals("*") && !s.matches("\\d{12}") && !s.matches("arn:aws[a-z-]*:(iam|sts)::\\d{12}:.+")) {
        throw malformed("Policy contains a statement with one or more invalid principals.");
      }
      out.add(s.matches("\\d{12}") ? "arn:aws:iam::" + s + ":root" : s);
    }
    for (JsonNode v : list(p.path("Service"))) {
      out.add("service:" + v.asText());
    }
    return out;
  }

  private static List<JsonNode> list(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(out::add);
    } else {
      out.add(node);
    }
    return out;
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    list(node).forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Outcome of matching the statements against a request. */
  public enum Match { NONE, ALLOW, DENY }

  /** How a key-policy statement's principal element relates to a caller. */
  enum Reach {
    /** The statement does not apply to the caller. */
    NONE,
    /** It names the caller (its ARN, {@code *}, or a NotPrincipal that does not exclude it). */
    DIRECT,
    /** It names the caller's account: in the key's account, that only delegates to IAM. */
    ACCOUNT
  }

  /**
   * Evaluates the key-policy statements that reach the caller as {@code reach}: DENY if an applicable Deny
   * statement reaches it, else ALLOW if an applicable Allow does, else NONE.
   */
  Match evaluate(RequestContext request, Reach reach) {
    Match result = Match.NONE;
    for (Statement s : statements) {
      if (s.principals() == null || reach(s, request.caller()) != reach || !applies(s, request)) {
        continue;
      }
      if (!s.allow()) {
        return Match.DENY;
      }
      result = Match.ALLOW;
    }
    return result;
  }

  /** Evaluates an identity policy (no principal element): its statements apply to its holder. */
  Match evaluateIdentity(RequestContext request) {
    Match result = Match.NONE;
    for (Statement s : statements) {
      if (!applies(s, request)) {
        continue;
      }
      if (!s.allow()) {
        return Match.DENY;
      }
      result = Match.ALLOW;
    }
    return result;
  }

  private static boolean applies(Statement s, RequestContext request) {
    return anyMatches(s.actions(), request.action(), true) != s.notAction()
        && anyMatches(s.resources(), request.resourceArn(), false) != s.notResource()
        && s.condition().hold(request);
  }

  /**
   * NotPrincipal excludes a caller only when it lists every identity IAM checks for it, the account first and
   * then the user or role ("when you use NotPrincipal, you must also specify the account ARN of the not-denied
   * principal"); otherwise the statement applies to the caller directly.
   */
  private static Reach reach(Statement s, dev.envelope.kms.Principal caller) {
    String root = "arn:aws:iam::" + caller.accountId() + ":root";
    if (s.notPrincipal()) {
      boolean excluded = s.principals().contains("*")
          || s.principals().contains(root) && (caller.isRoot() || s.principals().contains(caller.arn()));
      return excluded ? Reach.NONE : Reach.DIRECT;
    }
    if (s.principals().contains("*") || s.principals().contains(caller.arn()) && !caller.isRoot()) {
      return Reach.DIRECT;
    }
    return s.principals().contains(root) ? Reach.ACCOUNT : Reach.NONE;
  }

  private static boolean anyMatches(List<String> patterns, String value, boolean ignoreCase) {
    for (String p : patterns) {
      if (ignoreCase ? Wildcard.matches(p.toLowerCase(Locale.ROOT), value.toLowerCase(Locale.ROOT))
          : Wildcard.matches(p, value)) {
        return true;
      }
    }
    return false;
  }
}
