package dev.envelope.localaws.internal;

import dev.envelope.kms.auth.SigV4Exception;
import java.util.Map;
import java.util.UUID;

/**
 * Errors in the shape each protocol's SDKs parse: JSON ({@code __type}), query ({@code ErrorResponse} XML), S3's
 * REST-XML ({@code Error}) and REST-JSON ({@code x-amzn-ErrorType}). Messages are escaped; none carries a secret.
 */
public final class ErrorShapes {
  /** The protocols a not-emulated service may speak, told apart by the request's own signals. */
  public enum Protocol { JSON, QUERY, REST_XML, REST_JSON }

  private ErrorShapes() {}

  public static Reply.Answer json(int status, String code, String message, String contentType) {
    return Reply.Answer.of(status, contentType, "{\"__type\":\"" + jsonEscape(code) + "\",\"message\":\""
        + jsonEscape(message) + "\"}");
  }

  public static Reply.Answer query(int status, String code, String message) {
    String type = status >= 500 ? "Receiver" : "Sender";
    return Reply.Answer.of(status, "text/xml", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        + "<Error><Type>" + type + "</Type><Code>" + xml(code) + "</Code><Message>" + xml(message)
        + "</Message></Error><RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>");
  }

  public static Reply.Answer s3(int status, String code, String message, String resource) {
    return Reply.Answer.of(status, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
        + xml(code) + "</Code><Message>" + xml(message) + "</Message>" + (resource == null ? ""
        : "<Resource>" + xml(resource) + "</Resource>") + "<RequestId>" + UUID.randomUUID().toString()
        .replace("-", "").substring(0, 16).toUpperCase(java.util.Locale.ROOT) + "</RequestId></Error>");
  }

  public static Reply.Answer restJson(int status, String code, String message) {
    return new Reply.Answer(status, Map.of("Content-Type", "application/json", "x-amzn-ErrorType", code),
        ("{\"__type\":\"" + jsonEscape(code) + "\",\"code\":\"" + jsonEscape(code) + "\",\"message\":\""
            + jsonEscape(message) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * A service this endpoint does not emulate, answered 501 (which the SDKs do not retry) in its own protocol,
   * naming the service and what is served instead.
   */
  public static Reply.Answer notEmulated(String service, Protocol protocol) {
    String message = "The service '" + service + "' is not emulated by Envelope local-aws: this endpoint serves kms, "
        + "dynamodb, s3 and sts (GetCallerIdentity, AssumeRole)";
    return switch (protocol) {
      case JSON -> json(501, "NotImplemented", message, "application/x-amz-json-1.0");
      case QUERY -> query(501, "NotImplemented", message);
      case REST_XML -> s3(501, "NotImplemented", message, null);
      case REST_JSON -> restJson(501, "NotImplemented", message);
    };
  }

  /** A SigV4 failure as S3 names it. */
  public static Reply.Answer s3Authentication(SigV4Exception e, String resource) {
    return switch (e.reason()) {
      case MISSING_AUTHENTICATION -> s3(403, "AccessDenied", "Access Denied", resource);
      case INCOMPLETE_SIGNATURE -> s3(400, "AuthorizationHeaderMalformed", e.getMessage(), resource);
      case UNKNOWN_ACCESS_KEY -> s3(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist "
          + "in our records.", resource);
      case SIGNATURE_MISMATCH -> s3(403, "SignatureDoesNotMatch", "The request signature we calculated does not "
          + "match the signature you provided. Check your key and signing method.", resource);
      case PRESIGNED_URL_EXPIRED -> s3(403, "AccessDenied", "Request has expired", resource);
      case EXPIRED -> s3(403, "RequestTimeTooSkewed", "The difference between the request time and the current "
          + "time is too large. " + e.getMessage(), resource);
    };
  }

  static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  public static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
