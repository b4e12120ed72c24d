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

  /** Whether this grant's constraint holds for a request's encryption context. */
  public boolean constraintHolds(Map<String, String> context) {
    if (contextEquals != null && !contextEquals.equals(context)) {
      return false;
    }
    if (contextSubset != null) {
      for (Map.Entry<String, String> e : contextSubset.entrySet()) {
        if (!e.getValue().equals(context.get(e.getKey()))) {
          return false;
        }
      }
    }
    return true;
  }
}
