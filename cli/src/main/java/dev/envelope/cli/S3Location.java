package dev.envelope.cli;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code s3://bucket/prefix-or-key} argument. S3 takes an access point's ARN wherever it takes a bucket name,
 * and an ARN has slashes of its own, so {@code s3://arn:aws:s3:us-east-1:111122223333:accesspoint/orders/2026/} is
 * the access point {@code orders} and the prefix {@code 2026/}, as the AWS CLI reads it (its patterns, with any
 * partition): S3 access points and Multi-Region Access Points, S3 on Outposts access points and buckets, Object
 * Lambda access points.
 */
record S3Location(String bucket, String path) {
  private static final List<Pattern> ARN_BUCKETS = List.of(
      Pattern.compile("(arn:[^:/]+:s3:[a-z0-9-]*:[0-9]{12}:accesspoint[:/][^/]+)/?(.*)", Pattern.DOTALL),
      Pattern.compile("(arn:[^:/]+:s3-outposts:[a-z0-9-]+:[0-9]{12}:outpost[/:][a-zA-Z0-9-]{1,63}[/:]"
          + "(?:bucket|accesspoint)[/:][a-zA-Z0-9-]{1,63})[/:]?(.*)", Pattern.DOTALL),
      Pattern.compile("(arn:[^:/]+:s3-object-lambda:[a-z0-9-]+:[0-9]{12}:accesspoint[/:][a-zA-Z0-9-]{1,63})[/:]?"
          + "(.*)", Pattern.DOTALL));

  static boolean is(String text) {
    return text.startsWith("s3://");
  }

  static S3Location parse(String text) {
    if (!is(text) || text.length() == 5) {
      throw new UsageException("expected s3://bucket[/prefix], not '" + text + "'");
    }
    String rest = text.substring(5);
    if (rest.startsWith("arn:")) {
      for (Pattern arn : ARN_BUCKETS) {
        Matcher m = arn.matcher(rest);
        if (m.matches()) {
          return new S3Location(m.group(1), m.group(2));
        }
      }
      throw new UsageException("'" + text + "' names no access point: expected s3://arn:PARTITION:s3:REGION:ACCOUNT:"
          + "accesspoint/NAME[/prefix] (or an S3 on Outposts or Object Lambda access point ARN)");
    }
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new UsageException("no bucket in '" + text + "'");
    }
    return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  /** Whether the bucket is named by an access point ARN. */
  boolean arn() {
    return bucket.startsWith("arn:");
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + path;
  }
}
