package dev.envelope.kms;

/**
 * A KMS error as the service returns it: the error code (the JSON {@code __type}, e.g. {@code NotFoundException}),
 * a KMS-style message, and the HTTP status (400 for client errors, 500 for faults). Over HTTP it becomes the
 * JSON error body; in process, the SDK turns it into the same modelled exception it would over the network.
 */
public final class KmsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int status;

  public KmsError(String code, String message) {
    this(code, message, 400);
  }

  public KmsError(String code, String message, int status) {
    super(message);
    this.code = code;
    this.status = status;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  public static KmsError notFound(String message) {
    return new KmsError("NotFoundException", message);
  }

  public static KmsError validation(String message) {
    return new KmsError("ValidationException", message);
  }

  public static KmsError invalidState(String message) {
    return new KmsError("KMSInvalidStateException", message);
  }

  public static KmsError disabled(String keyArn) {
    return new KmsError("DisabledException", keyArn + " is disabled.");
  }

  public static KmsError invalidCiphertext() {
    return new KmsError("InvalidCiphertextException", "");
  }

  public static KmsError accessDenied(String message) {
    return new KmsError("AccessDeniedException", message);
  }

  /** {@code 1 validation error detected: Value '<v>' at '<member>' failed to satisfy constraint: <c>}. */
  public static KmsError constraint(String member, Object value, String constraint) {
    String shown = value == null ? "null" : "'" + value + "'";
    return validation("1 validation error detected: Value " + shown + " at '" + member
        + "' failed to satisfy constraint: " + constraint);
  }

  /** As {@link #constraint}, for sensitive members whose value KMS does not echo. */
  public static KmsError sensitiveConstraint(String member, String constraint) {
    return validation("1 validation error detected: Value at '" + member + "' failed to satisfy constraint: "
        + constraint);
  }
}
