package dev.envelope.cli;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.KmsArn;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.MultiKeyring;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Where AWS is, for the commands that call it: the SDK's own defaults (credentials chain, {@code AWS_REGION},
 * {@code AWS_ENDPOINT_URL}) unless these options say otherwise. With an endpoint (local AWS, LocalStack) and no
 * region, us-east-1, and S3 is addressed by path.
 */
final class AwsOptions {
  @Option(names = "--endpoint-url", paramLabel = "URL",
      description = "AWS endpoint for KMS, S3 and DynamoDB, e.g. http://localhost:4566 (local serve, LocalStack)")
  URI endpoint;

  @Option(names = "--region", paramLabel = "REGION", description = "AWS Region (default: the SDK's: AWS_REGION, "
      + "the profile; for a KMS key ARN its own Region)")
  String region;

  KmsClient kms(String regionHint) {
    KmsClientBuilder b = KmsClient.builder().httpClient(http())
        .credentialsProvider(DefaultCredentialsProvider.builder().build());
    configure(b, regionHint);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  /** A KMS client in the Region of {@code keyArn} (a key ARN names it; anything else takes the default). */
  KmsClient kmsFor(String keyArn) {
    return kms(KmsArn.parse(keyArn).map(KmsArn::region).orElse(null));
  }

  /** Keyrings over these KMS keys, none of which generates: for unwrapping, or wrapping a key that exists. */
  Keyring kmsKeyrings(List<String> keyArns) {
    List<Keyring> keyrings = new ArrayList<>();
    keyArns.forEach(arn -> keyrings.add(KmsKeyring.create(kmsFor(arn), arn)));
    return keyrings.size() == 1 ? keyrings.get(0) : MultiKeyring.ofChildren(keyrings);
  }

  /**
   * An S3 client for {@code where}. An access point ARN is reached in its own Region (unless {@code --region} says
   * otherwise) and, with an endpoint, by the host name the SDK derives from it (as S3's VPC interface endpoints
   * take it): path-style addressing, used for every bucket name with an endpoint, cannot carry an ARN.
   */
  S3Client s3(S3Location where) {
    S3ClientBuilder b = S3Client.builder().httpClient(http())
        .credentialsProvider(DefaultCredentialsProvider.builder().build());
    String arnRegion = where.arn() ? where.bucket().split(":")[3] : "";
    configure(b, arnRegion.isEmpty() ? null : arnRegion);
    if (endpoint != null) {
      b.endpointOverride(endpoint).forcePathStyle(!where.arn());
    }
    return b.build();
  }

  DynamoDbClient dynamoDb() {
    DynamoDbClientBuilder b = DynamoDbClient.builder().httpClient(http())
        .credentialsProvider(DefaultCredentialsProvider.builder().build());
    configure(b, null);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  /**
   * The HTTP client of every AWS client: through the proxy the environment names, as the AWS CLI goes
   * ({@code HTTPS_PROXY}, {@code HTTP_PROXY} for an {@code http://} endpoint, {@code NO_PROXY}, or the JVM's
   * {@code https.proxyHost} and {@code http.proxyHost}), directly when none is named.
   */
  private SdkHttpClient http() {
    String scheme = endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme()) ? "http" : "https";
    return UrlConnectionHttpClient.builder().proxyConfiguration(ProxyConfiguration.builder().scheme(scheme)
        .useSystemPropertyValues(true).useEnvironmentVariablesValues(true).build()).build();
  }

  private void configure(software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<?, ?> b, String hint) {
    String chosen = region != null ? region : hint != null ? hint : System.getenv("AWS_REGION") == null
        && System.getProperty("aws.region") == null && endpoint != null ? "us-east-1" : null;
    if (chosen != null) {
      b.region(Region.of(chosen));
    }
  }
}
