package dev.envelope.dynamodb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * DynamoDB accepts a table ARN wherever a request takes a table name; DynamoDB Local 2.6.1 does except inside
 * TransactWriteItems and TransactGetItems. Placed after the encryption interceptor, this rewrites table ARNs to
 * names in the wire body only, so the interceptor still sees (and is tested with) the ARN form in the SDK request
 * and in modifyResponse.
 */
final class ArnTransportShim implements ExecutionInterceptor {
  private static final String ARN = "arn:aws:dynamodb:[a-z0-9-]+:[0-9]{12}:table/";

  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    return rewritten(context).map(body -> context.httpRequest().toBuilder()
        .putHeader("Content-Length", Integer.toString(body.length)).build()).orElse(context.httpRequest());
  }

  @Override
  public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context,
      ExecutionAttributes attributes) {
    return rewritten(context).map(RequestBody::fromBytes).or(context::requestBody);
  }

  private static Optional<byte[]> rewritten(Context.ModifyHttpRequest context) {
    String target = context.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
    if (!target.endsWith("TransactWriteItems") && !target.endsWith("TransactGetItems")
        || context.requestBody().isEmpty()) {
      return Optional.empty();
    }
    try (InputStream in = context.requestBody().get().contentStreamProvider().newStream()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Optional.of(body.replaceAll(ARN, "").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
