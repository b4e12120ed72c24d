package dev.envelope.s3;

import dev.envelope.s3.internal.InputStreamPublisher;
import dev.envelope.s3.internal.PublisherInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.reactivestreams.Subscriber;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.Abortable;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The S3 calls the format handlers make, answered by an {@link S3AsyncClient}: what lets
 * {@link EncryptingS3AsyncClient} share every format rule with {@link EncryptingS3Client}. Each call waits for its
 * future; it is only ever called on the async client's own threads, never on the SDK's. Bodies cross with
 * back-pressure both ways: a response body is read as a blocking stream that requests a few buffers ahead of its
 * reader, a request body is sent from memory up to {@value #IN_MEMORY_BODY} bytes and above that published as it is
 * read, once per subscription (so the SDK may retry it).
 *
 * <p>Only the operations the handlers use are here; the others throw {@link UnsupportedOperationException} (the
 * async client sends them to the wrapped client directly).
 */
final class AsyncBackedS3Client implements S3Client {
  static final int IN_MEMORY_BODY = 1 << 20;

  private final S3AsyncClient async;
  private final Executor executor;

  AsyncBackedS3Client(S3AsyncClient async, Executor executor) {
    this.async = async;
    this.executor = executor;
  }

  /** The value of a future, with the SDK's own exception (an S3Exception, say) rethrown as it is. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw SdkClientException.create("Interrupted while waiting for S3", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  static RuntimeException unwrap(Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException(io);
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return SdkClientException.create(String.valueOf(cause), cause);
  }

  /**
   * A request body for the async client. Up to {@value #IN_MEMORY_BODY} bytes it is encrypted into memory here and
   * sent from there: the SDK then knows the whole body and sends its checksum in a header, where a streamed body
   * needs aws-chunked encoding with a trailer, which costs more than the copy (measured in BENCHMARKS.md). Larger
   * bodies are published from the content stream as it is read, opened again for each subscription.
   */
  private AsyncRequestBody asyncBody(RequestBody body) {
    Optional<Long> length = body.optionalContentLength();
    if (length.isPresent() && length.get() <= IN_MEMORY_BODY) {
      try (InputStream in = body.contentStreamProvider().newStream()) {
        byte[] bytes = in.readNBytes(length.get().intValue());
        if (bytes.length != length.get()) {
          throw new IOException("Request body ended after " + bytes.length + " of " + length.get() + " bytes");
        }
        return AsyncRequestBody.fromBytesUnsafe(bytes); // ours alone: nothing else holds the array
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new AsyncRequestBody() {
      @Override
      public Optional<Long> contentLength() {
        return body.optionalContentLength();
      }

      @Override
      public String contentType() {
        return body.contentType();
      }

      @Override
      public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
        new InputStreamPublisher(() -> body.contentStreamProvider().newStream(), executor, () -> { })
            .subscribe(subscriber);
      }
    };
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
    return await(async.putObject(request, asyncBody(body)));
  }

  @Override
  public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    return await(async.uploadPart(request, asyncBody(body)));
  }

  @Override
  public <ReturnT> ReturnT getObject(GetObjectRequest request,
      ResponseTransformer<GetObjectResponse, ReturnT> transformer) {
    // The SDK's blocking stream buffers up to 4 MiB ahead of its reader; this one holds at most eight of its buffers.
    ResponsePublisher<GetObjectResponse> response = await(async.getObject(request,
        AsyncResponseTransformer.toPublisher()));
    PublisherInputStream body = new PublisherInputStream(response);
    Abortable abort = body::abort;
    InFlight.register(abort);
    try {
      ReturnT result = transformer.transform(response.response(), AbortableInputStream.create(body, abort));
      if (!transformer.needsConnectionLeftOpen()) {
        body.close();
        InFlight.unregister(abort);
      }
      return result;
    } catch (Exception e) {
      body.abort();
      InFlight.unregister(abort);
      throw e instanceof RuntimeException r ? r : unwrap(e);
    }
  }

  @Override
  public HeadObjectResponse headObject(HeadObjectRequest request) {
    return await(async.headObject(request));
  }

  @Override
  public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
    return await(async.createMultipartUpload(request));
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
    return await(async.completeMultipartUpload(request));
  }

  @Override
  public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
    return await(async.abortMultipartUpload(request));
  }

  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
    return await(async.deleteObject(request));
  }

  @Override
  public DeleteObjectsResponse deleteObjects(DeleteObjectsRequest request) {
    return await(async.deleteObjects(request));
  }

  @Override
  public ListPartsResponse listParts(ListPartsRequest request) {
    return await(async.listParts(request));
  }

  @Override
  public CopyObjectResponse copyObject(CopyObjectRequest request) {
    return await(async.copyObject(request));
  }

  @Override
  public S3ServiceClientConfiguration serviceClientConfiguration() {
    return async.serviceClientConfiguration();
  }

  @Override
  public String serviceName() {
    return async.serviceName();
  }

  @Override
  public void close() {
    async.close();
  }
}
