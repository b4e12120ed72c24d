package dev.envelope.s3;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Child JVM of {@link BigUploadTest}: uploads a generated stream in parallel parts, downloads it in parallel
 * ranges to a file, and prints the SHA-256 of both sides and its heap limit. Args: endpoint bucket length target.
 */
public final class BigUploadMain {
  private BigUploadMain() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String bucket = args[1];
    long length = Long.parseLong(args[2]);
    Path target = Path.of(args[3]);
    try (EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3(endpoint))
        .keyring(S3TestParts.aesKeyring()).partSize(5L << 20).parallelism(4).downloadRangeSize(8L << 20).build()) {
      client.upload(PutObjectRequest.builder().bucket(bucket).key("big").build(), TestData.stream(length, 99),
          length);
      System.out.println("in " + TestData.sha256(length, 99));
      GetObjectResponse downloaded = client.download(GetObjectRequest.builder().bucket(bucket).key("big").build(),
          target);
      try (InputStream in = Files.newInputStream(target)) {
        System.out.println("out " + TestData.sha256(in));
      }
      System.out.println("length " + downloaded.contentLength());
      System.out.println("fileLength " + Files.size(target));
    }
    System.out.println("maxHeap " + Runtime.getRuntime().maxMemory());
  }
}
