package dev.envelope.kms.internal;

import dev.envelope.kms.Principal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An {@link SdkHttpClient} that hands each request to the {@link Dispatcher} in memory: no socket, no thread.
 * A {@code KmsClient} built on it runs the SDK's own marshalling, signing and error mapping, so in-process and HTTP
 * behave byte for byte alike.
 */
public final class InProcessHttpClient implements SdkHttpClient {
  private final Dispatcher dispatcher;
  private final Principal principal;

  public InProcessHttpClient(Dispatcher dispatcher, Principal principal) {
    this.dispatcher = dispatcher;
    this.principal = principal;
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        SdkHttpRequest http = request.httpRequest();
        byte[] body = new byte[0];
        if (request.contentStreamProvider().isPresent()) {
          try (InputStream in = request.contentStreamProvider().get().newStream()) {
            body = in.readAllBytes();
          }
        }
        Dispatcher.Response response = dispatcher.dispatch(
            http.firstMatchingHeader("X-Amz-Target").orElse(null), body,
            http.firstMatchingHeader("Authorization").orElse(null), principal, "in-process",
            http.firstMatchingHeader("User-Agent").orElse(""));
        SdkHttpResponse.Builder headers = SdkHttpResponse.builder()
            .statusCode(response.status())
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("x-amzn-RequestId", response.requestId())
            .putHeader("Content-Length", Integer.toString(response.body().length));
        return HttpExecuteResponse.builder()
            .response(headers.build())
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
    return "EnvelopeKmsEmulatorInProcess";
  }

  @Override
  public void close() {
    // owns nothing
  }
}
