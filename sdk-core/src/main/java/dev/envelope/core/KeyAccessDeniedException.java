package dev.envelope.core;

import java.util.Objects;

/**
 * The key provider refused to use a wrapping key: access denied, the key disabled or pending deletion, not found.
 * Carries the key id, the principal where known, the provider's error code and a hint at the fix (key policy,
 * IAM policy, grant, key state).
 */
public class KeyAccessDeniedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  private final String keyId;
  private final String errorCode;
  private final boolean retryable;

  public KeyAccessDeniedException(String message, String keyId, String errorCode, boolean retryable,
      Throwable cause) {
    super(message, cause);
    this.keyId = Objects.requireNonNull(keyId, "keyId");
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    this.retryable = retryable;
  }

  /** The wrapping key that was refused. */
  public String keyId() {
    return keyId;
  }

  /** The provider's error code, e.g. {@code AccessDeniedException} or {@code DisabledException}. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether trying again later may succeed (throttling, transient faults), as opposed to a policy decision. */
  public boolean retryable() {
    return retryable;
  }
}
