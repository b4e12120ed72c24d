package dev.envelope.localaws;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The LocalStack-style suite against Envelope's local-aws, in this JVM on a free port. */
class LocalAwsSuiteTest extends LocalStackStyleSuite {
  private static LocalAws aws;

  @BeforeAll
  static void start() {
    aws = LocalAws.builder().port(0).build();
  }

  @AfterAll
  static void stop() {
    aws.close();
  }

  @Override
  protected URI endpoint() {
    return aws.endpoint();
  }
}
