package dev.envelope.s3;

import dev.envelope.s3.internal.InputStreamPublisher;
import dev.envelope.s3.internal.PublisherInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
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
import software.amazon.awssdk.services.s3.model.PutObjectAnnotationRequest;
import software.amazon.awssdk.services.s3.model.PutObjectAnnotationResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.RenameObjectRequest;
import software.amazon.awssdk.services.s3.model.RenameObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.model.WriteGetObjectResponseRequest;
import software.amazon.awssdk.services.s3.model.WriteGetObjectResponseResponse;
import software.amazon.awssdk.services.s3.presignedurl.AsyncPresignedUrlExtension;

/**
 * An {@link S3AsyncClient} that encrypts objects on the way up and decrypts them on the way down, decorating any
 * async client (Netty-based, or the CRT-based client); every other operation goes to the wrapped client unchanged.
 * Built with {@code EncryptingS3Client.builder()...buildAsync(s3AsyncClient)}: the same settings, formats,
 * metadata and instruction-file rules, ranged reads, audit events and errors as {@link EncryptingS3Client}, which
 * does the work (the two share one implementation, so they cannot drift apart).
 *
 * <p>Threads: no call blocks the caller or the SDK's event-loop threads. The encryption work runs on this client's
 * own pool of daemon threads (one per call in flight, plus one per body being sent), which blocks where the sync
 * client would block; the pool grows with the calls in flight and is shut down by {@link #close()}.
 *
 * <p>Back-pressure: a request body is read only as fast as S3 takes the ciphertext (bodies up to 1 MiB are
 * encrypted into memory first), a response body is fetched only as fast as the caller's transformer asks for
 * plaintext; at most eight of the SDK's buffers, a frame and a 64 KiB chunk are held per response, whatever its
 * size. Cancelling a {@code getObject} (its future, or the subscription of the
 * plaintext stream) aborts its S3 responses, which releases their connections.
 *
 * <p>Large bodies: a {@code putObject} above {@link EncryptingS3ClientBuilder#multipartThreshold} is sent as a
 * parallel multipart upload ({@code parallelism} parts of {@code partSize} in memory at most), which is what makes
 * the SDK's {@code S3TransferManager} over this client upload in parallel parts.
 * {@link #download(GetObjectRequest, Path)} downloads framed objects in parallel ranges. Thread-safe.
 */
public final class EncryptingS3AsyncClient extends DelegatingS3AsyncClient {
  private final EncryptingS3Client sync;
  private final ClientSettings settings;
  private final ExecutorService executor;

  EncryptingS3AsyncClient(S3AsyncClient wrapped, EncryptingS3Client sync, ClientSettings settings,
      ExecutorService executor) {
    super(wrapped);
    this.sync = sync;
    this.settings = settings;
    this.executor = executor;
  }

  /** The synchronous client over the same settings and wrapped client, for code that wants to block. */
  public EncryptingS3Client synchronousClient() {
    return sync;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws IOException;
  }

  /** Runs {@code work} on this client's pool; cancelling the returned future aborts the call's S3 responses. */
  private <T> CompletableFuture<T> run(Work<T> work) {
    InFlight call = new InFlight();
    CompletableFuture<T> result = new CompletableFuture<>();
    result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        call.abort();
      }
    });
    try {
      call.executor(executor).execute(() -> {
        try {
          result.complete(work.run());
        } catch (IOException e) {
          result.completeExceptionally(new UncheckedIOException(e));
        } catch (RuntimeException | Error e) {
          result.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("EncryptingS3AsyncClient is closed", e));
    }
    return result;
  }

  /** The caller's plaintext body as a blocking stream source, subscribed to afresh on each open (retries). */
  private static ContentSource plaintext(AsyncRequestBody body) {
    return () -> new PublisherInputStream(body);
  }

  private static long knownLength(AsyncRequestBody body, String operation) {
    return body.contentLength().orElseThrow(() -> new IllegalArgumentException(operation + " needs a body of "
        + "known length (AsyncRequestBody.fromBytes, fromFile, or fromPublisher with a length): the framed "
        + "format's header and the S3 request both state it before the first byte is sent"));
  }

  /**
   * Encrypts and stores the body: one PUT up to the multipart threshold, a parallel multipart upload above it.
   * The body may be subscribed to more than once (SDK retries) and must give the same bytes each time.
   */
  @Override
  public CompletableFuture<PutObjectResponse> putObject(PutObjectRequest request, AsyncRequestBody body) {
    long length;
    try {
      length = knownLength(body, "putObject");
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    ContentSource source = plaintext(body);
    return run(() -> {
      if (length <= settings.multipartThreshold() || request.writeOffsetBytes() != null) {
        return sync.putObject(request, RequestBody.fromContentProvider(() -> S3Requests.open(source), length,
            body.contentType()));
      }
      try (var in = source.open()) {
        return sync.upload(request, in, length);
      }
    });
  }

  /**
   * Decrypts the object into {@code transformer}. The plaintext is published as it is decrypted and
   * authenticated, at the pace the transformer requests it.
   */
  @Override
  public <ReturnT> CompletableFuture<ReturnT> getObject(GetObjectRequest request,
      AsyncResponseTransformer<GetObjectResponse, ReturnT> transformer) {
    CompletableFuture<ReturnT> prepared;
    try {
      prepared = transformer.prepare();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    InFlight call = new InFlight();
    Executor callExecutor = call.executor(executor);
    CompletableFuture<ReturnT> result = new CompletableFuture<>();
    prepared.whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      }
    });
    result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        call.abort();
      }
    });
    try {
      callExecutor.execute(() -> {
        ResponseInputStream<GetObjectResponse> plain;
        try {
          plain = sync.getObject(request);
        } catch (RuntimeException | Error e) {
          transformer.exceptionOccurred(e);
          result.completeExceptionally(e);
          return;
        }
        transformer.onResponse(plain.response());
        InputStreamPublisher publisher = new InputStreamPublisher(() -> plain, callExecutor, call::abort);
        transformer.onStream(SdkPublisher.adapt(subscriber -> publisher.subscribe(
            new FailureReporting(subscriber, transformer))));
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("EncryptingS3AsyncClient is closed", e));
    }
    return result;
  }

  /** Tells the transformer of a stream that failed part way, as the SDK does (a file target is deleted). */
  private static final class FailureReporting implements Subscriber<ByteBuffer> {
    private final Subscriber<? super ByteBuffer> subscriber;
    private final AsyncResponseTransformer<?, ?> transformer;

    FailureReporting(Subscriber<? super ByteBuffer> subscriber, AsyncResponseTransformer<?, ?> transformer) {
      this.subscriber = subscriber;
      this.transformer = transformer;
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscriber.onSubscribe(s);
    }

    @Override
    public void onNext(ByteBuffer buffer) {
      subscriber.onNext(buffer);
    }

    @Override
    public void onError(Throwable t) {
      subscriber.onError(t);
      transformer.exceptionOccurred(t);
    }

    @Override
    public void onComplete() {
      subscriber.onComplete();
    }
  }

  /** As {@link EncryptingS3Client#headObject}: the plaintext length of a framed object, and an audit event. */
  @Override
  public CompletableFuture<HeadObjectResponse> headObject(HeadObjectRequest request) {
    return run(() -> sync.headObject(request));
  }

  /** As {@link EncryptingS3Client#deleteObject}: the instruction file goes too. */
  @Override
  public CompletableFuture<DeleteObjectResponse> deleteObject(DeleteObjectRequest request) {
    return run(() -> sync.deleteObject(request));
  }

  @Override
  public CompletableFuture<DeleteObjectsResponse> deleteObjects(DeleteObjectsRequest request) {
    return run(() -> sync.deleteObjects(request));
  }

  /** As {@link EncryptingS3Client#copyObject}: the copy stays decryptable under its new bucket and key. */
  @Override
  public CompletableFuture<CopyObjectResponse> copyObject(CopyObjectRequest request) {
    return run(() -> sync.copyObject(request));
  }

  @Override
  public CompletableFuture<RenameObjectResponse> renameObject(RenameObjectRequest request) {
    return run(() -> sync.renameObject(request));
  }

  @Override
  public CompletableFuture<PutObjectAnnotationResponse> putObjectAnnotation(PutObjectAnnotationRequest request,
      AsyncRequestBody body) {
    return run(() -> sync.putObjectAnnotation(request, RequestBody.empty()));
  }

  @Override
  public CompletableFuture<WriteGetObjectResponseResponse> writeGetObjectResponse(
      WriteGetObjectResponseRequest request, AsyncRequestBody body) {
    return run(() -> sync.writeGetObjectResponse(request, RequestBody.empty()));
  }

  @Override
  public CompletableFuture<UploadPartCopyResponse> uploadPartCopy(UploadPartCopyRequest request) {
    return run(() -> sync.uploadPartCopy(request));
  }

  /** As {@link EncryptingS3Client#createMultipartUpload}: parts of exactly the part size, in the framed format. */
  @Override
  public CompletableFuture<CreateMultipartUploadResponse> createMultipartUpload(
      CreateMultipartUploadRequest request) {
    return run(() -> sync.createMultipartUpload(request));
  }

  @Override
  public CompletableFuture<UploadPartResponse> uploadPart(UploadPartRequest request, AsyncRequestBody body) {
    long length;
    try {
      length = knownLength(body, "uploadPart");
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    ContentSource source = plaintext(body);
    return run(() -> sync.uploadPart(request, RequestBody.fromContentProvider(() -> S3Requests.open(source), length,
        body.contentType())));
  }

  @Override
  public CompletableFuture<CompleteMultipartUploadResponse> completeMultipartUpload(
      CompleteMultipartUploadRequest request) {
    return run(() -> sync.completeMultipartUpload(request));
  }

  @Override
  public CompletableFuture<AbortMultipartUploadResponse> abortMultipartUpload(AbortMultipartUploadRequest request) {
    return run(() -> sync.abortMultipartUpload(request));
  }

  /**
   * Refused: a presigned URL fetches the stored ciphertext with a plain HTTP client, past this client's
   * decryption (the transfer manager's {@code downloadFileWithPresignedUrl} would write ciphertext to the file).
   */
  @Override
  public AsyncPresignedUrlExtension presignedUrlExtension() {
    throw new UnsupportedOperationException("A presigned download would return the encrypted bytes as they are "
        + "stored: use getObject or download of this client, or presign with the wrapped client and decrypt the "
        + "downloaded message with Envelope");
  }

  /** As {@link EncryptingS3Client#upload(PutObjectRequest, Path)}. */
  public CompletableFuture<PutObjectResponse> upload(PutObjectRequest request, Path file) {
    return run(() -> sync.upload(request, file));
  }

  /** As {@link EncryptingS3Client#download(GetObjectRequest, Path)}: parallel ranges, all or nothing. */
  public CompletableFuture<GetObjectResponse> download(GetObjectRequest request, Path file) {
    return run(() -> sync.download(request, file));
  }

  /** Closes the synchronous side (forgetting multipart keys), the wrapped client, and this client's threads. */
  @Override
  public void close() {
    try {
      sync.close();
    } finally {
      executor.shutdownNow();
    }
  }
}
