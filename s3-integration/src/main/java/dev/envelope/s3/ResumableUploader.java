package dev.envelope.s3;

import dev.envelope.core.PartedEncryption;
import dev.envelope.s3.internal.BoundedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads a file in the framed format as a multipart upload that survives its process: the state needed to go on
 * (upload id, the header with its encrypted data keys, and per part what proves its plaintext) is saved to an
 * {@link UploadCheckpoint}, and an upload interrupted anywhere (a crash, SIGKILL, a lost network) continues in
 * another process with the same call. Obtained from {@link EncryptingS3Client#resumableUploader()}.
 *
 * <p>Why resuming is safe. Parts of one message are encrypted under one key with IVs fixed by their position, so
 * a part encrypted again must come from the same plaintext. Before any byte of a part leaves, the tag of its first
 * frame is saved; a resumed process must reproduce it before it sends that part again. After a part is stored,
 * the digest of all its frames' tags is saved with its ETag; a resumed process keeps the part only if S3 still
 * lists that ETag, and only after encrypting the part again from its file (without sending it) gives the same
 * digest. So a file that changed since is refused instead of yielding an object mixed from two files, or two
 * plaintexts under one key and IV. The part interrupted in flight is checked on its first frame only (what was
 * saved before it left).
 *
 * <p>The resumed upload unwraps the data key from the saved header (one key use, audited as ENCRYPT) and
 * authenticates the header under the request's encryption context: a changed header, or another context, is
 * refused. {@link #abort} deletes the parts and the checkpoint. Thread-safe; one upload per checkpoint at a time.
 */
public final class ResumableUploader {
  private final ClientSettings settings;

  ResumableUploader(ClientSettings settings) {
    this.settings = settings;
  }

  /**
   * Uploads {@code file} to the request's bucket and key, or goes on with the upload {@code checkpoint} holds.
   * On failure the upload and the checkpoint are kept, to be resumed by calling this again (or aborted); on
   * success the checkpoint is cleared.
   *
   * @throws IllegalStateException if the checkpoint holds another upload (another object, size or part size), or
   *     one S3 no longer has
   * @throws IOException if the file changed since the upload began (then abort it), or cannot be read
   */
  public PutObjectResponse upload(PutObjectRequest request, Path file, UploadCheckpoint checkpoint)
      throws IOException {
    if (settings.writeFormat() != ObjectFormat.ENVELOPE_FRAMED) {
      throw new UnsupportedOperationException("Resumable uploads need the framed format, whose parts stand alone; "
          + "this client writes " + settings.writeFormat());
    }
    long length = Files.size(file);
    settings.checkPartCount(length);
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    Optional<String> saved = checkpoint.load();
    UploadState state;
    PartedEncryption parts;
    Map<Integer, Part> listed = Map.of();
    if (saved.isPresent()) {
      state = UploadState.parse(saved.get(), checkpoint);
      checkSameUpload(state, request, length, checkpoint);
      listed = listParts(state, checkpoint);
      parts = settings.envelopeFor(request.bucket(), request.key()).resumePartedEncryption(state.header(), context,
          state.partSize());
    } else {
      parts = settings.envelopeFor(request.bucket(), request.key()).partedEncryption(context, settings.partSize());
      try {
        state = begin(request, length, parts, checkpoint);
      } catch (IOException | RuntimeException e) {
        parts.abort(e);
        parts.close();
        throw e;
      }
    }
    try {
      PutObjectResponse response = uploadParts(request, file, state, parts, listed, checkpoint);
      parts.complete(); // the event: after the object is stored
      checkpoint.clear();
      return response;
    } catch (NoSuchUploadException e) {
      IllegalStateException gone = uploadGone(state, checkpoint, e);
      parts.abort(gone);
      throw gone;
    } catch (IOException | RuntimeException e) {
      parts.abort(e);
      throw e;
    } finally {
      parts.close();
    }
  }

  private UploadState begin(PutObjectRequest request, long length, PartedEncryption parts,
      UploadCheckpoint checkpoint) throws IOException {
    Map<String, String> metadata = FramedObjects.metadata(settings, request.bucket(), request.metadata(),
        request.key(), length);
    String uploadId = settings.s3().createMultipartUpload(S3Requests.multipartUploadFor(request, metadata))
        .uploadId();
    UploadState state = UploadState.start(request.bucket(), request.key(), length, settings.partSize(), uploadId,
        parts.header());
    checkpoint.save(state.json());
    return state;
  }

  private static void checkSameUpload(UploadState state, PutObjectRequest request, long length,
      UploadCheckpoint checkpoint) {
    if (!state.bucket().equals(request.bucket()) || !state.key().equals(request.key()) || state.length() != length) {
      throw new IllegalStateException("The " + checkpoint + " holds the upload of "
          + S3Requests.resource(state.bucket(), state.key()) + " (" + state.length() + " bytes), not of "
          + S3Requests.resource(request.bucket(), request.key()) + " (" + length + " bytes): finish or abort that "
          + "upload first, or use another checkpoint");
    }
  }

  /** The parts S3 holds for the upload, by number, with their ETags and checksums. */
  private Map<Integer, Part> listParts(UploadState state, UploadCheckpoint checkpoint) {
    Map<Integer, Part> parts = new HashMap<>();
    Integer marker = null;
    try {
      while (true) {
        Integer from = marker;
        ListPartsResponse page = settings.s3().listParts(b -> b.bucket(state.bucket()).key(state.key())
            .uploadId(state.uploadId()).partNumberMarker(from));
        for (Part part : page.parts()) {
          parts.put(part.partNumber(), part);
        }
        if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null) {
          return parts;
        }
        marker = page.nextPartNumberMarker();
      }
    } catch (NoSuchUploadException e) {
      throw uploadGone(state, checkpoint, e);
    }
  }

  /** S3 answers NoSuchUpload to ListParts, or (some emulators) only to the next UploadPart. */
  private static IllegalStateException uploadGone(UploadState state, UploadCheckpoint checkpoint,
      NoSuchUploadException e) {
    return new IllegalStateException("Upload " + state.uploadId() + " of " + S3Requests.resource(state.bucket(),
        state.key()) + " in the " + checkpoint + " no longer exists (completed, aborted, or removed by a lifecycle "
        + "rule): clear the checkpoint to upload again", e);
  }

  private PutObjectResponse uploadParts(PutObjectRequest request, Path file, UploadState state,
      PartedEncryption parts, Map<Integer, Part> listed, UploadCheckpoint checkpoint) throws IOException {
    long size = state.partSize();
    long length = state.length();
    int count = (int) Math.max(1, (length + size - 1) / size);
    for (int n = 1; n <= count; n++) {
      int number = n;
      state.firstTag(n).ifPresent(tag -> parts.expectFirstFrameTag(number, tag));
    }
    ExecutorService pool = S3Requests.daemonPool(Math.min(settings.parallelism(), count),
        "envelope-s3-resumable-upload");
    List<Future<CompletedPart>> futures = new ArrayList<>();
    try {
      for (int n = 1; n <= count; n++) {
        PartRange part = new PartRange(n, (n - 1) * size, Math.min(size, length - (n - 1) * size), n == count);
        futures.add(pool.submit(() -> part(request, file, state, parts, listed, checkpoint, part)));
      }
      List<CompletedPart> completed = new ArrayList<>();
      for (Future<CompletedPart> f : futures) {
        completed.add(f.get());
      }
      return S3Requests.asPutResponse(settings.s3().completeMultipartUpload(
          S3Requests.completionFor(request, state.uploadId(), completed)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Upload of " + S3Requests.resource(request.bucket(), request.key()) + " interrupted; "
          + "resume it with the same checkpoint", e);
    } catch (ExecutionException e) {
      throw S3Requests.failureOf(e.getCause());
    } finally {
      for (Future<CompletedPart> f : futures) {
        f.cancel(true);
      }
      pool.shutdownNow();
    }
  }

  private record PartRange(int number, long offset, long length, boolean last) {}

  /** One part: kept if S3 has it and its plaintext is proven the same, else encrypted and sent. */
  private CompletedPart part(PutObjectRequest request, Path file, UploadState state, PartedEncryption parts,
      Map<Integer, Part> listed, UploadCheckpoint checkpoint, PartRange part) throws IOException {
    Optional<UploadState.StoredPart> stored = state.stored(part.number());
    Part inS3 = listed.get(part.number());
    if (stored.isPresent() && inS3 != null && stored.get().eTag().equals(inS3.eTag())) {
      encryptWithoutSending(file, parts, part);
      if (!MessageDigest.isEqual(stored.get().digest(), parts.partDigest(part.number()).orElseThrow())) {
        throw new IOException("Part " + part.number() + " of " + file + " differs from the part the interrupted "
            + "upload of " + S3Requests.resource(request.bucket(), request.key()) + " stored: the file changed "
            + "since. Abort that upload (ResumableUploader.abort) and upload the file again");
      }
      return S3Requests.completedPart(inS3);
    }
    // Seal the first frame alone before anything is sent: a new part's tag is saved before any byte of it leaves
    // this process, and a part sent before must reproduce its saved tag (an IOException here, not inside the SDK,
    // which would retry it).
    try (InputStream first = parts.encryptPart(part.number(), open(file, part), part.length(), part.last())) {
      first.readNBytes((part.number() == 1 ? parts.header().length : 0) + 1);
    }
    if (state.firstTag(part.number()).isEmpty()) {
      state.firstTag(part.number(), parts.firstFrameTag(part.number()).orElseThrow());
      save(checkpoint, state);
    }
    long encrypted = parts.encryptedLength(part.number(), part.length(), part.last());
    UploadPartRequest upload = UploadPartRequest.builder().bucket(request.bucket()).key(request.key())
        .uploadId(state.uploadId()).partNumber(part.number()).contentLength(encrypted)
        .checksumAlgorithm(request.checksumAlgorithm())
        .overrideConfiguration(request.overrideConfiguration().orElse(null)).build();
    UploadPartResponse response = settings.s3().uploadPart(upload, RequestBody.fromContentProvider(() -> parts
        .encryptPart(part.number(), openUnchecked(file, part), part.length(), part.last()), encrypted,
        S3Requests.OCTETS));
    state.stored(part.number(), parts.partDigest(part.number()).orElseThrow(), response.eTag());
    save(checkpoint, state);
    return S3Requests.completedPart(part.number(), response);
  }

  private static void encryptWithoutSending(Path file, PartedEncryption parts, PartRange part) throws IOException {
    try (InputStream in = parts.encryptPart(part.number(), open(file, part), part.length(), part.last())) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  /** Checkpoint writes are serialized: parts finish on several threads. */
  private static synchronized void save(UploadCheckpoint checkpoint, UploadState state) throws IOException {
    checkpoint.save(state.json());
  }

  private static InputStream open(Path file, PartRange part) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    channel.position(part.offset());
    return new BoundedInputStream(Channels.newInputStream(channel), part.length());
  }

  private static InputStream openUnchecked(Path file, PartRange part) {
    try {
      return open(file, part);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Aborts the upload the checkpoint holds: S3 deletes its parts, and the checkpoint is cleared. Nothing is left
   * behind. A checkpoint without an upload is only cleared.
   */
  public void abort(UploadCheckpoint checkpoint) throws IOException {
    Optional<String> saved = checkpoint.load();
    if (saved.isPresent()) {
      UploadState state = UploadState.parse(saved.get(), checkpoint);
      try {
        settings.s3().abortMultipartUpload(b -> b.bucket(state.bucket()).key(state.key())
            .uploadId(state.uploadId()));
      } catch (NoSuchUploadException gone) {
        // already completed or aborted: nothing left in S3
      }
    }
    checkpoint.clear();
  }
}
