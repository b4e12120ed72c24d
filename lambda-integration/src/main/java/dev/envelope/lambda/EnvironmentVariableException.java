package dev.envelope.lambda;

import dev.envelope.core.EnvelopeException;

/**
 * An encrypted environment variable could not be read: missing, not a KMS ciphertext for this function, or KMS
 * refused to decrypt it. The message names the variable, the function, the key and the likely fix; it never holds
 * the variable's value, encrypted or not. A KMS refusal is the cause (a
 * {@link dev.envelope.core.KeyAccessDeniedException} with KMS's error code).
 */
public class EnvironmentVariableException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  private final String variable;

  public EnvironmentVariableException(String variable, String message, Throwable cause) {
    super(message, cause);
    this.variable = variable;
  }

  /** The environment variable's name. */
  public String variable() {
    return variable;
  }
}
