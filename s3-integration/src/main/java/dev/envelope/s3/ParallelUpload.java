package dev.envelope.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.SdkPartType;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * A framed object uploaded in parts, {@code parallelism} at a time, through {@link MultipartUploads}. From a file,
 * each part reads its own range; from a stream, parts are read in order into buffers of the part size, so memory
 * is at most {@code parallelism} parts. The first failed part aborts the upload: nothing is left behind.
 */
final class ParallelUpload {
  private final ClientSettings settings;
  private final MultipartUploads multipart;

  ParallelUpload(ClientSettings settings, MultipartUploads multipart) {
    this.settings = settings;
    this.multipart = multipart;
  }

  CompleteMultipartUploadResponse upload(PutObjectRequest request, long length, PartSource seekable,
      InputStream sequential) throws IOException {
    long size = settings.partSize();
    String uploadId = multipart.create(S3Requests.multipartUploadFor(request, request.metadata())).uploadId();
    int count = (int) Math.max(1, (length + size - 1) / size);
    ExecutorService pool = S3Requests.daemonPool(Math.min(settings.parallelism(), count), "envelope-s3-upload");
    Semaphore buffers = new Semaphore(settings.parallelism());
    List<Future<CompletedPart>> futures = new ArrayList<>();
    try {
      for (int p = 1; p <= count; p++) {
        int partNumber = p;
        long offset = (p - 1) * size;
        long partLength = Math.min(size, length - offset);
        ContentSource source;
        if (seekable != null) {
          source = seekable.part(offset, partLength);
        } else {
          buffers.acquire();
          byte[] buffer = new byte[(int) partLength]; // exactly one part: readNBytes would copy it once more
          int filled = sequential.readNBytes(buffer, 0, buffer.length);
          if (filled != partLength) {
            buffers.release();
            throw new IOException("Stream ended after " + (offset + filled) + " of " + length + " bytes");
          }
          source = () -> new ByteArrayInputStream(buffer);
        }
        futures.add(pool.submit(() -> {
          try {
            UploadPartRequest part = UploadPartRequest.builder().bucket(request.bucket()).key(request.key())
                .uploadId(uploadId).partNumber(partNumber).checksumAlgorithm(request.checksumAlgorithm())
                .sdkPartType(partNumber == count ? SdkPartType.LAST : SdkPartType.DEFAULT).build();
            RequestBody body = RequestBody.fromContentProvider(() -> S3Requests.open(source), partLength,
                S3Requests.OCTETS);
            return S3Requests.completedPart(partNumber, multipart.uploadPart(part, body));
          } finally {
            if (seekable == null) {
              buffers.release();
            }
          }
        }));
        failFast(futures);
      }
      List<CompletedPart> completed = new ArrayList<>();
      for (Future<CompletedPart> f : futures) {
        completed.add(f.get());
      }
      return multipart.complete(S3Requests.completionFor(request, uploadId, completed));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abortQuietly(request, uploadId, futures);
      throw new IOException("Upload of " + S3Requests.resource(request.bucket(), request.key()) + " interrupted; "
          + "aborted", e);
    } catch (ExecutionException e) {
      abortQuietly(request, uploadId, futures);
      throw S3Requests.failureOf(e.getCause());
    } catch (IOException | RuntimeException e) {
      abortQuietly(request, uploadId, futures);
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void failFast(List<Future<CompletedPart>> futures) throws ExecutionException, InterruptedException {
    for (Future<CompletedPart> f : futures) {
      if (f.isDone()) {
        f.get(); // rethrows a failed part's error now, not after reading the rest of the input
      }
    }
  }

  private void abortQuietly(PutObjectRequest request, String uploadId, List<Future<CompletedPart>> futures) {
    for (Future<CompletedPart> f : futures) {
      f.cancel(true);
    }
    try {
      multipart.abort(AbortMultipartUploadRequest.builder().bucket(request.bucket()).key(request.key())
          .uploadId(uploadId).build());
    } catch (RuntimeException ignored) {
      // the original failure matters more; a lifecycle rule cleans up what an abort could not
    }
  }
}
