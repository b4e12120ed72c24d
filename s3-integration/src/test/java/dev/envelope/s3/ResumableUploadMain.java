package dev.envelope.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Child JVM of {@link ResumableUploadTest}: uploads a file resumably and prints "saved N" after the N-th
 * checkpoint write, so that the test can kill it (SIGKILL) at a part of its choice. Args: endpoint bucket key file
 * checkpoint.
 */
public final class ResumableUploadMain {
  private ResumableUploadMain() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    UploadCheckpoint file = UploadCheckpoint.file(Path.of(args[4]));
    UploadCheckpoint announcing = new UploadCheckpoint() {
      private int saves;

      @Override
      public Optional<String> load() throws IOException {
        return file.load();
      }

      @Override
      public synchronized void save(String state) throws IOException {
        file.save(state);
        System.out.println("saved " + ++saves);
        System.out.flush();
      }

      @Override
      public void clear() throws IOException {
        file.clear();
      }
    };
    try (EncryptingS3Client client = ResumableUploadTest.client(S3TestParts.s3(endpoint))) {
      client.resumableUploader().upload(PutObjectRequest.builder().bucket(args[1]).key(args[2]).build(),
          Path.of(args[3]), announcing);
    }
    System.out.println("done");
  }
}
