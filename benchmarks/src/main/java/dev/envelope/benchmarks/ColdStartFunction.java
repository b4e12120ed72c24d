package dev.envelope.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.lambda.Document;
import dev.envelope.lambda.EncryptedDocumentHandler;
import dev.envelope.lambda.EncryptedEnvironment;
import dev.envelope.s3.EncryptingS3Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One cold start, in a fresh JVM started by {@link LambdaColdStart}: from the first line of {@code main} (the
 * handler's class just loaded) to the first event handled, which means decrypting five console-encrypted
 * environment variables and one S3 event: read an encrypted document, process it, archive it encrypted with the
 * GLACIER storage class, with this project's Lambda layer on the class path. {@link ColdStartEsdkFunction} does the
 * same work with the AWS libraries. Prints the milliseconds.
 *
 * <p>Arguments: (ignored), KMS endpoint, S3 endpoint, key ARN, bucket, document key.
 */
public final class ColdStartFunction {
  static final String[] VARIABLES = {"API_KEY", "DB_PASSWORD", "WEBHOOK_SECRET", "SIGNING_KEY", "PARTNER_TOKEN"};

  private ColdStartFunction() {}

  public static void main(String[] args) throws Exception {
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
    EncryptedEnvironment env = EncryptedEnvironment.builder().kms(kms).build();
    for (String name : VARIABLES) {
      secretChars += env.get(name).length();
    }
    EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(s3)
        .keyring(KmsKeyring.create(kms, keyArn)).build();
    EncryptedDocumentHandler handler = new EncryptedDocumentHandler(EncryptedDocumentHandler.Settings.builder()
        .s3(client).archiveBucket(bucket).build()) {
      @Override
      protected byte[] process(Document document, Context context) {
        return new String(document.content(), StandardCharsets.UTF_8).toUpperCase()
            .getBytes(StandardCharsets.UTF_8);
      }
    };
    handler.handleS3Event(event(bucket, key), null);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("coldstart envelope " + millis + " ms (" + secretChars + " secret chars)");
  }

  private static S3Event event(String bucket, String key) {
    return new S3Event(List.of(new S3EventNotification.S3EventNotificationRecord("us-east-1",
        "ObjectCreated:Put", "aws:s3", "2026-11-22T10:00:00.000Z", "2.1", null, null,
        new S3EventNotification.S3Entity("config", new S3EventNotification.S3BucketEntity(bucket, null, null),
            new S3EventNotification.S3ObjectEntity(key, 1L, null, null, "00"), "1.0"), null)));
  }
}
