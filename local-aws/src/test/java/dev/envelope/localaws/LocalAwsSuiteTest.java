package dev.envelope.localaws;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The LocalStack-style suite against Envelope's local-aws, in this JVM on a free port, with authorization enforced:
 * every request the suite's SDK clients send (S3's aws-chunked uploads included) has its SigV4 signature verified
 * against {@code test}/{@code test}, and key policies decide.
 */
class LocalAwsSuiteTest extends LocalStackStyleSuite {
  private static LocalAws aws;

  @BeforeAll
  static void start() {
    aws = LocalAws.builder().port(0).config("""
        {"enforceAuthorization": true, "principals": [{"arn": "%s",
          "iamPolicies": [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}]}
        """.formatted(READER_ROLE)).build();
  }

  @AfterAll
  static void stop() {
    aws.close();
  }

  @Override
  protected URI endpoint() {
    return aws.endpoint();
  }

  @Override
  protected boolean enforcesKeyPolicies() {
    return true;
  }
}
