package dev.envelope.cli;

/** An {@code s3://bucket/prefix-or-key} argument. */
record S3Location(String bucket, String path) {
  static boolean is(String text) {
    return text.startsWith("s3://");
  }

  static S3Location parse(String text) {
    if (!is(text) || text.length() == 5) {
      throw new UsageException("expected s3://bucket[/prefix], not '" + text + "'");
    }
    String rest = text.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new UsageException("no bucket in '" + text + "'");
    }
    return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + path;
  }
}
