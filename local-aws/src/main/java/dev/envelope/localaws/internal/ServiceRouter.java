package dev.envelope.localaws.internal;

import java.util.Locale;

/**
 * Decides which service a request is for, in the order LocalStack's edge router uses: its own
 * {@code /_localstack/} paths; the service name of the SigV4 credential scope (header or presigned query);
 * {@code X-Amz-Target}; a query-protocol {@code Action}; an S3 virtual-host name; and S3 for the rest (an
 * unsigned {@code GET /} is S3's ListBuckets, as in LocalStack).
 */
public final class ServiceRouter {
  /** A routed request: the service, its SigV4 service name (for error messages) and, for S3, the bucket in Host. */
  public record Route(Service service, String signingName, String virtualHostBucket) {}

  private ServiceRouter() {}

  /**
   * @param scope the request's SigV4 credential scope ({@code [region, service]}), or null when it carries none
   * @param formAction a query-protocol body's {@code Action}, or null
   */
  public static Route route(Incoming in, String[] scope, String formAction) {
    if (in.rawPath().startsWith("/_localstack/") || in.rawPath().equals("/_localstack")) {
      return new Route(Service.LOCALSTACK_INTERNAL, "localstack", null);
    }
    String signingName = null;
    if (scope != null) {
      signingName = scope[1].toLowerCase(Locale.ROOT);
    }
    String target = in.header("X-Amz-Target");
    if (signingName == null && target != null) {
      signingName = target.startsWith("TrentService.") ? "kms" : target.startsWith("DynamoDB_") ? "dynamodb"
          : target.startsWith("DynamoDBStreams_") ? "dynamodbstreams" : target.startsWith("AmazonSQS.") ? "sqs"
          : target.contains(".") ? target.substring(0, target.indexOf('.')).toLowerCase(Locale.ROOT) : target;
    }
    if (signingName == null && formAction != null) {
      signingName = "GetCallerIdentity".equals(formAction) || "AssumeRole".equals(formAction) ? "sts" : "unknown";
    }
    String bucket = virtualHostBucket(in.hostName());
    if (signingName == null) {
      signingName = "s3";
    }
    return switch (signingName) {
      case "kms" -> new Route(Service.KMS, signingName, null);
      case "dynamodb" -> new Route(Service.DYNAMODB, signingName, null);
      case "sts" -> new Route(Service.STS, signingName, null);
      case "s3" -> new Route(Service.S3, signingName, bucket);
      default -> new Route(Service.NOT_EMULATED, signingName, null);
    };
  }

  /**
   * The bucket a virtual-host-style S3 name carries: {@code <bucket>.s3.<anything>} (LocalStack's
   * {@code s3.localhost.localstack.cloud}, AWS's {@code s3.<region>.amazonaws.com}) or {@code <bucket>.localhost}.
   */
  static String virtualHostBucket(String host) {
    int s3 = host.indexOf(".s3.");
    if (s3 > 0) {
      return host.substring(0, s3);
    }
    if (host.endsWith(".localhost") && host.length() > ".localhost".length()) {
      return host.substring(0, host.length() - ".localhost".length());
    }
    return null;
  }
}
