package dev.envelope.samples;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Puts an encrypted object and reads it back, whole and as a range, through EncryptingS3Client. */
public final class S3PutGetExample {
  private S3PutGetExample() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedParts parts = new EmbeddedParts()) {                   // KMS, S3 and DynamoDB in this JVM
      String keyArn = parts.kms.client(EmbeddedParts.ADMIN).createKey(b -> b.description("s3")).keyMetadata().arn();
      S3Client s3 = EncryptingS3Client.builder()
          .wrappedClient(parts.s3())                                   // any S3Client: S3Client.create() for AWS
          .keyring(KmsKeyring.create(parts.kms.client(EmbeddedParts.ADMIN), keyArn))
          .build();
      s3.createBucket(b -> b.bucket("docs"));
      s3.putObject(b -> b.bucket("docs").key("hello.txt"), RequestBody.fromString("Hello, encrypted world"));
      System.out.println(s3.getObjectAsBytes(b -> b.bucket("docs").key("hello.txt")).asUtf8String());
      System.out.println(s3.getObjectAsBytes(b -> b.bucket("docs").key("hello.txt").range("bytes=7-15"))
          .asUtf8String());
    }
  }
}
