package dev.envelope.s3;

import java.net.URI;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Child JVM of {@link BigUploadTest}: uploads a generated stream in parallel parts, downloads it, and prints the
 * SHA-256 of both sides and its heap limit. Args: endpoint bucket length.
 */
public final class BigUploadMain {
  private BigUploadMain() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String bucket = args[1];
    long length = Long.parseLong(args[2]);
    try (EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3(endpoint))
        .keyring(S3TestParts.aesKeyring()).partSize(5L << 20).parallelism(4).build()) {
      client.upload(PutObjectRequest.builder().bucket(bucket).key("big").build(), TestData.stream(length, 99),
          length);
      System.out.println("in " + TestData.sha256(length, 99));
      try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key("big"))) {
        System.out.println("out " + TestData.sha256(in));
        System.out.println("length " + in.response().contentLength());
      }
    }
    System.out.println("maxHeap " + Runtime.getRuntime().maxMemory());
  }
}
