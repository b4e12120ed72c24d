package dev.envelope.samples;

/** Key policy JSON for the samples, written out so that what each principal may do is plain to read. */
final class Policies {
  private Policies() {}

  static String of(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  static String allow(String principalArn, String... actions) {
    return "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principalArn + "\"},\"Action\":[\""
        + String.join("\",\"", actions) + "\"],\"Resource\":\"*\"}";
  }
}
