package dev.envelope.core.audit;

/**
 * How encryption-context values appear in audit events. Context values often hold customer or tenant ids, which
 * the audit trail may not be allowed to keep in clear.
 */
public enum ContextInAudit {
  /** Values as they are. */
  PLAIN,
  /**
   * Values replaced by {@code sha256:} and the first 16 bytes of their SHA-256, in hex: equal values still
   * correlate. Low-entropy values (small ids) can be guessed from a hash; use {@link #KEYS_ONLY} for those.
   */
  HASHED,
  /** Keys kept, values left out (empty strings). */
  KEYS_ONLY
}
