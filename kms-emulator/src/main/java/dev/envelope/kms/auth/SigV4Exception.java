package dev.envelope.kms.auth;

/**
 * A request whose SigV4 authentication fails. The {@link Reason} is protocol-neutral; each service face answers it
 * with its own error name ({@link Reason#jsonErrorCode()} for KMS and DynamoDB, {@link Reason#queryErrorCode()} for
 * STS, S3's names in the S3 face). Messages never contain a secret or a signature the server computed.
 */
public final class SigV4Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why authentication failed. */
  public enum Reason {
    /** No Authorization header and no presigned query parameters. */
    MISSING_AUTHENTICATION("MissingAuthenticationTokenException", "MissingAuthenticationToken"),
    /** A signature that lacks a part, or a part that cannot be parsed. */
    INCOMPLETE_SIGNATURE("IncompleteSignatureException", "IncompleteSignature"),
    /** An access key id the server does not know. */
    UNKNOWN_ACCESS_KEY("UnrecognizedClientException", "InvalidClientTokenId"),
    /** The signature does not match the request. */
    SIGNATURE_MISMATCH("InvalidSignatureException", "SignatureDoesNotMatch"),
    /** Signed too long ago or too far ahead of the server's clock (clock skew). */
    EXPIRED("InvalidSignatureException", "SignatureDoesNotMatch"),
    /** A presigned request past its {@code X-Amz-Expires}. */
    PRESIGNED_URL_EXPIRED("InvalidSignatureException", "SignatureDoesNotMatch");

    private final String json;
    private final String query;

    Reason(String json, String query) {
      this.json = json;
      this.query = query;
    }

    /** The {@code __type} the JSON protocol services (KMS, DynamoDB) answer with. */
    public String jsonErrorCode() {
      return json;
    }

    /** The {@code Code} the query protocol services (STS) answer with. */
    public String queryErrorCode() {
      return query;
    }
  }

  private final Reason reason;

  public SigV4Exception(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
