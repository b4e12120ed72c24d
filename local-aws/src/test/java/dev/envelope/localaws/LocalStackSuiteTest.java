package dev.envelope.localaws;

import java.net.URI;
import org.junit.jupiter.api.Tag;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The same suite against LocalStack in Docker, so that local-aws and LocalStack are proven interchangeable for it.
 * Runs with {@code -Plocalstack}; without a Docker engine the class reports itself skipped.
 */
@Tag("localstack")
@Testcontainers(disabledWithoutDocker = true)
class LocalStackSuiteTest extends LocalStackStyleSuite {
  @Container
  static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse(
      "localstack/localstack:3.8")).withServices(LocalStackContainer.Service.KMS, LocalStackContainer.Service.S3,
      LocalStackContainer.Service.DYNAMODB, LocalStackContainer.Service.STS);

  @Override
  protected URI endpoint() {
    return LOCALSTACK.getEndpoint();
  }

  @Override
  protected boolean enforcesKeyPolicies() {
    return false; // LocalStack Community does not enforce IAM (ENFORCE_IAM is a Pro feature)
  }
}
