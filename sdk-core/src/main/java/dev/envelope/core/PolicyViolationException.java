package dev.envelope.core;

/**
 * The operation would break a configured policy: the commitment policy, the maximum number of encrypted data
 * keys, a reserved encryption-context key, a suite the materials manager may not use.
 */
public class PolicyViolationException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message) {
    super(message);
  }
}
