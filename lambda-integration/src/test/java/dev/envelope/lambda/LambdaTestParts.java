package dev.envelope.lambda;

import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Embedded parts of the Lambda tests: S3Proxy in process, and a KMS emulator that enforces key policies, with the
 * function's execution role as a principal of its own.
 */
final class LambdaTestParts {
  static final String ACCOUNT = KmsEmulator.DEFAULT_ACCOUNT;
  static final Principal ADMIN = Principal.user(ACCOUNT, "deployer");
  static final Principal EXECUTION_ROLE = Principal.role(ACCOUNT, "order-processor-role");
  private static S3Proxy proxy;

  private LambdaTestParts() {}

  static KmsEmulator kms() {
    return KmsEmulator.builder().enforceAuthorization(true)
        .iamPolicy(ADMIN, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\"}]}")
        .build();
  }

  /** A key the deployer administers and whose policy lets the execution role use it for {@code actions}. */
  static String keyFor(KmsEmulator kms, String... actions) {
    StringBuilder statements = new StringBuilder(allow(ADMIN.arn(), "\"kms:*\""));
    if (actions.length > 0) {
      statements.append(',').append(allow(EXECUTION_ROLE.arn(), "[\"" + String.join("\",\"", actions) + "\"]"));
    }
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    return kms.client(ADMIN).createKey(b -> b.policy(policy).description("lambda tests")).keyMetadata().arn();
  }

  private static String allow(String principal, String actions) {
    return "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":" + actions
        + ",\"Resource\":\"*\"}";
  }

  static synchronized URI s3Endpoint() {
    if (proxy == null) {
      try {
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test", "test").build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("S3Proxy did not start");
          }
          Thread.onSpinWait();
        }
      } catch (Exception e) {
        throw new IllegalStateException("Cannot start S3Proxy", e);
      }
    }
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  static S3Client s3() {
    return S3Client.builder().endpointOverride(s3Endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        // Whole-payload signing: S3Proxy answers an aws-chunked upload before reading its last chunk and closes the
        // connection, which HttpURLConnection reports as a failed write after the object landed (see S3Emulator).
        .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }

}
