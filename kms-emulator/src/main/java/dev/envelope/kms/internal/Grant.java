package dev.envelope.kms.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A grant on a key: who may do which operations, under which encryption-context constraint. Immutable. */
public record Grant(
    String grantId,
    String token,
    String name,
    String keyArn,
    String granteePrincipal,
    String retiringPrincipal,
    String issuingAccount,
    List<String> operations,
    Map<String, String> contextEquals,
    Map<String, String> contextSubset,
    Instant created) {

  /**
   * Whether this grant's constraint holds for a request's encryption context. As in KMS, keys match without regard
   * to case and values exactly.
   */
  public boolean constraintHolds(Map<String, String> context) {
    if (contextEquals != null && (contextEquals.size() != context.size() || !allPresent(contextEquals, context))) {
      return false;
    }
    return contextSubset == null || allPresent(contextSubset, context);
  }

  private static boolean allPresent(Map<String, String> constraint, Map<String, String> context) {
    for (Map.Entry<String, String> c : constraint.entrySet()) {
      boolean found = false;
      for (Map.Entry<String, String> e : context.entrySet()) {
        if (e.getKey().equalsIgnoreCase(c.getKey()) && e.getValue().equals(c.getValue())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
