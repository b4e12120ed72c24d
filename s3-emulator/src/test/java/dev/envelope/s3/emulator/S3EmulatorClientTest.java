package dev.envelope.s3.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

class S3EmulatorClientTest {
  @TempDir
  Path dir;

  /**
   * With aws-chunked uploads (the SDK's default over plain HTTP) a few PUTs in a hundred were sent twice through
   * HttpURLConnection: S3Proxy answered before the last chunk and closed the connection, the JDK reported a failed
   * write after the object had landed, and the retried conditional write answered 412.
   */
  @Test
  void conditionalPutsThroughHttpUrlConnectionAreSentOnce() {
    AtomicInteger attempts = new AtomicInteger();
    ExecutionInterceptor countAttempts = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attempts.incrementAndGet();
      }
    };
    byte[] body = new byte[20_000];
    try (S3Emulator s3 = S3Emulator.builder().directory(dir).build();
        S3Client client = s3.client(b -> b.httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.addExecutionInterceptor(countAttempts)))) {
      s3.createBucket("writes");
      for (int i = 0; i < 300; i++) {
        String key = "doc-" + i;
        client.putObject(b -> b.bucket("writes").key(key).ifNoneMatch("*"), RequestBody.fromBytes(body));
      }
    }
    assertEquals(300, attempts.get(), "every PUT in one attempt");
  }
}
