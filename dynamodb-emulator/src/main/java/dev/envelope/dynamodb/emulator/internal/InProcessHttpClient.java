package dev.envelope.dynamodb.emulator.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An {@link SdkHttpClient} that hands each request to the {@link Dispatcher} in memory: no socket, no thread. A
 * {@code DynamoDbClient} built on it runs the SDK's own marshalling and error mapping, so the in-process face and
 * the HTTP face answer alike. (The KMS emulator has its own: the two emulators depend on no other module.)
 */
public final class InProcessHttpClient implements SdkHttpClient {
  private final Dispatcher dispatcher;

  public InProcessHttpClient(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        byte[] body = new byte[0];
        if (request.contentStreamProvider().isPresent()) {
          try (InputStream in = request.contentStreamProvider().get().newStream()) {
            body = in.readAllBytes();
          }
        }
        Dispatcher.Response response = dispatcher.dispatch(
            request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse(null), body);
        return HttpExecuteResponse.builder()
            .response(SdkHttpResponse.builder().statusCode(response.status())
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("x-amzn-RequestId", response.requestId())
                .putHeader("Content-Length", Integer.toString(response.body().length)).build())
            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(response.body())))
            .build();
      }

      @Override
      public void abort() {
        // nothing in flight: the call is synchronous and in memory
      }
    };
  }

  @Override
  public String clientName() {
    return "EnvelopeDynamoDbEmulatorInProcess";
  }

  @Override
  public void close() {
    // owns nothing
  }
}
