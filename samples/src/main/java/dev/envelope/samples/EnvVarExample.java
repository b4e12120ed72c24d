package dev.envelope.samples;

import dev.envelope.lambda.EncryptedEnvironment;
import java.util.Map;
import software.amazon.awssdk.services.kms.KmsClient;

/** Encrypts an environment variable as the Lambda console does, then reads it as a function would. */
public final class EnvVarExample {
  private EnvVarExample() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedParts parts = new EmbeddedParts()) {
      KmsClient admin = parts.kms.client(EmbeddedParts.ADMIN);
      String keyArn = admin.createKey(b -> b.policy(Policies.of(Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
          Policies.allow(EmbeddedParts.LAMBDA_ROLE.arn(), "kms:Decrypt")))).keyMetadata().arn();
      // What the console's "Encrypt" button stores in the function's configuration:
      String stored = EncryptedEnvironment.encryptLikeConsole(admin, keyArn, "my-function", "s3cr3t");
      Map<String, String> functionEnv = Map.of("AWS_LAMBDA_FUNCTION_NAME", "my-function", "API_KEY", stored);

      EncryptedEnvironment env = EncryptedEnvironment.builder()
          .kms(parts.kms.client(EmbeddedParts.LAMBDA_ROLE))              // the execution role; KmsClient.create()
          .environment(functionEnv::get)                                  // in Lambda: System::getenv (default)
          .build();
      System.out.println("API_KEY has " + env.get("API_KEY").length() + " characters (never print the value)");
    }
  }
}
