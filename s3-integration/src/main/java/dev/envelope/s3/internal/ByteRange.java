package dev.envelope.s3.internal;

/**
 * A parsed HTTP Range header of one range: {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}, resolved
 * against a length.
 */
public record ByteRange(long first, long last) {
  /** Null if the header is not a single byte range we understand. */
  public static ByteRange parse(String header, long length) {
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.contains(",")) {
      return null;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      if (dash == 0) {
        long n = Long.parseLong(spec.substring(1));
        return n <= 0 ? null : new ByteRange(Math.max(0, length - n), length - 1);
      }
      long first = Long.parseLong(spec.substring(0, dash));
      long last = dash == spec.length() - 1 ? Long.MAX_VALUE : Long.parseLong(spec.substring(dash + 1));
      return last < first ? null : new ByteRange(first, Math.min(last, length - 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
