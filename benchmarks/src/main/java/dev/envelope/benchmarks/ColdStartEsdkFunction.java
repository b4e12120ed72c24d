package dev.envelope.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The work of {@link ColdStartFunction} done the way the AWS documentation shows, with the AWS libraries' layer on
 * the class path: KMS Decrypt (function-name context) for the five variables, the AWS Encryption SDK for Java
 * 3.0.2 with the Material Providers KMS keyring to decrypt the document and encrypt the result, S3 get and put
 * (GLACIER). Prints the milliseconds from the first line of {@code main}.
 */
public final class ColdStartEsdkFunction {
  /** The same five names as {@link ColdStartFunction}; not shared, so that neither class loads the other. */
  private static final String[] VARIABLES = {"API_KEY", "DB_PASSWORD", "WEBHOOK_SECRET", "SIGNING_KEY",
      "PARTNER_TOKEN"};

  private ColdStartEsdkFunction() {}

  public static void main(String[] args) {
    long start = System.nanoTime();
    URI kmsEndpoint = URI.create(args[1]);
    URI s3Endpoint = URI.create(args[2]);
    String keyArn = args[3];
    String bucket = args[4];
    String key = args[5];
    StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
        "test"));
    KmsClient kms = KmsClient.builder().endpointOverride(kmsEndpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    S3Client s3 = S3Client.builder().endpointOverride(s3Endpoint).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    int secretChars = 0;
    String function = System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    for (String name : VARIABLES) {
      SdkBytes blob = SdkBytes.fromByteArray(Base64.getDecoder().decode(System.getenv(name)));
      secretChars += kms.decrypt(b -> b.ciphertextBlob(blob)
          .encryptionContext(Map.of("LambdaFunctionName", function))).plaintext().asUtf8String().length();
    }
    AwsCrypto crypto = AwsCrypto.builder()
        .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt).build();
    IKeyring keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build().CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(keyArn)
        .kmsClient(kms).build());
    byte[] message = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    byte[] plaintext = crypto.decryptData(keyring, message).getResult();
    byte[] result = new String(plaintext, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8);
    byte[] archived = crypto.encryptData(keyring, result, Map.of("source", key)).getResult();
    s3.putObject(b -> b.bucket(bucket).key("archive/" + bucket + "/" + key).storageClass(StorageClass.GLACIER),
        RequestBody.fromBytes(archived));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("coldstart esdk " + millis + " ms (" + secretChars + " secret chars)");
  }
}
