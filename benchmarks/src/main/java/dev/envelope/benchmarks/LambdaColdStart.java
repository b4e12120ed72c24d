package dev.envelope.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.KmsHttpServer;
import dev.envelope.lambda.EncryptedEnvironment;
import dev.envelope.s3.EncryptingS3Client;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Cold-start cost of a Lambda function with five encrypted environment variables and one S3 event, ours against
 * the AWS Encryption SDK, measured in fresh JVMs ({@link ColdStartFunction}) against the KMS emulator over HTTP
 * and S3Proxy, both served from this process. Each fresh JVM has only its layer on the class path: ours
 * ({@code lambda-integration/target/layer-unzipped}) or the AWS libraries' ({@code benchmarks/aws-layer}). Not JMH:
 * a cold start happens once per JVM. Usage (from the repository root, after building both layers):
 * {@code ./benchmarks/run-main.sh LambdaColdStart [runs]}; prints each run and the medians.
 */
public final class LambdaColdStart {
  private LambdaColdStart() {}

  /** This module's classes plus every jar of a layer's java/lib: what the function would have in Lambda. */
  private static String layerClasspath(Path lib) throws java.io.IOException {
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(lib + " is missing: build the layers first (see BENCHMARKS.md)");
    }
    StringBuilder cp = new StringBuilder("benchmarks/target/classes");
    try (var jars = Files.list(lib)) {
      jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.append(java.io.File.pathSeparator)
          .append(p));
    }
    return cp.toString();
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    try (KmsEmulator kms = KmsEmulator.create()) {
      KmsHttpServer kmsServer = kms.startHttpServer(0);
      S3Proxy proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
          .endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test", "test").build();
      proxy.start();
      while (!"STARTED".equals(proxy.getState())) {
        Thread.onSpinWait();
      }
      URI s3Endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
      KmsClient admin = kms.client();
      String keyArn = admin.createKey(b -> b.description("cold start")).keyMetadata().arn();
      S3Client s3 = S3Client.builder().endpointOverride(s3Endpoint).region(Region.US_EAST_1).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
          .build();
      String bucket = "coldstart";
      s3.createBucket(b -> b.bucket(bucket));
      String document = "{\"order\":\"A-1001\",\"customer\":\"c-42\",\"lines\":[\"sku-1\",\"sku-2\"],\"total\":"
          + "\"129.90 EUR\"}";
      EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(admin, keyArn)).build()
          .putObject(b -> b.bucket(bucket).key("envelope.json"), RequestBody.fromString(document));
      byte[] esdkMessage = AwsCrypto.builder().withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
          .build().encryptData(MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
              .build()).build().CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(keyArn)
              .kmsClient(admin).build()), document.getBytes(StandardCharsets.UTF_8)).getResult();
      s3.putObject(b -> b.bucket(bucket).key("esdk.json"), RequestBody.fromBytes(esdkMessage));

      String function = "order-processor";
      Map<String, List<Long>> results = Map.of("envelope", new ArrayList<>(), "esdk", new ArrayList<>());
      Map<String, String> classpaths = Map.of(
          "envelope", layerClasspath(Path.of("lambda-integration/target/layer-unzipped/java/lib")),
          "esdk", layerClasspath(Path.of("benchmarks/aws-layer/target/layer/java/lib")));
      Map<String, String> mains = Map.of("envelope", ColdStartFunction.class.getName(),
          "esdk", ColdStartEsdkFunction.class.getName());
      for (int run = 0; run < runs; run++) {
        for (String variant : List.of("envelope", "esdk")) {
          List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              // As the Lambda Java 17 runtime starts the JVM: C1 only, which shortens start-up.
              "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
              "-cp", classpaths.get(variant), mains.get(variant), variant, kmsServer.endpoint().toString(),
              s3Endpoint.toString(), keyArn, bucket, variant + ".json");
          ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
          pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", function);
          pb.environment().put("AWS_REGION", "us-east-1");
          for (String name : ColdStartFunction.VARIABLES) {
            pb.environment().put(name, EncryptedEnvironment.encryptLikeConsole(admin, keyArn, function,
                "secret-value-of-" + name));
          }
          Process p = pb.start();
          String line;
          long millis = -1;
          StringBuilder output = new StringBuilder();
          try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
              StandardCharsets.UTF_8))) {
            while ((line = r.readLine()) != null) {
              output.append(line).append('\n');
              if (line.startsWith("coldstart ")) {
                millis = Long.parseLong(line.split(" ")[2]);
              }
            }
          }
          if (p.waitFor() != 0 || millis < 0) {
            throw new IllegalStateException(variant + " run failed:\n" + output);
          }
          results.get(variant).add(millis);
          System.out.println("run " + (run + 1) + " " + variant + ": " + millis + " ms");
        }
      }
      for (String variant : List.of("envelope", "esdk")) {
        List<Long> sorted = new ArrayList<>(results.get(variant));
        Collections.sort(sorted);
        System.out.println(variant + ": median " + sorted.get(sorted.size() / 2) + " ms, min " + sorted.get(0)
            + " ms, max " + sorted.get(sorted.size() - 1) + " ms over " + sorted.size() + " fresh JVMs");
      }
      proxy.stop();
      kmsServer.close();
    }
  }
}
