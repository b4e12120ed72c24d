package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.kms.KmsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parsed IAM policy document (key policy or identity policy): statements with Effect, Principal, Action,
 * Resource and Condition, evaluated the way IAM does for the KMS actions. Parsed once, when the policy is set.
 * Immutable.
 */
public final class PolicyDocument {
  /** KMS's quota on key policy size. */
  public static final int MAX_BYTES = 32 * 1024;

  /** One statement. Principals null means "no Principal element" (identity policies). */
  record Statement(boolean allow, List<String> principals, List<String> actions, List<String> resources,
      JsonNode condition) {}

  /** What a request looks like to a policy. */
  public record Request(String principalArn, String principalAccount, String action, String resourceArn,
      Map<String, String> encryptionContext, String viaService) {}

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
   * Parses a policy. Malformed JSON, a missing Statement, a statement without Effect, or (for key policies) without
   * Principal fail with {@code MalformedPolicyDocumentException}, as KMS does.
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
      if (s.has("Principal")) {
        principals = principals(s.get("Principal"));
      } else if (keyPolicy) {
        throw malformed("Policy contains a statement with no principal.");
      }
      statements.add(new Statement(effect.equals("Allow"), principals, strings(s.get("Action")),
          strings(s.get("Resource")), s.get("Condition")));
    }
    return new PolicyDocument(text, List.copyOf(statements));
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

  /**
   * Evaluates the statements whose principal matches {@code principalFilter}: DENY if any matching Deny
   * statement applies, else ALLOW if any Allow applies, else NONE. Identity policies (no Principal element) pass
   * {@code principalFilter = null}.
   */
  public Match evaluate(Request request, PrincipalFilter principalFilter) {
    Match result = Match.NONE;
    for (Statement s : statements) {
      if (principalFilter != null && (s.principals() == null || !principalFilter.matches(s.principals()))) {
        continue;
      }
      if (!actionMatches(s.actions(), request.action())) {
        continue;
      }
      if (principalFilter == null && !resourceMatches(s.resources(), request.resourceArn())) {
        continue;
      }
      if (!Conditions.hold(s.condition(), request)) {
        continue;
      }
      if (!s.allow()) {
        return Match.DENY;
      }
      result = Match.ALLOW;
    }
    return result;
  }

  /** Which statement principals count for this evaluation. */
  @FunctionalInterface
  public interface PrincipalFilter {
    boolean matches(List<String> statementPrincipals);
  }

  private static boolean actionMatches(List<String> patterns, String action) {
    for (String p : patterns) {
      if (wildcard(p.toLowerCase(Locale.ROOT), action.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceMatches(List<String> patterns, String resource) {
    for (String p : patterns) {
      if (wildcard(p, resource)) {
        return true;
      }
    }
    return false;
  }

  /** IAM wildcards: {@code *} any run of characters, {@code ?} one character. */
  static boolean wildcard(String pattern, String value) {
    if (pattern.equals("*")) {
      return true;
    }
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), value);
  }
}
