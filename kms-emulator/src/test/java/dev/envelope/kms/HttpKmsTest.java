package dev.envelope.kms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The behaviour suite over HTTP, through an unmodified SDK {@link KmsClient} with {@code endpointOverride}: the
 * SigV4 access key id says who the caller is, and with authorization enforced every signature is verified.
 */
class HttpKmsTest extends KmsExactnessSuite {
  private final Map<KmsEmulator, KmsHttpServer> servers = new IdentityHashMap<>();

  @Override
  protected KmsClient client(KmsEmulator emulator, Principal principal, Region region) {
    KmsHttpServer server = servers.computeIfAbsent(emulator, e -> {
      try {
        return e.startHttpServer(0);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    });
    String accessKey = "AKID" + Integer.toHexString(principal.arn().hashCode());
    emulator.registerCredentials(accessKey, "secret", principal);
    return KmsClient.builder()
        .endpointOverride(server.endpoint())
        .region(region)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "secret")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @AfterEach
  void stopServers() {
    servers.keySet().forEach(KmsEmulator::close);
  }
}
