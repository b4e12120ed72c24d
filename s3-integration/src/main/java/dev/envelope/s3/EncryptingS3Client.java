package dev.envelope.s3;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.s3.internal.BoundedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
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

/**
 * An {@link software.amazon.awssdk.services.s3.S3Client} that encrypts objects on the way up and decrypts them on
 * the way down; every other operation goes to the wrapped client unchanged. Built with {@link #builder()}.
 *
 * <p>Formats ({@link ObjectFormat}): objects are written in the configured format and every format is read,
 * detected from the object's metadata or instruction file. The encryption context binds each object to its
 * bucket and key ({@value #BUCKET_CONTEXT_KEY}, {@value #KEY_CONTEXT_KEY}), plus whatever the caller adds with
 * {@link #withEncryptionContext(Map)}: an object moved to another key without {@link #copyObject} fails to
 * decrypt. The S3EC formats can bind the context only under KMS wrapping (raw-key wrapping has no context).
 *
 * <p>Request bodies: the SDK may read a body more than once (payload signing, retries). Every read produces the
 * same ciphertext and is checked to come from the same plaintext before any of it is sent, so no key and IV ever
 * encrypts two different plaintexts; a body that reads differently fails the request.
 *
 * <p>Reads: framed objects release each frame's plaintext after its tag verifies; S3EC objects are released only
 * after their GCM tag verifies (unless delayed authentication is chosen). If a read of the returned stream throws,
 * discard everything read from it. Memory is bounded whatever the object size.
 *
 * <p>Audit: one event per object operation, with resource {@code s3://bucket/key}, recorded after S3 answered.
 * A sink that fails on a successful write fails the call with {@link dev.envelope.core.audit.AuditSinkException}
 * in every format, and the object is stored. Thread-safe: build one and share it.
 *
 * <p>Layout: this class routes; {@link FramedObjects}, {@link S3ecObjectWriter} and {@link S3ecObjectReader}
 * hold the formats, {@link MultipartUploads}, {@link ParallelUpload}, {@link ParallelDownload} and
 * {@link ObjectCopy} the operations that span requests.
 */
public final class EncryptingS3Client extends DelegatingS3Client {
  /** Context entry binding an object to its bucket. */
  public static final String BUCKET_CONTEXT_KEY = "s3:bucket";
  /** Context entry binding an object to its key. */
  public static final String KEY_CONTEXT_KEY = "s3:key";
  /** Object metadata marking the framed format, and its value. */
  public static final String FORMAT_METADATA = "envelope-format";
  public static final String FRAMED_FORMAT_VALUE = "esdk-framed-1";
  /** Object metadata with the plaintext length (a hint for HEAD; reads derive it from authenticated data). */
  public static final String PLAINTEXT_LENGTH_METADATA = "envelope-plaintext-length";
  /** S3's user-metadata budget. */
  public static final int METADATA_BUDGET = 2048;
  /** Default plaintext held in memory while an S3EC object's GCM tag is checked: 16 MiB (the rest spills). */
  public static final long DEFAULT_AUTHENTICATION_BUFFER_SIZE = 16L << 20;

  static final ExecutionAttribute<Map<String, String>> CONTEXT_ATTRIBUTE =
      new ExecutionAttribute<>("dev.envelope.s3.encryptionContext");

  private final ClientSettings settings;
  private final ObjectWriter writer;
  private final ObjectReaders readers;
  private final MultipartUploads multipart;
  private final ObjectCopy copy;
  private final ObjectDeletes deletes;
  private final ParallelDownload download;

  EncryptingS3Client(ClientSettings settings) {
    super(settings.s3());
    this.settings = settings;
    this.multipart = new MultipartUploads(settings);
    FramedObjects framed = new FramedObjects(settings, new ParallelUpload(settings, multipart));
    this.writer = ObjectWriter.forFormat(settings, framed);
    this.readers = new ObjectReaders(settings, framed);
    this.download = new ParallelDownload(settings, framed, this);
    this.copy = new ObjectCopy(settings, this);
    this.deletes = new ObjectDeletes(settings);
  }

  public static EncryptingS3ClientBuilder builder() {
    return new EncryptingS3ClientBuilder();
  }

  /** A builder holding this client's settings, to build a variant of it. */
  public EncryptingS3ClientBuilder toBuilder() {
    return new EncryptingS3ClientBuilder(settings);
  }

  /**
   * Adds encryption context to one request: {@code s3.putObject(b -> b.bucket(B).key(K)
   * .overrideConfiguration(EncryptingS3Client.withEncryptionContext(Map.of("tenant", "t1"))), body)}. The same
   * context must be given to read the object back.
   */
  public static Consumer<AwsRequestOverrideConfiguration.Builder> withEncryptionContext(Map<String, String> context) {
    Map<String, String> copy = Map.copyOf(context);
    return b -> b.putExecutionAttribute(CONTEXT_ATTRIBUTE, copy);
  }

  /**
   * The bucket name objects reached through {@code bucket} are bound to ({@value #BUCKET_CONTEXT_KEY}): the ARN of
   * an access point declared with {@link EncryptingS3ClientBuilder#accessPoint}, whichever of its names is given;
   * any other name as it is. A stable name for archives and checkpoints too.
   */
  public String boundBucketName(String bucket) {
    return settings.bucketNames().boundName(bucket);
  }

  /**
   * The encryption context this client binds an object to: {@value #BUCKET_CONTEXT_KEY} and {@value #KEY_CONTEXT_KEY}.
   * A framed message written elsewhere with this context (a file written to a mounted FSx volume with
   * {@link dev.envelope.core.Envelope}, whose suite and frame length this client reads) reads through the client.
   */
  public Map<String, String> encryptionContextFor(String bucket, String key) {
    return Map.copyOf(settings.boundContext(bucket, key, Optional.empty()));
  }

  /** The sink this client records its audit events to (adapters built on it record theirs there too). */
  public AuditSink auditSink() {
    return settings.audit().sink();
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
    if (request.writeOffsetBytes() != null) {
      throw new UnsupportedOperationException("putObject with writeOffsetBytes appends to an existing object; an "
          + "encrypted object is one message and cannot grow in place. Write the whole object again");
    }
    long length = body.optionalContentLength().orElseThrow(() -> new IllegalArgumentException(
        "putObject needs a body of known length; use upload(request, stream, length) or upload(request, path)"));
    return put(request, () -> body.contentStreamProvider().newStream(), length);
  }

  private PutObjectResponse put(PutObjectRequest request, ContentSource source, long length) {
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    return writer.put(request, S3Requests.withoutChecksums(request.toBuilder()), source, length, context);
  }

  @Override
  public <ReturnT> ReturnT getObject(GetObjectRequest request,
      ResponseTransformer<GetObjectResponse, ReturnT> transformer) {
    Decrypted decrypted = request.range() != null ? getRange(request) : getWhole(request);
    try {
      ReturnT result = transformer.transform(S3Requests.plaintextResponse(decrypted.response()),
          AbortableInputStream.create(decrypted.stream()));
      if (!transformer.needsConnectionLeftOpen()) {
        // As the SDK does: a transformer that consumed the stream is done with it; closing releases the connection
        // and records the ranged read.
        decrypted.stream().close();
      }
      return result;
    } catch (RuntimeException e) {
      S3Requests.closeQuietly(decrypted.stream());
      throw e;
    } catch (IOException e) {
      S3Requests.closeQuietly(decrypted.stream());
      throw new UncheckedIOException(e);
    } catch (Exception e) { // a transformer may throw anything
      S3Requests.closeQuietly(decrypted.stream());
      throw new UncheckedIOException(new IOException(e));
    }
  }

  private Decrypted getWhole(GetObjectRequest request) {
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(request);
    try {
      return readers.forObject(request.bucket(), request.key(), in.response().metadata()).read(request, in, context);
    } catch (RuntimeException e) {
      S3Requests.closeQuietly(in);
      throw e;
    }
  }

  private Decrypted getRange(GetObjectRequest request) {
    Map<String, String> context = settings.boundContext(request.bucket(), request.key(),
        request.overrideConfiguration());
    HeadObjectResponse head = settings.s3().headObject(HeadObjectRequest.builder().bucket(request.bucket())
        .key(request.key()).versionId(request.versionId()).ifMatch(request.ifMatch()).build());
    // Every GET below is pinned to the object the HEAD described: were it replaced in between, the frames and
    // the length would belong to different objects. S3 answers 412 PreconditionFailed to a changed ETag.
    GetObjectRequest pinned = head.eTag() == null ? request : request.toBuilder().ifMatch(head.eTag()).build();
    return readers.forObject(request.bucket(), request.key(), head.metadata()).readRange(pinned, head, context);
  }

  @Override
  public HeadObjectResponse headObject(HeadObjectRequest request) {
    AuditRecorder.Recording audit = settings.auditFor(request.bucket(), request.key())
        .start(AuditEvent.Operation.HEAD, Map.of());
    HeadObjectResponse response;
    try {
      response = settings.s3().headObject(request);
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
    audit.success(0);
    return FramedObjects.plaintextLengthHint(response.metadata())
        .map(n -> response.toBuilder().contentLength(n).build()).orElse(response);
  }

  /** Deletes the object and its instruction file, if any. */
  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
    return deletes.delete(request);
  }

  /**
   * Deletes the objects and their instruction files, as the S3 Encryption Client does; the response lists the
   * objects only, and each object gets one DELETE audit event.
   */
  @Override
  public DeleteObjectsResponse deleteObjects(DeleteObjectsRequest request) {
    return deletes.delete(request);
  }

  /**
   * Copies an object so that it stays decryptable: server-side to the same bucket and key, else re-encrypted for
   * its new bucket and key through this client. User metadata is copied unless the request says {@code REPLACE}.
   */
  @Override
  public CopyObjectResponse copyObject(CopyObjectRequest request) {
    return copy.copy(request);
  }

  /**
   * Refused: a rename moves the object without re-encrypting it, so a framed object (bound to its key) would no
   * longer decrypt and an instruction file would stay behind.
   */
  @Override
  public RenameObjectResponse renameObject(RenameObjectRequest request) {
    throw new UnsupportedOperationException("renameObject would move " + S3Requests.resource(request.bucket(),
        request.renameSource()) + " without re-encrypting it: objects are bound to their key. Use copyObject (which "
        + "re-encrypts for the new key), then deleteObject");
  }

  /** Refused: an annotation is content stored with the object, and this client would store it unencrypted. */
  @Override
  public PutObjectAnnotationResponse putObjectAnnotation(PutObjectAnnotationRequest request, RequestBody body) {
    throw new UnsupportedOperationException("putObjectAnnotation would store its content unencrypted next to an "
        + "encrypted object; if the annotation may be stored in the clear, send it with the wrapped client");
  }

  /** Refused: content sent through an encrypting client would leave it unencrypted. */
  @Override
  public WriteGetObjectResponseResponse writeGetObjectResponse(WriteGetObjectResponseRequest request,
      RequestBody body) {
    throw new UnsupportedOperationException("writeGetObjectResponse sends content unencrypted; send it with the "
        + "wrapped client");
  }

  /** Refused: a server-side copy of a byte range into a part would mix messages. */
  @Override
  public UploadPartCopyResponse uploadPartCopy(UploadPartCopyRequest request) {
    throw new UnsupportedOperationException("uploadPartCopy cannot keep encrypted objects decryptable; use "
        + "copyObject, or download and upload");
  }

  /**
   * Starts a multipart upload in the framed format. Every part but the last must hold exactly
   * {@link EncryptingS3ClientBuilder#partSize} plaintext bytes; parts may be uploaded in any order, in parallel,
   * and again. The upload's keys live in this client's memory until complete or abort.
   */
  @Override
  public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
    return multipart.create(request);
  }

  /**
   * Encrypts and uploads one part. A part shorter than the part size, or marked {@code SdkPartType.LAST}, is the
   * last part. The body may be read more than once (retries); it must give the same bytes each time.
   */
  @Override
  public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    return multipart.uploadPart(request, body);
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
    return multipart.complete(request);
  }

  @Override
  public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
    return multipart.abort(request);
  }

  /**
   * Uploads a file of any size: one PUT up to the multipart threshold, else a parallel multipart upload (whose
   * answer is returned as a PUT's).
   */
  public PutObjectResponse upload(PutObjectRequest request, Path file) throws IOException {
    long length = Files.size(file);
    if (length <= settings.multipartThreshold()) {
      return put(request, () -> Files.newInputStream(file), length);
    }
    settings.checkPartCount(length);
    return S3Requests.asPutResponse(writer.putInParts(request, length, (offset, partLength) -> () -> {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(offset);
      return new BoundedInputStream(Channels.newInputStream(channel), partLength);
    }, null));
  }

  /**
   * Uploads {@code length} bytes read from {@code in} (not closed). Above the multipart threshold, parts are read
   * one after another and uploaded in parallel (framed format): memory is at most {@code parallelism} parts.
   */
  public PutObjectResponse upload(PutObjectRequest request, InputStream in, long length) throws IOException {
    if (length <= settings.multipartThreshold()) {
      byte[] all = in.readNBytes((int) length);
      if (all.length != length) {
        throw new IOException("Stream ended after " + all.length + " of " + length + " bytes");
      }
      return put(request, () -> new ByteArrayInputStream(all), length);
    }
    settings.checkPartCount(length);
    return S3Requests.asPutResponse(writer.putInParts(request, length, null, in));
  }

  /**
   * Downloads and decrypts an object to {@code file}: written to a temporary file beside it and moved into place
   * only once the whole object decrypted and authenticated, so a failed download leaves no partial plaintext.
   *
   * <p>A framed object larger than {@link EncryptingS3ClientBuilder#downloadRangeSize} is fetched in frame-aligned
   * ranges, {@link EncryptingS3ClientBuilder#parallelism} at a time, after one HEAD: its data key is unwrapped
   * once, every request is pinned to the ETag the HEAD saw (a replaced object fails with
   * {@link ObjectChangedException}), each frame is authenticated before it is written, and memory is one frame
   * per range in flight. Other objects are read in one stream, pinned the same way.
   */
  public GetObjectResponse download(GetObjectRequest request, Path file) throws IOException {
    return download.toFile(request, file);
  }

  /**
   * As {@link #download(GetObjectRequest, Path)}, to {@code out} (not closed) in order, with at most
   * {@code parallelism} ranges in memory. A failure part way leaves what was written before it: discard it.
   */
  public GetObjectResponse download(GetObjectRequest request, OutputStream out) throws IOException {
    return download.toStream(request, out);
  }

  /** Uploads of files that survive their process, resumed from a checkpoint (framed format). */
  public ResumableUploader resumableUploader() {
    return new ResumableUploader(settings);
  }

  ClientSettings settings() {
    return settings;
  }

  /** Forgets the keys of multipart uploads in progress and closes the wrapped client. */
  @Override
  public void close() {
    multipart.close();
    settings.s3().close();
  }
}
