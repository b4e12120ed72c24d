package dev.envelope.s3;

import dev.envelope.core.RangeDecryptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A whole object downloaded in frame-aligned ranges, {@code parallelism} at a time. The data key is unwrapped
 * once (one {@link RangeDecryptor}); every range GET is pinned to the ETag the first HEAD saw, so a replaced
 * object fails the download instead of mixing in; each frame is authenticated before its bytes are written, and
 * the last range checks the final frame, so together the ranges authenticate the whole message.
 *
 * <p>To a file, ranges are written in place into a temporary file beside the target, moved over it only when all
 * succeeded: memory is one frame and one copy buffer per range in flight. To a stream, ranges are written in
 * order: memory is at most {@code parallelism} ranges. Objects the framed format's ranges cannot serve (S3EC
 * formats, signed suites, objects of at most one range, a request for a range) are read in one pinned stream.
 */
final class ParallelDownload {
  private static final int COPY_BUFFER = 64 * 1024;

  private final ClientSettings settings;
  private final FramedObjects framed;
  private final EncryptingS3Client client;

  ParallelDownload(ClientSettings settings, FramedObjects framed, EncryptingS3Client client) {
    this.settings = settings;
    this.framed = framed;
    this.client = client;
  }

  GetObjectResponse toFile(GetObjectRequest request, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".part");
    try {
      GetObjectResponse response;
      try (Plan plan = plan(request)) {
        response = plan.ranged() ? inPlace(plan, temp) : whole(plan, in -> Files.copy(in, temp,
            StandardCopyOption.REPLACE_EXISTING));
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return response;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  GetObjectResponse toStream(GetObjectRequest request, OutputStream out) throws IOException {
    try (Plan plan = plan(request)) {
      return plan.ranged() ? inOrder(plan, out) : whole(plan, in -> in.transferTo(out));
    }
  }

  /**
   * What the first HEAD and the header's ranged GET decided: the request pinned to one ETag, and for a ranged
   * download the decryptor and the plaintext length.
   */
  private record Plan(GetObjectRequest pinned, String eTag, RangeDecryptor decryptor, long objectLength,
      long plaintextLength, long rangeSize) implements AutoCloseable {
    static Plan whole(GetObjectRequest pinned, String eTag) {
      return new Plan(pinned, eTag, null, -1, -1, -1);
    }

    boolean ranged() {
      return decryptor != null;
    }

    int ranges() {
      return (int) ((plaintextLength + rangeSize - 1) / rangeSize);
    }

    long first(int range) {
      return range * rangeSize;
    }

    long last(int range) {
      return Math.min(plaintextLength, (range + 1) * rangeSize) - 1;
    }

    @Override
    public void close() {
      if (decryptor != null) {
        decryptor.close();
      }
    }
  }

  private Plan plan(GetObjectRequest request) {
    if (request.range() != null) {
      return Plan.whole(request, null); // a range is one request already: nothing to pin it against
    }
    HeadObjectResponse head = settings.s3().headObject(headFor(request));
    String eTag = head.eTag();
    GetObjectRequest pinned = eTag == null ? request : request.toBuilder().ifMatch(eTag).build();
    long rangeSize = Math.max(1, settings.downloadRangeSize() / settings.frameLength()) * settings.frameLength();
    long objectLength = head.contentLength();
    boolean framedByMetadata = EncryptingS3Client.FRAMED_FORMAT_VALUE.equals(
        head.metadata().get(EncryptingS3Client.FORMAT_METADATA));
    if (!framedByMetadata || objectLength <= rangeSize) {
      return Plan.whole(pinned, eTag);
    }
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    RangeDecryptor decryptor = translate(pinned, eTag, () -> framed.openRanges(pinned, objectLength, context));
    try {
      long plaintextLength = decryptor.supportsRanges() ? decryptor.plaintextLength(objectLength) : 0;
      if (plaintextLength == 0) { // a signed suite, or a header larger than a range with nothing after it
        decryptor.close();
        return Plan.whole(pinned, eTag);
      }
      return new Plan(pinned, eTag, decryptor, objectLength, plaintextLength, rangeSize);
    } catch (RuntimeException e) {
      decryptor.close();
      throw e;
    }
  }

  private static HeadObjectRequest headFor(GetObjectRequest r) {
    return HeadObjectRequest.builder().bucket(r.bucket()).key(r.key()).versionId(r.versionId()).ifMatch(r.ifMatch())
        .ifNoneMatch(r.ifNoneMatch()).ifModifiedSince(r.ifModifiedSince()).ifUnmodifiedSince(r.ifUnmodifiedSince())
        .sseCustomerAlgorithm(r.sseCustomerAlgorithm()).sseCustomerKey(r.sseCustomerKey())
        .sseCustomerKeyMD5(r.sseCustomerKeyMD5()).requestPayer(r.requestPayer())
        .expectedBucketOwner(r.expectedBucketOwner())
        .overrideConfiguration(r.overrideConfiguration().orElse(null)).build();
  }

  private interface StreamSink {
    void write(InputStream in) throws IOException;
  }

  private GetObjectResponse whole(Plan plan, StreamSink sink) throws IOException {
    GetObjectRequest pinned = plan.pinned();
    try (ResponseInputStream<GetObjectResponse> in = translate(pinned, plan.eTag(),
        () -> client.getObject(pinned))) {
      sink.write(in);
      return in.response(); // through the client: already the plaintext's answer
    }
  }

  /** The ranges of one download; whatever ends it, the ranges stop, and a failure is audited as one. */
  @FunctionalInterface
  private interface RangesWork {
    GetObjectResponse run(Ranges ranges) throws IOException, InterruptedException;
  }

  private GetObjectResponse withRanges(Plan plan, RangesWork work) throws IOException {
    Ranges ranges = new Ranges(plan);
    try {
      return work.run(ranges);
    } catch (InterruptedException e) {
      IOException interrupted = ranges.interrupted(e);
      ranges.failed(interrupted);
      throw interrupted;
    } catch (IOException | RuntimeException | Error e) {
      ranges.failed(e);
      throw e;
    } finally {
      ranges.stop();
    }
  }

  private GetObjectResponse inPlace(Plan plan, Path temp) throws IOException {
    return withRanges(plan, ranges -> {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        CompletionService<GetObjectResponse> done = new ExecutorCompletionService<>(ranges.pool);
        for (int i = 0; i < plan.ranges(); i++) {
          int range = i;
          done.submit(() -> ranges.fetch(range, (buffer, n, position) ->
              writeFully(channel, ByteBuffer.wrap(buffer, 0, n), position)));
        }
        GetObjectResponse first = null;
        for (int i = 0; i < plan.ranges(); i++) {
          GetObjectResponse response = ranges.await(done.take());
          first = first == null ? response : first;
        }
        return ranges.wholeResponse(first);
      }
    });
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long p = position;
    while (buffer.hasRemaining()) {
      p += channel.write(buffer, p);
    }
  }

  private GetObjectResponse inOrder(Plan plan, OutputStream out) throws IOException {
    return withRanges(plan, ranges -> {
      Deque<Future<byte[]>> window = new ArrayDeque<>();
      GetObjectResponse[] first = new GetObjectResponse[1];
      for (int i = 0; i < plan.ranges() && !ranges.halted(); i++) {
        if (window.size() == settings.parallelism()) {
          out.write(ranges.await(window.removeFirst()));
        }
        int range = i;
        window.addLast(ranges.pool.submit(() -> {
          byte[] plaintext = new byte[(int) (plan.last(range) - plan.first(range) + 1)];
          long start = plan.first(range);
          GetObjectResponse response = ranges.fetch(range, (buffer, n, position) ->
              System.arraycopy(buffer, 0, plaintext, (int) (position - start), n));
          if (range == 0) {
            first[0] = response;
          }
          return plaintext;
        }));
      }
      while (!window.isEmpty()) {
        out.write(ranges.await(window.removeFirst()));
      }
      ranges.throwIfHalted(); // defensive: a failed range's future was awaited above, which threw
      return ranges.wholeResponse(first[0]);
    });
  }

  private interface RangeSink {
    void write(byte[] buffer, int length, long plaintextPosition) throws IOException;
  }

  /** The ranges of one download in flight: their pool, their open responses, and how they stop together. */
  private final class Ranges {
    private final Plan plan;
    private final ExecutorService pool;
    private final Set<ResponseInputStream<GetObjectResponse>> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    Ranges(Plan plan) {
      this.plan = plan;
      this.pool = S3Requests.daemonPool(Math.min(settings.parallelism(), plan.ranges()), "envelope-s3-download");
    }

    String resource() {
      return S3Requests.resource(plan.pinned().bucket(), plan.pinned().key());
    }

    /** GETs one range and passes its plaintext, frame by frame as each authenticates, to {@code sink}. */
    GetObjectResponse fetch(int range, RangeSink sink) throws IOException {
      try {
        return fetchOrThrow(range, sink);
      } catch (IOException | RuntimeException | Error e) {
        firstFailure.compareAndSet(null, e); // before halting: the ranges halted by it fail after it
        halt();
        throw e;
      }
    }

    private GetObjectResponse fetchOrThrow(int range, RangeSink sink) throws IOException {
      if (stopped.get()) {
        throw new IOException("Stopped: another range of " + resource() + " failed");
      }
      RangeDecryptor.Span span = plan.decryptor().span(plan.first(range), plan.last(range), plan.objectLength());
      GetObjectRequest pinned = plan.pinned();
      ResponseInputStream<GetObjectResponse> in = translate(pinned, plan.eTag(),
          () -> settings.s3().getObject(pinned.toBuilder().range(span.httpRange()).build()));
      open.add(in);
      try (InputStream plain = plan.decryptor().decrypt(in, span)) {
        byte[] buffer = new byte[COPY_BUFFER];
        long position = plan.first(range);
        int n;
        while (!stopped.get() && (n = plain.readNBytes(buffer, 0, buffer.length)) > 0) {
          sink.write(buffer, n, position);
          position += n;
        }
        if (stopped.get()) {
          in.abort(); // another range failed: release the connection without reading the rest
          throw new IOException("Stopped: another range of " + resource() + " failed");
        }
        return in.response();
      } finally {
        open.remove(in);
      }
    }

    <T> T await(Future<T> future) throws IOException, InterruptedException {
      try {
        return future.get();
      } catch (ExecutionException e) {
        stop();
        // The range awaited may have failed only because another one failed first (a frame that did not
        // authenticate, an object that changed): that first error is the one that explains the failure.
        Optional<? extends Throwable> frame = plan.decryptor().failure();
        throw S3Requests.failureOf(frame.isPresent() ? frame.get() : Optional.ofNullable(firstFailure.get())
            .orElse(e.getCause()));
      }
    }

    IOException interrupted(InterruptedException e) {
      Thread.currentThread().interrupt();
      return new IOException("Download of " + resource() + " interrupted", e);
    }

    /** Stops the ranges, and makes the audit event a failure (not a success with the bytes so far). */
    void failed(Throwable e) {
      stop();
      plan.decryptor().abort(e);
    }

    /**
     * Halts every range, from any thread: those in flight have their connections aborted (not drained), those
     * not begun fail at once. The pool stays up for the caller, which may still be submitting.
     */
    void halt() {
      if (stopped.compareAndSet(false, true)) {
        for (ResponseInputStream<GetObjectResponse> in : open) {
          in.abort();
        }
      }
    }

    boolean halted() {
      return stopped.get();
    }

    void throwIfHalted() throws IOException {
      Throwable first = firstFailure.get();
      if (stopped.get()) {
        throw S3Requests.failureOf(first != null ? first
            : new IOException("Download of " + resource() + " stopped"));
      }
    }

    /** Halts the ranges and shuts the pool down: the caller's thread only, once it submits no more. */
    void stop() {
      halt();
      pool.shutdownNow();
    }

    GetObjectResponse wholeResponse(GetObjectResponse first) {
      return S3Requests.plaintextResponse(first.toBuilder().contentLength(plan.plaintextLength()).contentRange(null)
          .build());
    }
  }

  /** Runs an S3 call of the download, naming the object when S3 says it changed since the download began. */
  private static <T> T translate(GetObjectRequest request, String eTag, S3Call<T> call) {
    try {
      return call.run();
    } catch (S3Exception e) {
      if (e.statusCode() == 412 && eTag != null) {
        throw new ObjectChangedException(S3Requests.resource(request.bucket(), request.key()) + " changed while it "
            + "was downloaded (its ETag was " + eTag + " when the download began): nothing of it was returned; "
            + "download it again", e);
      }
      throw e;
    }
  }

  private interface S3Call<T> {
    T run();
  }
}
