package dev.envelope.s3;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.DecryptingInputStream;
import dev.envelope.core.Envelope;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PartedEncryption;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.RangeDecryptor;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.spi.Auditor;
import dev.envelope.core.spi.SecureRandoms;
import dev.envelope.core.spi.Utf8;
import dev.envelope.s3.internal.AuditedInputStream;
import dev.envelope.s3.internal.ByteRange;
import dev.envelope.s3.internal.JsonMaps;
import dev.envelope.s3.internal.ReplayGuardInputStream;
import dev.envelope.s3.internal.S3Audit;
import dev.envelope.s3.internal.S3ecCrypto;
import dev.envelope.s3.internal.S3ecMetadata;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectAnnotationRequest;
import software.amazon.awssdk.services.s3.model.PutObjectAnnotationResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.RenameObjectRequest;
import software.amazon.awssdk.services.s3.model.RenameObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.SdkPartType;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.model.WriteGetObjectResponseRequest;
import software.amazon.awssdk.services.s3.model.WriteGetObjectResponseResponse;

/**
 * An {@link S3Client} that encrypts objects on the way up and decrypts them on the way down; every other
 * operation goes to the wrapped client unchanged.
 *
 * <pre>{@code
 * S3Client s3 = EncryptingS3Client.builder()
 *     .wrappedClient(S3Client.create())
 *     .keyring(KmsKeyring.create(kms, keyArn))                  // the framed format (default)
 *     .s3ecKeyring(KmsS3ecKeyring.create(kms, keyArn))          // S3 Encryption Client formats
 *     .auditSink(JsonLinesAuditSink.toFile(Path.of("audit.jsonl")))
 *     .build();
 * s3.putObject(b -> b.bucket("docs").key("a.pdf"), RequestBody.fromFile(path));
 * }</pre>
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
 * <p>Reads: framed objects release each frame's plaintext after its tag verifies; S3EC objects are decrypted with
 * bounded memory and their last chunk is released only after the GCM tag verifies. If a read of the returned
 * stream throws, discard everything read from it. Memory is bounded whatever the object size.
 *
 * <p>One audit event per object operation, with resource {@code s3://bucket/key}. Thread-safe: share one.
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
      new ExecutionAttribute<>("dev.envelope.s3.EncryptionContext");
  private static final String INSTRUCTION_SUFFIX = ".instruction";
  private static final String OCTETS = "application/octet-stream";

  private final S3Client s3;
  private final Envelope envelope;
  private final Keyring keyring;
  private final CryptoMaterialsManager materialsManager;
  private final int frameLength;
  private final List<S3ecKeyring> s3ecKeyrings;
  private final ObjectFormat writeFormat;
  private final MetadataLocation metadataLocation;
  private final boolean legacyModes;
  private final boolean unauthenticatedRangedReads;
  private final boolean plaintextReads;
  private final CommitmentPolicy s3ecCommitmentPolicy;
  private final boolean s3ecLocationBinding;
  private final boolean delayedAuthentication;
  private final long authenticationBufferSize;
  private final Path spillDirectory;
  private final int maxEncryptedDataKeys;
  private final long partSize;
  private final long multipartThreshold;
  private final int parallelism;
  private final Auditor auditor;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

  private EncryptingS3Client(Builder b) {
    super(b.wrappedClient);
    this.s3 = b.wrappedClient;
    this.envelope = b.envelope;
    this.keyring = b.keyring;
    this.materialsManager = b.materialsManager;
    this.frameLength = b.frameLength;
    this.s3ecKeyrings = List.copyOf(b.s3ecKeyrings);
    this.writeFormat = b.writeFormat;
    this.metadataLocation = b.metadataLocation;
    this.legacyModes = b.legacyModes;
    this.unauthenticatedRangedReads = b.unauthenticatedRangedReads;
    this.plaintextReads = b.plaintextReads;
    this.s3ecCommitmentPolicy = b.s3ecCommitmentPolicy;
    this.s3ecLocationBinding = b.s3ecLocationBinding;
    this.delayedAuthentication = b.delayedAuthentication;
    this.authenticationBufferSize = b.authenticationBufferSize;
    this.spillDirectory = b.spillDirectory;
    this.maxEncryptedDataKeys = b.maxEncryptedDataKeys;
    this.partSize = b.partSize;
    this.multipartThreshold = b.multipartThreshold;
    this.parallelism = b.parallelism;
    this.auditor = new Auditor(b.auditSink, b.contextInAudit, null);
  }

  public static Builder builder() {
    return new Builder();
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

  // ---------------------------------------------------------------- context and resources

  private static String resource(String bucket, String key) {
    return "s3://" + bucket + "/" + key;
  }

  private static Map<String, String> userContext(java.util.Optional<AwsRequestOverrideConfiguration> o) {
    return o.map(c -> c.executionAttributes().getAttribute(CONTEXT_ATTRIBUTE)).orElse(Map.of());
  }

  private static Map<String, String> boundContext(String bucket, String key, Map<String, String> user) {
    if (user.containsKey(BUCKET_CONTEXT_KEY) || user.containsKey(KEY_CONTEXT_KEY)) {
      throw new PolicyViolationException("Encryption context keys " + BUCKET_CONTEXT_KEY + " and " + KEY_CONTEXT_KEY
          + " are set by the client from the request's bucket and key");
    }
    Map<String, String> context = new HashMap<>(user);
    context.put(BUCKET_CONTEXT_KEY, bucket);
    context.put(KEY_CONTEXT_KEY, key);
    return context;
  }

  private Envelope envelopeFor(String bucket, String key) {
    if (envelope == null) {
      throw new IllegalStateException("No keyring or materials manager configured: the framed format needs one");
    }
    return envelope.withResource(resource(bucket, key));
  }

  private S3ecKeyring writeKeyring() {
    if (s3ecKeyrings.isEmpty()) {
      throw new IllegalStateException("Writing " + writeFormat + " needs an S3ecKeyring (builder.s3ecKeyring)");
    }
    return s3ecKeyrings.get(0);
  }

  // ---------------------------------------------------------------- put

  @Override
  public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
    if (request.writeOffsetBytes() != null) {
      throw new UnsupportedOperationException("putObject with writeOffsetBytes appends to an existing object; an "
          + "encrypted object is one message and cannot grow in place. Write the whole object again");
    }
    long length = body.optionalContentLength().orElseThrow(() -> new IllegalArgumentException(
        "putObject needs a body of known length; use upload(request, stream, length) or upload(request, path)"));
    ContentSource source = () -> body.contentStreamProvider().newStream();
    return put(request, source, length);
  }

  /** A plaintext that can be read more than once (each read must give the same bytes). */
  @FunctionalInterface
  interface ContentSource {
    InputStream open() throws IOException;
  }

  private PutObjectResponse put(PutObjectRequest request, ContentSource source, long length) {
    Map<String, String> context = boundContext(request.bucket(), request.key(),
        userContext(request.overrideConfiguration()));
    PutObjectRequest.Builder out = stripChecksums(request.toBuilder());
    if (writeFormat == ObjectFormat.ENVELOPE_FRAMED) {
      return putFramed(request, out, source, length, context);
    }
    return putS3ec(request, out, source, length, context);
  }

  private static PutObjectRequest.Builder stripChecksums(PutObjectRequest.Builder b) {
    // Checksums the caller computed describe the plaintext; the SDK computes the ciphertext's.
    return b.contentMD5(null).checksumCRC32(null).checksumCRC32C(null).checksumSHA1(null).checksumSHA256(null)
        .checksumCRC64NVME(null);
  }

  private PutObjectResponse putFramed(PutObjectRequest request, PutObjectRequest.Builder out, ContentSource source,
      long length, Map<String, String> context) {
    Envelope env = envelopeFor(request.bucket(), request.key());
    long partLength = roundUpToFrames(Math.max(length, 1));
    try (PartedEncryption parts = env.partedEncryption(context, partLength)) {
      long encrypted = parts.encryptedLength(1, length, true);
      Map<String, String> metadata = new HashMap<>(request.metadata());
      metadata.put(FORMAT_METADATA, FRAMED_FORMAT_VALUE);
      metadata.put(PLAINTEXT_LENGTH_METADATA, Long.toString(length));
      checkBudget(metadata, request.key());
      RequestBody encryptedBody = RequestBody.fromContentProvider(
          () -> parts.encryptPart(1, open(source), length, true), encrypted, OCTETS);
      try {
        PutObjectResponse response = s3.putObject(out.metadata(metadata).contentLength(encrypted).build(),
            encryptedBody);
        parts.complete();
        return response;
      } catch (RuntimeException e) {
        parts.abort(e);
        throw e;
      }
    }
  }

  private long roundUpToFrames(long length) {
    long frame = frameLength;
    return (length + frame - 1) / frame * frame;
  }

  private static InputStream open(ContentSource source) {
    try {
      return source.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkBudget(Map<String, String> metadata, String key) {
    int size = S3ecMetadata.metadataSize(metadata);
    if (size > METADATA_BUDGET) {
      throw new PolicyViolationException("User metadata of " + key + " takes " + size + " bytes, over S3's "
          + METADATA_BUDGET + "-byte limit; store less metadata");
    }
  }

  /** The key material of one S3EC object and its mapkeys. */
  private record S3ecObject(S3ecCrypto.ContentKey contentKey, Map<String, String> mapkeys, S3ecDataKey dataKey) {}

  private S3ecObject newS3ecObject(Map<String, String> context, long length, S3Audit audit) {
    S3ecKeyring keyring = writeKeyring();
    boolean v3 = writeFormat == ObjectFormat.S3EC_V3;
    S3ecContentAlgorithm algorithm = v3 ? S3ecContentAlgorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
        : S3ecContentAlgorithm.AES_256_GCM;
    if (length > S3ecCrypto.GCM_MAX_PLAINTEXT) {
      throw new PolicyViolationException("Object of " + length + " bytes exceeds the maximum length allowed for "
          + "GCM encryption (2^36 - 32 bytes); use the framed format");
    }
    Map<String, String> wrapContext = s3ecWrapContext(keyring, context);
    S3ecDataKey dataKey = keyring.generate(algorithm, wrapContext);
    audit.key(dataKey.keyId(), dataKey.kmsCalls(), v3 ? "0x0073" : "0x0072");
    byte[] key = dataKey.plaintextKey();
    try {
      if (v3) {
        byte[] messageId = SecureRandoms.bytes(S3ecCrypto.V3_MESSAGE_ID_LENGTH);
        return new S3ecObject(S3ecCrypto.v3(key, messageId), S3ecMetadata.v3(dataKey.encryptedKey(),
            dataKey.wrappingAlgorithm(), dataKey.description(), messageId, S3ecCrypto.v3Commitment(key, messageId)),
            dataKey);
      }
      byte[] iv = SecureRandoms.bytes(S3ecCrypto.V2_IV_LENGTH);
      return new S3ecObject(S3ecCrypto.v2(key, iv), S3ecMetadata.v2(dataKey.encryptedKey(),
          dataKey.wrappingAlgorithm(), dataKey.description(), iv, length), dataKey);
    } finally {
      Arrays.fill(key, (byte) 0);
      dataKey.destroy();
    }
  }

  /**
   * The KMS context of a new S3EC object: what the S3 Encryption Client writes (the caller's pairs; the keyring
   * adds {@code aws:x-amz-cek-alg}), so its readers need nothing extra; plus the bucket/key binding only when
   * {@link Builder#s3ecLocationBinding} asks for it. Raw-key wrapping has no context at all: a caller's pairs are
   * refused rather than silently dropped.
   */
  private Map<String, String> s3ecWrapContext(S3ecKeyring keyring, Map<String, String> bound) {
    Map<String, String> user = withoutLocation(bound);
    if (!(keyring instanceof KmsS3ecKeyring)) {
      refuseContextForRawWrapping(user, keyring.keyId());
      return Map.of();
    }
    return s3ecLocationBinding ? bound : user;
  }

  private static Map<String, String> withoutLocation(Map<String, String> context) {
    Map<String, String> user = new HashMap<>(context);
    user.remove(BUCKET_CONTEXT_KEY);
    user.remove(KEY_CONTEXT_KEY);
    return user;
  }

  private static void refuseContextForRawWrapping(Map<String, String> user, String keyId) {
    if (!user.isEmpty()) {
      throw new PolicyViolationException("S3EC key wrapping with raw key " + keyId + " has no encryption context: "
          + "the context keys " + new java.util.TreeSet<>(user.keySet()) + " would be neither bound nor checked "
          + "(the S3 Encryption Client ignores them with a warning). Use a KMS keyring, or the framed format, "
          + "whose context is authenticated");
    }
  }

  /** Object metadata for an S3EC object; writes the instruction file first when the metadata goes there. */
  private Map<String, String> placeS3ecMetadata(String bucket, String key, Map<String, String> userMetadata,
      Map<String, String> mapkeys) {
    Map<String, String> inline = new HashMap<>(userMetadata);
    inline.putAll(mapkeys);
    if (metadataLocation == MetadataLocation.OBJECT_METADATA && S3ecMetadata.metadataSize(inline) <= METADATA_BUDGET) {
      return inline;
    }
    Map<String, String> onObject = new HashMap<>(userMetadata);
    onObject.putAll(S3ecMetadata.objectPart(mapkeys));
    checkBudget(onObject, key);
    Map<String, String> instruction = S3ecMetadata.instructionPart(mapkeys);
    s3.putObject(b -> b.bucket(bucket).key(key + INSTRUCTION_SUFFIX)
        .metadata(Map.of(S3ecMetadata.INSTRUCTION_FILE_MARKER, "")),
        RequestBody.fromString(JsonMaps.write(instruction), StandardCharsets.UTF_8));
    return onObject;
  }

  private PutObjectResponse putS3ec(PutObjectRequest request, PutObjectRequest.Builder out, ContentSource source,
      long length, Map<String, String> context) {
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.ENCRYPT, resource(request.bucket(), request.key()))
        .context(context);
    try {
      S3ecObject object = newS3ecObject(context, length, audit);
      Map<String, String> metadata = placeS3ecMetadata(request.bucket(), request.key(), request.metadata(),
          object.mapkeys());
      ReplayGuardInputStream.Record record = new ReplayGuardInputStream.Record();
      long encrypted = length + S3ecCrypto.GCM_TAG_LENGTH;
      RequestBody body = RequestBody.fromContentProvider(() -> S3ecCrypto.encrypt(object.contentKey(),
          new ReplayGuardInputStream(open(source), record)), encrypted, OCTETS);
      PutObjectResponse response = s3.putObject(out.metadata(metadata).contentLength(encrypted).build(), body);
      audit.success(length);
      return response;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  // ---------------------------------------------------------------- get

  @Override
  public <ReturnT> ReturnT getObject(GetObjectRequest request,
      ResponseTransformer<GetObjectResponse, ReturnT> transformer) {
    Decrypted decrypted = request.range() != null ? getRange(request) : getWhole(request);
    try {
      ReturnT result = transformer.transform(decrypted.response(), AbortableInputStream.create(decrypted.stream()));
      if (!transformer.needsConnectionLeftOpen()) {
        // As the SDK does: a transformer that consumed the stream is done with it; closing releases the connection
        // and records the ranged read.
        decrypted.stream().close();
      }
      return result;
    } catch (RuntimeException e) {
      closeQuietly(decrypted.stream());
      throw e;
    } catch (Exception e) {
      closeQuietly(decrypted.stream());
      throw new UncheckedIOException(e instanceof IOException io ? io : new IOException(e));
    }
  }

  private record Decrypted(GetObjectResponse response, InputStream stream) {}

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException ignored) {
      // already failing
    }
  }

  private Decrypted getWhole(GetObjectRequest request) {
    Map<String, String> context = boundContext(request.bucket(), request.key(),
        userContext(request.overrideConfiguration()));
    ResponseInputStream<GetObjectResponse> in = s3.getObject(request);
    GetObjectResponse response = in.response();
    try {
      Map<String, String> metadata = response.metadata();
      if (FRAMED_FORMAT_VALUE.equals(metadata.get(FORMAT_METADATA))) {
        DecryptingInputStream plain = envelopeFor(request.bucket(), request.key())
            .decryptingStream(in, context);
        OptionalLong length = plain.plaintextLength(response.contentLength());
        return new Decrypted(response.toBuilder().contentLength(length.isPresent() ? length.getAsLong() : null)
            .build(), plain);
      }
      S3ecMapkeys mapkeys = s3ecMapkeys(request.bucket(), request.key(), metadata);
      if (mapkeys == null) {
        if (plaintextReads) {
          return new Decrypted(response, in);
        }
        throw new NotEncryptedException(resource(request.bucket(), request.key()) + " is not encrypted (no "
            + "envelope or S3 Encryption Client metadata, no instruction file); enable plaintext reads to read it");
      }
      S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.DECRYPT, resource(request.bucket(), request.key()))
          .context(context);
      try {
        S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys.values());
        checkS3ecReadPolicy(parsed, mapkeys, resource(request.bucket(), request.key()));
        InputStream plain = s3ecDecrypt(parsed, context, in, audit);
        Long length = parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC ? null
            : response.contentLength() - S3ecCrypto.GCM_TAG_LENGTH;
        return new Decrypted(response.toBuilder().contentLength(length).build(), new AuditedInputStream(plain, audit));
      } catch (RuntimeException e) {
        audit.failure(e, 0);
        throw e;
      }
    } catch (RuntimeException | IOException e) {
      closeQuietly(in);
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
  }

  /** An object's S3EC mapkeys, and whether its data key came from an instruction file. */
  private record S3ecMapkeys(Map<String, String> values, boolean keyInInstructionFile) {}

  /** The S3EC mapkeys from the object's metadata, completed from its instruction file; null if neither has any. */
  private S3ecMapkeys s3ecMapkeys(String bucket, String key, Map<String, String> metadata) {
    if (!S3ecMetadata.needsInstructionFile(metadata)) {
      return new S3ecMapkeys(metadata, false);
    }
    String json;
    try {
      // Strict: the SDK's asUtf8String throws an UncheckedIOException on bytes that are not UTF-8.
      json = Utf8.decode(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + INSTRUCTION_SUFFIX)).asByteArray(),
          "Instruction file " + key + INSTRUCTION_SUFFIX);
    } catch (NoSuchKeyException e) {
      if (S3ecMetadata.detect(metadata) != null) {
        throw new AuthenticationFailedException("Object " + resource(bucket, key) + " has V3 metadata without its "
            + "data key, and its instruction file " + key + INSTRUCTION_SUFFIX + " is missing");
      }
      return null;
    }
    Map<String, String> merged = S3ecMetadata.merge(metadata,
        JsonMaps.read(json, "Instruction file " + key + INSTRUCTION_SUFFIX));
    if (S3ecMetadata.detect(merged) == null) {
      throw new dev.envelope.core.MalformedMessageException("Instruction file " + key + INSTRUCTION_SUFFIX
          + " holds no S3 Encryption Client metadata");
    }
    return new S3ecMapkeys(merged, true);
  }

  /**
   * The S3EC's commitment policy on read, and the lesson of CVE-2025-14763: a data key in an instruction file is
   * protected only by the key commitment that stays on the object (V3). A V1/V2 object's instruction file can be
   * replaced by anyone who can write it, so such objects are read only with legacy modes.
   */
  private void checkS3ecReadPolicy(S3ecMetadata.Parsed parsed, S3ecMapkeys mapkeys, String resource) {
    if (parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC && !legacyModes) {
      throw new PolicyViolationException("Object " + resource + " uses ALG_AES_256_CBC_IV16_NO_KDF (S3EC V1, "
          + "unauthenticated); enable legacy modes to read it (for migration only)");
    }
    boolean committing = parsed.format() == ObjectFormat.S3EC_V3;
    if (!committing && !s3ecCommitmentPolicy.allowsDecrypt(AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF)) {
      throw new PolicyViolationException("Object " + resource + " is in " + parsed.format() + " format, without "
          + "key commitment; S3EC commitment policy " + s3ecCommitmentPolicy + " (the S3 Encryption Client 4.x "
          + "default) refuses it. To read objects written by the S3 Encryption Client v3 or earlier, set "
          + "s3ecCommitmentPolicy(REQUIRE_ENCRYPT_ALLOW_DECRYPT) while you migrate them");
    }
    if (!committing && mapkeys.keyInInstructionFile() && !legacyModes) {
      throw new PolicyViolationException("Object " + resource + " is in " + parsed.format() + " format with its "
          + "data key in an instruction file: without key commitment, whoever can write the instruction file can "
          + "substitute the data key (CVE-2025-14763). Enable legacy modes to read it, then rewrite it as V3 or "
          + "in the framed format");
    }
  }

  private byte[] unwrap(S3ecMetadata.Parsed parsed, Map<String, String> context, S3Audit audit) {
    if (s3ecKeyrings.isEmpty()) {
      throw new IllegalStateException("Object is in " + parsed.format() + " format; reading it needs an "
          + "S3ecKeyring (builder.s3ecKeyring)");
    }
    boolean kmsWrapped = parsed.wrappingAlgorithm().startsWith("kms");
    if (!kmsWrapped) {
      refuseContextForRawWrapping(withoutLocation(context), parsed.wrappingAlgorithm() + " wrapping");
    }
    // Objects written without the bucket/key binding (the default, as the S3 Encryption Client writes them) are
    // compared without it; objects that carry it must carry this object's bucket and key.
    Map<String, String> expected = parsed.description().containsKey(BUCKET_CONTEXT_KEY)
        || parsed.description().containsKey(KEY_CONTEXT_KEY) ? context : withoutLocation(context);
    List<NoKeyringCouldDecryptException.Attempt> attempts = new ArrayList<>();
    for (S3ecKeyring keyring : s3ecKeyrings) {
      try {
        byte[] key = keyring.unwrap(parsed.algorithm(), parsed.wrappingAlgorithm(), parsed.encryptedKey(),
            parsed.description(), keyring instanceof KmsS3ecKeyring ? expected : Map.of(), legacyModes);
        audit.key(keyring.keyId(), keyring instanceof KmsS3ecKeyring ? 1 : 0,
            parsed.format() == ObjectFormat.S3EC_V3 ? "0x0073" : parsed.format() == ObjectFormat.S3EC_V2 ? "0x0072"
                : "0x0070");
        return key;
      } catch (NoKeyringCouldDecryptException e) {
        attempts.addAll(e.attempts());
      }
    }
    throw new NoKeyringCouldDecryptException(attempts);
  }

  private InputStream s3ecDecrypt(S3ecMetadata.Parsed parsed, Map<String, String> context, InputStream ciphertext,
      S3Audit audit) {
    byte[] key = unwrap(parsed, context, audit);
    try {
      return switch (parsed.algorithm()) {
        case AES_256_CBC -> S3ecCrypto.decryptCbc(key, parsed.iv(), ciphertext);
        case AES_256_GCM -> gcmPlaintext(S3ecCrypto.v2(key, parsed.iv()), ciphertext);
        case AES_256_GCM_HKDF_SHA512_COMMIT_KEY -> gcmPlaintext(committedKey(key, parsed), ciphertext);
      };
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Verified before release by default; streamed before the tag only in the opted-in delayed mode. */
  private InputStream gcmPlaintext(S3ecCrypto.ContentKey key, InputStream ciphertext) {
    return delayedAuthentication ? S3ecCrypto.decryptDelayedAuthentication(key, ciphertext)
        : S3ecCrypto.decryptVerifiedFirst(key, ciphertext, authenticationBufferSize, spillDirectory);
  }

  private static S3ecCrypto.ContentKey committedKey(byte[] key, S3ecMetadata.Parsed parsed) {
    if (parsed.iv().length != S3ecCrypto.V3_MESSAGE_ID_LENGTH
        || !MessageDigest.isEqual(S3ecCrypto.v3Commitment(key, parsed.iv()), parsed.commitment())) {
      throw new AuthenticationFailedException("Key commitment validation failed: the data key or the object's "
          + "x-amz-d / x-amz-i metadata was modified");
    }
    return S3ecCrypto.v3(key, parsed.iv());
  }

  // ---------------------------------------------------------------- ranged get

  private Decrypted getRange(GetObjectRequest request) {
    Map<String, String> context = boundContext(request.bucket(), request.key(),
        userContext(request.overrideConfiguration()));
    HeadObjectResponse head = s3.headObject(HeadObjectRequest.builder().bucket(request.bucket())
        .key(request.key()).versionId(request.versionId()).ifMatch(request.ifMatch()).build());
    long objectLength = head.contentLength();
    String resource = resource(request.bucket(), request.key());
    // Every GET below is pinned to the object the HEAD described: were it replaced in between, the frames and
    // the length would belong to different objects. S3 answers 412 PreconditionFailed to a changed ETag.
    if (head.eTag() != null) {
      request = request.toBuilder().ifMatch(head.eTag()).build();
    }
    if (FRAMED_FORMAT_VALUE.equals(head.metadata().get(FORMAT_METADATA))) {
      return getFramedRange(request, context, head, objectLength);
    }
    S3ecMapkeys mapkeys = s3ecMapkeys(request.bucket(), request.key(), head.metadata());
    if (mapkeys == null) {
      if (plaintextReads) {
        ResponseInputStream<GetObjectResponse> in = s3.getObject(request);
        return new Decrypted(in.response(), in);
      }
      throw new NotEncryptedException(resource + " is not encrypted; enable plaintext reads to read it");
    }
    S3ecMetadata.Parsed parsed = S3ecMetadata.parse(mapkeys.values());
    checkS3ecReadPolicy(parsed, mapkeys, resource);
    if (!unauthenticatedRangedReads || parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC) {
      throw new PolicyViolationException("Ranged reads of " + parsed.format() + " objects cannot be authenticated "
          + (parsed.algorithm() == S3ecContentAlgorithm.AES_256_CBC ? "and are not supported for CBC objects"
          : "(one GCM tag covers the whole object); enable unauthenticated ranged reads to use them, or write "
          + "the framed format"));
    }
    long plaintextLength = objectLength - S3ecCrypto.GCM_TAG_LENGTH;
    ByteRange range = ByteRange.parse(request.range(), plaintextLength);
    checkRange(range, plaintextLength, request);
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.DECRYPT, resource).context(context);
    try {
      byte[] key = unwrap(parsed, context, audit);
      S3ecCrypto.ContentKey contentKey;
      try {
        contentKey = parsed.format() == ObjectFormat.S3EC_V3 ? committedKey(key, parsed)
            : S3ecCrypto.v2(key, parsed.iv());
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      long firstBlock = range.first() / 16;
      long from = firstBlock * 16;
      ResponseInputStream<GetObjectResponse> in = s3.getObject(request.toBuilder()
          .range("bytes=" + from + "-" + range.last()).build());
      InputStream plain = S3ecCrypto.decryptCtr(contentKey, firstBlock, in);
      skipFully(plain, range.first() - from);
      GetObjectResponse response = in.response().toBuilder().contentLength(range.last() - range.first() + 1)
          .contentRange("bytes " + range.first() + "-" + range.last() + "/" + plaintextLength).build();
      return new Decrypted(response, new AuditedInputStream(plain, audit));
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  private static void skipFully(InputStream in, long n) {
    try {
      in.skipNBytes(n);
    } catch (java.io.EOFException e) {
      throw new dev.envelope.core.MalformedMessageException("Ranged response ended early");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkRange(ByteRange range, long plaintextLength, GetObjectRequest request) {
    if (range == null || range.first() >= plaintextLength) {
      throw (S3Exception) S3Exception.builder().statusCode(416)
          .message("The requested range " + request.range() + " is not satisfiable for " + plaintextLength
              + " plaintext bytes")
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidRange").serviceName("S3")
              .errorMessage("The requested range is not satisfiable").build())
          .build();
    }
  }

  private Decrypted getFramedRange(GetObjectRequest request, Map<String, String> context, HeadObjectResponse head,
      long objectLength) {
    Envelope env = envelopeFor(request.bucket(), request.key());
    RangeDecryptor ranged;
    try (InputStream headerBytes = new BufferedInputStream(new RangedObjectInputStream(s3, request, objectLength),
        8192)) {
      ranged = env.rangeDecryptor(headerBytes, context);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      if (!ranged.supportsRanges()) {
        ranged.close();
        throw new PolicyViolationException("Object " + resource(request.bucket(), request.key()) + " uses signed "
            + "suite " + ranged.suite() + "; its ranges cannot be authenticated alone: read it whole");
      }
      long plaintextLength = ranged.plaintextLength(objectLength);
      ByteRange range = ByteRange.parse(request.range(), plaintextLength);
      checkRange(range, plaintextLength, request);
      RangeDecryptor.Span span = ranged.span(range.first(), range.last(), objectLength);
      ResponseInputStream<GetObjectResponse> in = s3.getObject(request.toBuilder().range(span.httpRange()).build());
      InputStream plain = new RangeClosingInputStream(ranged.decrypt(in, span), ranged);
      GetObjectResponse response = in.response().toBuilder().contentLength(span.length())
          .contentRange("bytes " + range.first() + "-" + (range.first() + span.length() - 1) + "/" + plaintextLength)
          .build();
      return new Decrypted(response, plain);
    } catch (RuntimeException e) {
      ranged.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- head, delete, copy

  @Override
  public HeadObjectResponse headObject(HeadObjectRequest request) {
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.HEAD, resource(request.bucket(), request.key()));
    try {
      HeadObjectResponse response = s3.headObject(request);
      audit.success(0);
      return plaintextLengthHint(response.metadata()).map(n -> response.toBuilder().contentLength(n).build())
          .orElse(response);
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /** The framed format's plaintext length from object metadata: a hint (unauthenticated), ignored if garbled. */
  private static java.util.Optional<Long> plaintextLengthHint(Map<String, String> metadata) {
    try {
      String value = metadata.get(PLAINTEXT_LENGTH_METADATA);
      return value == null ? java.util.Optional.empty() : java.util.Optional.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** Deletes the object and its instruction file, if any. */
  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.DELETE, resource(request.bucket(), request.key()));
    try {
      DeleteObjectResponse response = s3.deleteObject(request);
      s3.deleteObject(b -> b.bucket(request.bucket()).key(request.key() + INSTRUCTION_SUFFIX));
      audit.success(0);
      return response;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /**
   * Copies an object so that it stays decryptable: to the same bucket and key (a metadata or storage-class change)
   * S3 copies it server-side; anywhere else the object is re-encrypted for its new bucket and key (the binding in
   * its context), streamed through this client with bounded memory. User metadata is copied unless the request
   * says {@code REPLACE}.
   */
  @Override
  public CopyObjectResponse copyObject(CopyObjectRequest request) {
    String target = resource(request.destinationBucket(), request.destinationKey());
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.COPY, target);
    try {
      if (request.sourceBucket().equals(request.destinationBucket())
          && request.sourceKey().equals(request.destinationKey())) {
        CopyObjectResponse response = s3.copyObject(request);
        audit.success(0);
        return response;
      }
      EncryptingS3Client quiet = toBuilder().auditSink(AuditSink.none()).build();
      GetObjectRequest get = GetObjectRequest.builder().bucket(request.sourceBucket()).key(request.sourceKey())
          .versionId(request.sourceVersionId()).overrideConfiguration(request.overrideConfiguration().orElse(null))
          .build();
      long copied;
      try (ResponseInputStream<GetObjectResponse> source = quiet.getObject(get)) {
        GetObjectResponse sourceResponse = source.response();
        Map<String, String> metadata = new HashMap<>(request.metadataDirective() == MetadataDirective.REPLACE
            ? request.metadata() : sourceResponse.metadata());
        metadata.keySet().removeIf(k -> k.startsWith("x-amz-") || k.equals(FORMAT_METADATA)
            || k.equals(PLAINTEXT_LENGTH_METADATA));
        PutObjectRequest put = PutObjectRequest.builder().bucket(request.destinationBucket())
            .key(request.destinationKey()).metadata(metadata).storageClass(request.storageClass())
            .contentType(request.metadataDirective() == MetadataDirective.REPLACE ? request.contentType()
                : sourceResponse.contentType())
            .overrideConfiguration(request.overrideConfiguration().orElse(null)).build();
        copied = sourceResponse.contentLength() == null ? -1 : sourceResponse.contentLength();
        if (copied < 0) {
          throw new EnvelopeException("Cannot copy " + resource(request.sourceBucket(), request.sourceKey())
              + ": its plaintext length is unknown (a CBC object); download and upload it instead");
        }
        quiet.upload(put, source, copied);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      audit.success(copied);
      return CopyObjectResponse.builder().build();
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /**
   * Refused: a rename moves the object without re-encrypting it, so a framed object (bound to its key) would no
   * longer decrypt and an instruction file would stay behind.
   */
  @Override
  public RenameObjectResponse renameObject(RenameObjectRequest request) {
    throw new UnsupportedOperationException("renameObject would move " + resource(request.bucket(),
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

  // ---------------------------------------------------------------- multipart (low level)

  /** One multipart upload in progress: its parts' encryption and the part that ends the message. */
  private static final class Upload {
    final PartedEncryption parts;
    final String resource;
    volatile int lastPart = -1;

    Upload(PartedEncryption parts, String resource) {
      this.parts = parts;
      this.resource = resource;
    }
  }

  /**
   * Starts a multipart upload in the framed format. Parts then go through {@link #uploadPart}: every part but the
   * last must hold exactly {@link Builder#partSize} plaintext bytes; parts may be uploaded in any order, in
   * parallel, and again. The upload's keys live in this client's memory until complete or abort.
   */
  @Override
  public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
    if (writeFormat != ObjectFormat.ENVELOPE_FRAMED) {
      throw new UnsupportedOperationException("Low-level multipart uploads are offered in the framed format only "
          + "(an S3EC object is one GCM stream whose parts must be encrypted in order); use upload(), which "
          + "uploads " + writeFormat + " objects in serial parts");
    }
    Map<String, String> context = boundContext(request.bucket(), request.key(),
        userContext(request.overrideConfiguration()));
    PartedEncryption parts = envelopeFor(request.bucket(), request.key()).partedEncryption(context, partSize);
    try {
      Map<String, String> metadata = new HashMap<>(request.metadata());
      metadata.put(FORMAT_METADATA, FRAMED_FORMAT_VALUE);
      checkBudget(metadata, request.key());
      CreateMultipartUploadResponse response = s3.createMultipartUpload(request.toBuilder().metadata(metadata)
          .build());
      uploads.put(response.uploadId(), new Upload(parts, resource(request.bucket(), request.key())));
      return response;
    } catch (RuntimeException e) {
      parts.abort(e);
      parts.close();
      throw e;
    }
  }

  /**
   * Encrypts and uploads one part. A part shorter than the part size, or marked {@code SdkPartType.LAST}, is the
   * last part. The body may be read more than once (retries); it must give the same bytes each time.
   */
  @Override
  public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    Upload upload = uploads.get(request.uploadId());
    if (upload == null) {
      throw new IllegalStateException("Upload " + request.uploadId() + " was not started by this client (or was "
          + "completed or aborted); its keys are unknown here");
    }
    long length = body.optionalContentLength().orElseThrow(() -> new IllegalArgumentException(
        "uploadPart needs a body of known length"));
    int partNumber = request.partNumber();
    boolean last = request.sdkPartType() == SdkPartType.LAST || length < partSize;
    long encrypted = upload.parts.encryptedLength(partNumber, length, last);
    if (last) {
      upload.lastPart = partNumber;
    }
    RequestBody encryptedBody = RequestBody.fromContentProvider(
        () -> upload.parts.encryptPart(partNumber, body.contentStreamProvider().newStream(), length, last),
        encrypted, OCTETS);
    return s3.uploadPart(request.toBuilder().contentLength(encrypted).contentMD5(null).checksumCRC32(null)
        .checksumCRC32C(null).checksumSHA1(null).checksumSHA256(null).checksumCRC64NVME(null).build(),
        encryptedBody);
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
    Upload upload = uploads.get(request.uploadId());
    if (upload == null) {
      return s3.completeMultipartUpload(request);
    }
    List<CompletedPart> parts = request.multipartUpload() == null ? List.of() : request.multipartUpload().parts();
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).partNumber() != i + 1) {
        throw new IllegalArgumentException("Parts of an encrypted upload must be numbered 1.." + parts.size()
            + " without gaps: part " + (i + 1) + " is " + parts.get(i).partNumber());
      }
    }
    if (upload.lastPart != parts.size()) {
      throw new IllegalStateException("The last part of " + upload.resource + " must be part " + parts.size()
          + " and be uploaded as the last (shorter than the part size, or SdkPartType.LAST); "
          + (upload.lastPart < 0 ? "no part was" : "part " + upload.lastPart + " was"));
    }
    CompleteMultipartUploadResponse response = s3.completeMultipartUpload(request);
    uploads.remove(request.uploadId());
    upload.parts.complete();
    upload.parts.close();
    return response;
  }

  @Override
  public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
    Upload upload = uploads.remove(request.uploadId());
    AbortMultipartUploadResponse response = s3.abortMultipartUpload(request);
    if (upload != null) {
      upload.parts.abort(new EnvelopeException("multipart upload aborted"));
      upload.parts.close();
    }
    return response;
  }

  // ---------------------------------------------------------------- high level

  /** Uploads a file of any size: one PUT up to the multipart threshold, else a parallel multipart upload. */
  public void upload(PutObjectRequest request, Path file) throws IOException {
    long length = Files.size(file);
    if (length <= multipartThreshold) {
      put(request, () -> Files.newInputStream(file), length);
      return;
    }
    multipart(request, length, (offset, partLength) -> () -> {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(offset);
      return new java.io.BufferedInputStream(Channels.newInputStream(channel), 64 * 1024) {
        private long left = partLength;

        @Override
        public synchronized int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
          if (left == 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }
      };
    }, null);
  }

  /**
   * Uploads {@code length} bytes read from {@code in} (not closed). Above the multipart threshold, parts are read
   * one after another into buffers of the part size and uploaded in parallel: memory is at most
   * {@code parallelism} parts.
   */
  public void upload(PutObjectRequest request, InputStream in, long length) throws IOException {
    if (length <= multipartThreshold) {
      byte[] all = in.readNBytes((int) length);
      if (all.length != length) {
        throw new IOException("Stream ended after " + all.length + " of " + length + " bytes");
      }
      put(request, () -> new java.io.ByteArrayInputStream(all), length);
      return;
    }
    multipart(request, length, null, in);
  }

  /** Opens part {@code offset..offset+length} of a seekable source. */
  @FunctionalInterface
  private interface PartSource {
    ContentSource part(long offset, long length);
  }

  private void multipart(PutObjectRequest request, long length, PartSource seekable, InputStream sequential)
      throws IOException {
    long size = partSize;
    if ((length + size - 1) / size > 10_000) {
      throw new IllegalArgumentException("Object of " + length + " bytes needs more than 10,000 parts of " + size
          + " bytes; raise the part size");
    }
    if (writeFormat != ObjectFormat.ENVELOPE_FRAMED) {
      multipartS3ec(request, length, seekable, sequential);
      return;
    }
    CreateMultipartUploadRequest create = CreateMultipartUploadRequest.builder().bucket(request.bucket())
        .key(request.key()).metadata(request.metadata()).storageClass(request.storageClass())
        .contentType(request.contentType()).overrideConfiguration(request.overrideConfiguration().orElse(null))
        .build();
    String uploadId = createMultipartUpload(create).uploadId();
    int count = (int) Math.max(1, (length + size - 1) / size);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, count), r -> {
      Thread t = new Thread(r, "envelope-s3-upload");
      t.setDaemon(true);
      return t;
    });
    Semaphore buffers = new Semaphore(parallelism);
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
          source = () -> new java.io.ByteArrayInputStream(buffer);
        }
        futures.add(pool.submit(() -> {
          try {
            UploadPartRequest part = UploadPartRequest.builder().bucket(request.bucket()).key(request.key())
                .uploadId(uploadId).partNumber(partNumber)
                .sdkPartType(partNumber == count ? SdkPartType.LAST : SdkPartType.DEFAULT).build();
            RequestBody body = RequestBody.fromContentProvider(() -> open(source), partLength, OCTETS);
            String etag = uploadPart(part, body).eTag();
            return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
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
      completeMultipartUpload(b -> b.bucket(request.bucket()).key(request.key()).uploadId(uploadId)
          .multipartUpload(m -> m.parts(completed)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abortQuietly(request, uploadId, futures);
      throw new IOException("Upload of " + resource(request.bucket(), request.key()) + " interrupted; aborted", e);
    } catch (ExecutionException e) {
      abortQuietly(request, uploadId, futures);
      throw unwrapFailure(e.getCause());
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

  private static RuntimeException unwrapFailure(Throwable cause) throws IOException {
    if (cause instanceof UncheckedIOException u) {
      throw u.getCause();
    }
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause instanceof RuntimeException r) {
      return r;
    }
    return new EnvelopeException("Part upload failed: " + cause, cause);
  }

  private void abortQuietly(PutObjectRequest request, String uploadId, List<Future<CompletedPart>> futures) {
    for (Future<CompletedPart> f : futures) {
      f.cancel(true);
    }
    try {
      abortMultipartUpload(b -> b.bucket(request.bucket()).key(request.key()).uploadId(uploadId));
    } catch (RuntimeException ignored) {
      // the original failure matters more; a lifecycle rule cleans up what an abort could not
    }
  }

  /** S3EC formats: one GCM stream over the whole object, cut into parts that are uploaded in order. */
  private void multipartS3ec(PutObjectRequest request, long length, PartSource seekable, InputStream sequential)
      throws IOException {
    Map<String, String> context = boundContext(request.bucket(), request.key(),
        userContext(request.overrideConfiguration()));
    S3Audit audit = new S3Audit(auditor, AuditEvent.Operation.ENCRYPT, resource(request.bucket(), request.key()))
        .context(context);
    String uploadId = null;
    try {
      S3ecObject object = newS3ecObject(context, length, audit);
      Map<String, String> metadata = placeS3ecMetadata(request.bucket(), request.key(), request.metadata(),
          object.mapkeys());
      uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(request.bucket())
          .key(request.key()).metadata(metadata).storageClass(request.storageClass())
          .contentType(request.contentType()).build()).uploadId();
      InputStream plaintext = seekable != null ? open(seekable.part(0, length)) : sequential;
      // Each part's ciphertext is kept until its upload succeeds, so a retry re-sends the same bytes and the
      // cipher never runs twice over the same counter.
      InputStream ciphertext = S3ecCrypto.encrypt(object.contentKey(),
          new java.io.BufferedInputStream(plaintext, 64 * 1024) {
            @Override
            public void close() {
              // the caller owns a sequential source
            }
          });
      List<CompletedPart> completed = new ArrayList<>();
      long total = length + S3ecCrypto.GCM_TAG_LENGTH;
      int partNumber = 0;
      for (long sent = 0; sent < total; ) {
        partNumber++;
        int n = (int) Math.min(partSize, total - sent);
        byte[] part = ciphertext.readNBytes(n);
        if (part.length != n) {
          throw new IOException("Source ended after " + (sent + part.length) + " of " + total + " bytes");
        }
        int number = partNumber;
        String id = uploadId;
        String etag = s3.uploadPart(b -> b.bucket(request.bucket()).key(request.key()).uploadId(id)
            .partNumber(number), RequestBody.fromBytes(part)).eTag();
        completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        sent += n;
      }
      String id = uploadId;
      s3.completeMultipartUpload(b -> b.bucket(request.bucket()).key(request.key()).uploadId(id)
          .multipartUpload(m -> m.parts(completed)));
      audit.success(length);
    } catch (IOException | RuntimeException e) {
      audit.failure(e, 0);
      if (uploadId != null) {
        String id = uploadId;
        try {
          s3.abortMultipartUpload(b -> b.bucket(request.bucket()).key(request.key()).uploadId(id));
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Downloads and decrypts an object to {@code file}: written to a temporary file beside it and moved into place
   * only once the whole object decrypted and authenticated, so a failed download leaves no partial plaintext.
   */
  public GetObjectResponse download(GetObjectRequest request, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".part");
    try (ResponseInputStream<GetObjectResponse> in = getObject(request)) {
      Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return in.response();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The sink this client records its audit events to (adapters built on it record theirs there too). */
  public AuditSink auditSink() {
    return auditor.sink();
  }

  @Override
  public void close() {
    for (Upload upload : uploads.values()) {
      upload.parts.close();
    }
    uploads.clear();
    s3.close();
  }

  /** Builder. A wrapped client is required, and a keyring (or materials manager) or an S3ecKeyring. */
  public static final class Builder {
    private S3Client wrappedClient;
    private Envelope envelope;
    private CryptoMaterialsManager materialsManager;
    private Keyring keyring;
    private final List<S3ecKeyring> s3ecKeyrings = new ArrayList<>();
    private ObjectFormat writeFormat = ObjectFormat.ENVELOPE_FRAMED;
    private MetadataLocation metadataLocation = MetadataLocation.OBJECT_METADATA;
    private boolean legacyModes;
    private boolean unauthenticatedRangedReads;
    private boolean plaintextReads;
    private CommitmentPolicy s3ecCommitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
    private boolean s3ecLocationBinding;
    private boolean delayedAuthentication;
    private long authenticationBufferSize = DEFAULT_AUTHENTICATION_BUFFER_SIZE;
    private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private int maxEncryptedDataKeys = Envelope.DEFAULT_MAX_ENCRYPTED_DATA_KEYS;
    private int frameLength = Envelope.DEFAULT_FRAME_LENGTH;
    private long partSize = 8L << 20;
    private long multipartThreshold = 16L << 20;
    private int parallelism = 4;
    private AuditSink auditSink = AuditSink.none();
    private ContextInAudit contextInAudit = ContextInAudit.HASHED;

    private Builder() {}

    private Builder(EncryptingS3Client c) {
      wrappedClient = c.s3;
      envelope = c.envelope;
      keyring = c.keyring;
      materialsManager = c.materialsManager;
      frameLength = c.frameLength;
      s3ecKeyrings.addAll(c.s3ecKeyrings);
      writeFormat = c.writeFormat;
      metadataLocation = c.metadataLocation;
      legacyModes = c.legacyModes;
      unauthenticatedRangedReads = c.unauthenticatedRangedReads;
      plaintextReads = c.plaintextReads;
      s3ecCommitmentPolicy = c.s3ecCommitmentPolicy;
      s3ecLocationBinding = c.s3ecLocationBinding;
      delayedAuthentication = c.delayedAuthentication;
      authenticationBufferSize = c.authenticationBufferSize;
      spillDirectory = c.spillDirectory;
      maxEncryptedDataKeys = c.maxEncryptedDataKeys;
      partSize = c.partSize;
      multipartThreshold = c.multipartThreshold;
      parallelism = c.parallelism;
      auditSink = c.auditor.sink();
      contextInAudit = c.auditor.contextMode();
    }

    public Builder wrappedClient(S3Client wrappedClient) {
      this.wrappedClient = Objects.requireNonNull(wrappedClient, "wrappedClient");
      return this;
    }

    /** The keyring of the framed format (any sdk-core keyring: KMS, raw AES, raw RSA, multi). */
    public Builder keyring(Keyring keyring) {
      this.keyring = Objects.requireNonNull(keyring, "keyring");
      this.envelope = null;
      return this;
    }

    /** Instead of a keyring: a materials manager, e.g. a caching one. */
    public Builder materialsManager(CryptoMaterialsManager materialsManager) {
      this.materialsManager = Objects.requireNonNull(materialsManager, "materialsManager");
      this.envelope = null;
      return this;
    }

    /**
     * A keyring for the S3 Encryption Client formats; the first one added writes, all are tried on read.
     */
    public Builder s3ecKeyring(S3ecKeyring keyring) {
      this.s3ecKeyrings.add(Objects.requireNonNull(keyring, "keyring"));
      return this;
    }

    /** The format new objects are written in; {@link ObjectFormat#ENVELOPE_FRAMED} by default. */
    public Builder writeFormat(ObjectFormat writeFormat) {
      if (!writeFormat.writable()) {
        throw new IllegalArgumentException(writeFormat + " is read only");
      }
      this.writeFormat = writeFormat;
      return this;
    }

    /** Where S3EC metadata goes; object metadata (with automatic fallback past 2 KB) by default. */
    public Builder metadataLocation(MetadataLocation metadataLocation) {
      this.metadataLocation = Objects.requireNonNull(metadataLocation, "metadataLocation");
      return this;
    }

    /** Reads V1 (CBC) objects and the legacy key wrappings ({@code kms}, {@code AESWrap}). Off by default. */
    public Builder enableLegacyModes(boolean legacyModes) {
      this.legacyModes = legacyModes;
      return this;
    }

    /**
     * The S3EC commitment policy: which S3EC formats are written and read. {@code REQUIRE_ENCRYPT_REQUIRE_DECRYPT}
     * by default, as in the S3 Encryption Client 4.x: V3 only. {@code REQUIRE_ENCRYPT_ALLOW_DECRYPT} also reads V2
     * (objects of the S3EC v3 and earlier, while migrating); {@code FORBID_ENCRYPT_ALLOW_DECRYPT} is needed to
     * write V2. The framed format always commits to its key.
     */
    public Builder s3ecCommitmentPolicy(CommitmentPolicy policy) {
      this.s3ecCommitmentPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Binds S3EC objects written under KMS wrapping to their bucket and key ({@value #BUCKET_CONTEXT_KEY},
     * {@value #KEY_CONTEXT_KEY} in the KMS context), as the framed format always does. Off by default: the S3
     * Encryption Client writes no such pairs, and its readers would have to pass them (and the S3EC 4.0.1 fails
     * on non-ASCII values in the context, so objects with non-ASCII keys would not be readable by it at all).
     * Objects that carry the binding are checked against it on read either way.
     */
    public Builder s3ecLocationBinding(boolean bind) {
      this.s3ecLocationBinding = bind;
      return this;
    }

    /**
     * Releases an S3EC object's plaintext as it is decrypted, before its GCM tag is checked at the end: what was
     * read before a failure is unauthenticated and can have been modified bit by bit. Off by default: nothing is
     * released until the tag verifies (see {@link #authenticationBufferSize}). Named after, and as unsafe as, the
     * S3 Encryption Client's delayed-authentication mode; prefer the framed format for large objects.
     */
    public Builder enableDelayedAuthenticationMode(boolean enabled) {
      this.delayedAuthentication = enabled;
      return this;
    }

    /**
     * How much of an S3EC object's plaintext is held in memory while its tag is checked; the rest goes to an
     * encrypted temporary file in {@link #spillDirectory} (one-time key in memory, deleted on close).
     * {@value #DEFAULT_AUTHENTICATION_BUFFER_SIZE} bytes by default.
     */
    public Builder authenticationBufferSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("authenticationBufferSize must not be negative: " + bytes);
      }
      this.authenticationBufferSize = bytes;
      return this;
    }

    /** Where S3EC plaintext past the authentication buffer is spilled (encrypted); java.io.tmpdir by default. */
    public Builder spillDirectory(Path directory) {
      this.spillDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * The most encrypted data keys a framed object may carry (checked before any is unwrapped: each may cost a
     * KMS call). {@value Envelope#DEFAULT_MAX_ENCRYPTED_DATA_KEYS} by default.
     */
    public Builder maxEncryptedDataKeys(int max) {
      this.maxEncryptedDataKeys = max;
      this.envelope = null;
      return this;
    }

    /** Allows ranged reads of S3EC GCM objects, which cannot be authenticated. Off by default. */
    public Builder enableUnauthenticatedRangedReads(boolean enabled) {
      this.unauthenticatedRangedReads = enabled;
      return this;
    }

    /** Returns objects without encryption metadata as they are, instead of failing. Off by default. */
    public Builder allowPlaintextReads(boolean allowed) {
      this.plaintextReads = allowed;
      return this;
    }

    /** Frame length of the framed format: the unit a ranged read fetches. 64 KiB by default. */
    public Builder frameLength(int frameLength) {
      this.frameLength = frameLength;
      this.envelope = null;
      return this;
    }

    /** Plaintext bytes per multipart part (a multiple of the frame length, at least 5 MiB). 8 MiB by default. */
    public Builder partSize(long partSize) {
      this.partSize = partSize;
      return this;
    }

    /** Objects larger than this are uploaded in parts by {@code upload}. 16 MiB by default. */
    public Builder multipartThreshold(long multipartThreshold) {
      this.multipartThreshold = multipartThreshold;
      return this;
    }

    /** Parts in flight at once in {@code upload}. 4 by default. */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      this.envelope = null;
      return this;
    }

    public Builder contextInAudit(ContextInAudit contextInAudit) {
      this.contextInAudit = Objects.requireNonNull(contextInAudit, "contextInAudit");
      this.envelope = null;
      return this;
    }

    public EncryptingS3Client build() {
      if (wrappedClient == null) {
        throw new IllegalStateException("wrappedClient is required");
      }
      if (envelope == null && (keyring != null || materialsManager != null)) {
        Envelope.Builder b = Envelope.builder()
            .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
            .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
            .frameLength(frameLength)
            .maxEncryptedDataKeys(maxEncryptedDataKeys)
            .auditSink(auditSink)
            .contextInAudit(contextInAudit);
        envelope = (materialsManager != null ? b.materialsManager(materialsManager) : b.keyring(keyring)).build();
      }
      if (envelope == null && s3ecKeyrings.isEmpty()) {
        throw new IllegalStateException("A keyring, a materials manager or an S3ecKeyring is required");
      }
      if (writeFormat == ObjectFormat.ENVELOPE_FRAMED && envelope == null) {
        throw new IllegalStateException("The framed format needs a keyring or materials manager");
      }
      if (writeFormat != ObjectFormat.ENVELOPE_FRAMED && s3ecKeyrings.isEmpty()) {
        throw new IllegalStateException("Writing " + writeFormat + " needs an S3ecKeyring");
      }
      if (writeFormat == ObjectFormat.S3EC_V2 && s3ecCommitmentPolicy != CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
          || writeFormat == ObjectFormat.S3EC_V3
          && s3ecCommitmentPolicy == CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT) {
        throw new IllegalStateException("Writing " + writeFormat + " conflicts with S3EC commitment policy "
            + s3ecCommitmentPolicy + ": V2 has no key commitment and needs FORBID_ENCRYPT_ALLOW_DECRYPT (as in the "
            + "S3 Encryption Client); V3 commits and needs a REQUIRE_ENCRYPT policy");
      }
      if (partSize < (5L << 20) || partSize % frameLength != 0 || partSize % 16 != 0) {
        throw new IllegalArgumentException("partSize must be at least 5 MiB and a multiple of the frame length "
            + frameLength + ": " + partSize);
      }
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1");
      }
      return new EncryptingS3Client(this);
    }
  }
}
