package dev.envelope.s3;

import dev.envelope.core.MessageInfo;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.RewrappedHeader;
import dev.envelope.core.keyring.Keyring;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Moves framed objects ({@link ObjectFormat#ENVELOPE_FRAMED}) to new wrapping keys, in place, keeping their
 * metadata, headers, tags, storage class and server-side encryption. Every request is pinned to the ETag the first
 * HEAD saw, and the write is conditional on it ({@code If-Match}), so an object replaced while it is re-keyed is
 * never overwritten: that object fails with {@link ObjectChangedException} and the newer one stays as it is. Tags
 * changed meanwhile (which change no ETag) are seen by reading them again before the last request, and fail the
 * object the same way.
 *
 * <p>{@link RekeyMethod#REENCRYPT} (the default) decrypts and encrypts again; {@link RekeyMethod#HEADER} writes a
 * new header and copies the body inside S3 (read its costs first). Objects whose header names none of {@link
 * Builder#onlyFrom} are skipped, so a re-run after an interruption does only what is left.
 *
 * <p>Objects in the S3 Encryption Client formats and objects that are not encrypted are skipped with the reason.
 * Immutable and thread-safe: re-key many objects at once from one instance.
 */
public final class ObjectRekeyer {
  /** S3's smallest part but the last: the first part of a rebuilt object (new header and body bytes). */
  static final long FIRST_PART = 5L << 20;
  private static final long DEFAULT_COPY_PART_SIZE = 512L << 20;

  private final EncryptingS3Client client;
  private final EncryptingS3Client target;
  private final ClientSettings settings;
  private final Keyring newKeys;
  private final RekeyMethod method;
  private final Set<String> onlyFrom;
  private final long copyPartSize;
  private final boolean migrateS3ec;
  private final boolean migratePlaintext;
  private final boolean rekeyFramed;
  private final S3ecRewrap s3ecRewrap;
  private final ObjectFormat migrateTo;
  private final EncryptingS3Client v3Target;

  private ObjectRekeyer(Builder b) {
    this.client = Objects.requireNonNull(b.client, "client");
    this.newKeys = Objects.requireNonNull(b.newKeys, "newWrappingKeys");
    this.settings = client.settings();
    this.target = client.toBuilder().keyring(newKeys).writeFormat(ObjectFormat.ENVELOPE_FRAMED).build();
    this.method = b.method;
    this.onlyFrom = Set.copyOf(b.onlyFrom);
    this.copyPartSize = b.copyPartSize;
    this.migrateS3ec = b.migrateS3ec;
    this.migratePlaintext = b.migratePlaintext;
    this.rekeyFramed = b.rekeyFramed;
    this.s3ecRewrap = b.newS3ecKeys == null ? null : new S3ecRewrap(settings, client, b.newS3ecKeys);
    this.migrateTo = b.migrateTo;
    if (migrateTo == ObjectFormat.S3EC_V3) {
      if (b.newS3ecKeys == null) {
        throw new IllegalArgumentException("Migrating to S3EC_V3 needs newS3ecKeyring: the key V3 objects are "
            + "written under");
      }
      // Objects migrated to V3 are written by a client whose only S3EC keyring is the new one.
      this.v3Target = client.toBuilder().s3ecKeyrings(List.of(b.newS3ecKeys)).writeFormat(ObjectFormat.S3EC_V3)
          .s3ecCommitmentPolicy(dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).build();
    } else {
      this.v3Target = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Re-keys one object.
   *
   * @throws ObjectChangedException if the object was replaced or deleted during the re-key (it is left as it is)
   * @throws dev.envelope.core.EnvelopeException if its data key cannot be unwrapped or wrapped (a missing key
   *     permission, a disabled key), or it is not bound to this bucket and key
   * @throws IOException if reading or writing fails
   */
  public RekeyResult rekey(String bucket, String key) throws IOException {
    if (settings.bucketNames().metadataKept(bucket) == BucketNames.MetadataKept.NO) {
      throw new PolicyViolationException("Cannot re-key " + S3Requests.resource(bucket, key) + ": " + bucket
          + " is an access point attached to an FSx for ONTAP volume, which refuses conditional writes, so the "
          + "re-key could overwrite a change made meanwhile. Re-key it with its writers stopped through the "
          + "volume's file system, or copy the objects to a bucket first");
    }
    HeadObjectResponse head = settings.s3().headObject(b -> b.bucket(bucket).key(key));
    Map<String, String> metadata = head.metadata();
    String eTag = head.eTag();
    // Without the marker (a store that keeps no metadata, or another format), the first bytes say what it is.
    ObjectHeaderInfo info = EncryptingS3Client.FRAMED_FORMAT_VALUE.equals(metadata.get(
        EncryptingS3Client.FORMAT_METADATA)) ? null : ObjectHeaderInfo.read(settings.s3(), bucket, key);
    if (info != null && info.message().isEmpty()) {
      boolean s3ec = info.format().isPresent();
      if (s3ec ? migrateS3ec : migratePlaintext) {
        return migrate(head, info);
      }
      if (s3ec && s3ecRewrap != null) {
        return s3ecRewrap.rewrap(bucket, key, head);
      }
      return RekeyResult.skipped(bucket, key, s3ec ? "an S3 Encryption Client object: re-wrap its data key in place "
          + "(newS3ecKeyring; envelope rekey --to-s3ec) or migrate it to the framed format (migrateS3ec; envelope "
          + "migrate)" : "not encrypted by Envelope (no " + EncryptingS3Client.FORMAT_METADATA + " metadata): "
          + "encrypt it with migratePlaintext (envelope migrate --formats plaintext)", List.of(), eTag);
    }
    if (!rekeyFramed) {
      return RekeyResult.skipped(bucket, key, "already in the framed format (re-key it with rekey)", List.of(), eTag);
    }
    long length = head.contentLength();
    byte[] start = read(bucket, key, eTag, 0, Math.min(length, FIRST_PART));
    MessageInfo message = MessageInfo.read(new ByteArrayInputStream(start));
    List<String> before = message.wrappingKeyIds();
    if (!onlyFrom.isEmpty() && Collections.disjoint(before, onlyFrom)) {
      return RekeyResult.skipped(bucket, key, "no data key under " + new java.util.TreeSet<>(onlyFrom), before, eTag);
    }
    PutObjectRequest put = StoredObject.asPut(settings.s3(), bucket, key, head);
    return method == RekeyMethod.REENCRYPT ? reencrypt(put, head, message) : rewrap(put, head, start, before);
  }

  private RekeyResult rewrap(PutObjectRequest put, HeadObjectResponse head, byte[] start, List<String> before)
      throws IOException {
    String bucket = put.bucket();
    String key = put.key();
    String eTag = head.eTag();
    RewrappedHeader header = settings.envelopeFor(bucket, key).rewrapHeader(new ByteArrayInputStream(start),
        newKeys, settings.boundContext(bucket, key, Optional.empty()));
    long length = head.contentLength();
    // The first part must stay at least S3's 5 MiB: a shorter header (fewer data keys) takes that many more body
    // bytes into it.
    long firstEnd = Math.min(length, FIRST_PART + Math.max(0, -header.lengthChange()));
    byte[] original = start;
    if (firstEnd > start.length) {
      byte[] more = read(bucket, key, eTag, start.length, firstEnd - start.length);
      original = Arrays.copyOf(start, start.length + more.length);
      System.arraycopy(more, 0, original, start.length, more.length);
    }
    byte[] newHeader = header.header();
    int bodyBytes = (int) firstEnd - header.originalHeaderLength();
    byte[] first = Arrays.copyOf(newHeader, newHeader.length + bodyBytes);
    System.arraycopy(original, header.originalHeaderLength(), first, newHeader.length, bodyBytes);
    String newETag;
    if (firstEnd >= length) {
      tagsUnchanged(put, eTag);
      newETag = pinned(put, () -> settings.s3().putObject(put.toBuilder().ifMatch(eTag).build(),
          RequestBody.fromBytes(first)).eTag());
    } else {
      newETag = rebuild(put, eTag, first, firstEnd, length);
    }
    return new RekeyResult(bucket, key, RekeyResult.Outcome.REKEYED, null, RekeyMethod.HEADER, before,
        header.wrappingKeyIds(), eTag, newETag, original.length, first.length, length - firstEnd);
  }

  /** A multipart upload: the new first part from the client, every later part copied from the original in S3. */
  private String rebuild(PutObjectRequest put, String eTag, byte[] first, long copyFrom, long length)
      throws IOException {
    String uploadId = settings.s3().createMultipartUpload(S3Requests.multipartUploadFor(put, put.metadata()))
        .uploadId();
    List<long[]> ranges = new ArrayList<>();
    for (long from = copyFrom; from < length; from += copyPartSize) {
      ranges.add(new long[] {from, Math.min(length, from + copyPartSize) - 1});
    }
    ExecutorService pool = S3Requests.daemonPool(Math.min(settings.parallelism(), ranges.size() + 1),
        "envelope-s3-rekey");
    try {
      List<Future<CompletedPart>> parts = new ArrayList<>();
      // The upload is created without a checksum algorithm, so parts are listed by ETag alone: the part the SDK
      // sent with a checksum and the copies S3 made (which carry none then) alike.
      parts.add(pool.submit(() -> CompletedPart.builder().partNumber(1).eTag(settings.s3().uploadPart(b -> b
          .bucket(put.bucket()).key(put.key()).uploadId(uploadId).partNumber(1), RequestBody.fromBytes(first))
          .eTag()).build()));
      for (int i = 0; i < ranges.size(); i++) {
        int number = i + 2;
        long[] range = ranges.get(i);
        parts.add(pool.submit(() -> {
          var copied = settings.s3().uploadPartCopy(b -> b.sourceBucket(put.bucket()).sourceKey(put.key())
              .copySourceIfMatch(eTag).copySourceRange("bytes=" + range[0] + "-" + range[1])
              .destinationBucket(put.bucket()).destinationKey(put.key()).uploadId(uploadId).partNumber(number));
          return CompletedPart.builder().partNumber(number).eTag(copied.copyPartResult().eTag()).build();
        }));
      }
      List<CompletedPart> completed = new ArrayList<>();
      for (Future<CompletedPart> part : parts) {
        completed.add(part.get());
      }
      tagsUnchanged(put, eTag);
      return pinned(put, () -> settings.s3().completeMultipartUpload(S3Requests.completionFor(
          put.toBuilder().ifMatch(eTag).build(), uploadId, completed)).eTag());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abortQuietly(put, uploadId, e);
      throw new IOException("Re-key of " + S3Requests.resource(put.bucket(), put.key()) + " interrupted; the "
          + "object is unchanged", e);
    } catch (ExecutionException e) {
      RuntimeException failure = changedOr(put, e.getCause());
      abortQuietly(put, uploadId, failure);
      throw failure;
    } catch (RuntimeException e) {
      abortQuietly(put, uploadId, e);
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private RekeyResult reencrypt(PutObjectRequest put, HeadObjectResponse head, MessageInfo info)
      throws IOException {
    Map<String, String> callerContext = new HashMap<>(info.encryptionContext());
    callerContext.keySet().removeIf(k -> k.startsWith("aws-crypto-")
        || k.equals(EncryptingS3Client.BUCKET_CONTEXT_KEY) || k.equals(EncryptingS3Client.KEY_CONTEXT_KEY));
    return write(target, put, head, info.wrappingKeyIds(), callerContext, RekeyResult.Outcome.REKEYED, null,
        withContext -> client.getObject(b -> b.bucket(put.bucket()).key(put.key()).ifMatch(head.eTag())
            .overrideConfiguration(withContext)));
  }

  /**
   * An S3 Encryption Client object (decrypted by the client's S3EC keyrings, under the context its material
   * description holds) or an unencrypted object, written again in the framed format under the new keys; an
   * instruction file it had is deleted once the new object is stored.
   */
  private RekeyResult migrate(HeadObjectResponse head, ObjectHeaderInfo info) throws IOException {
    String bucket = info.bucket();
    String key = info.key();
    boolean s3ec = info.format().isPresent();
    PutObjectRequest put = StoredObject.asPut(settings.s3(), bucket, key, head);
    Map<String, String> callerContext = new HashMap<>();
    info.s3ec().forEach((k, v) -> {
      String name = k.startsWith("description.") ? k.substring("description.".length()) : null;
      if (name != null && !name.startsWith("aws:") && !name.equals("kms_cmk_id")) {
        callerContext.put(name, v);
      }
    });
    String from = info.format().map(Enum::name).orElse("unencrypted");
    EncryptingS3Client writer = migrateTo == ObjectFormat.S3EC_V3 ? v3Target : target;
    RekeyResult result = write(writer, put, head, info.wrappingKeyIds(), callerContext,
        RekeyResult.Outcome.MIGRATED, "from " + from + " to " + migrateTo, withContext -> s3ec
            ? client.getObject(b -> b.bucket(bucket).key(key).ifMatch(head.eTag()).overrideConfiguration(withContext))
            : settings.s3().getObject(b -> b.bucket(bucket).key(key).ifMatch(head.eTag())));
    if (s3ec && Boolean.parseBoolean(info.s3ec().get("instructionFile")) && !writtenWithInstructionFile(writer,
        result)) {
      settings.s3().deleteObject(b -> b.bucket(bucket).key(key + S3Requests.INSTRUCTION_SUFFIX));
    }
    return result;
  }

  /**
   * Whether the object just written keeps its own data key in an instruction file (a V3 object whose mapkeys did not
   * fit the metadata): then the instruction file is the new one, not a leftover to delete.
   */
  private boolean writtenWithInstructionFile(EncryptingS3Client writer, RekeyResult result) {
    if (writer != v3Target) {
      return false;
    }
    Map<String, String> metadata = settings.s3().headObject(b -> b.bucket(result.bucket()).key(result.key()))
        .metadata();
    return dev.envelope.s3.internal.S3ecMetadata.needsInstructionFile(metadata);
  }

  /** Reads the object through {@code source} (pinned to its ETag) and writes it with {@code writer}. */
  private RekeyResult write(EncryptingS3Client writer, PutObjectRequest put, HeadObjectResponse head,
      List<String> previousKeyIds,
      Map<String, String> callerContext, RekeyResult.Outcome outcome, String reason,
      java.util.function.Function<java.util.function.Consumer<AwsRequestOverrideConfiguration.Builder>,
          ResponseInputStream<GetObjectResponse>> source) throws IOException {
    var withContext = EncryptingS3Client.withEncryptionContext(callerContext);
    Map<String, String> metadata = new HashMap<>(put.metadata());
    metadata.keySet().removeIf(k -> k.startsWith("x-amz-") || k.equals(EncryptingS3Client.FORMAT_METADATA)
        || k.equals(EncryptingS3Client.PLAINTEXT_LENGTH_METADATA));
    try (ResponseInputStream<GetObjectResponse> in = pinned(put, () -> source.apply(withContext))) {
      long plaintextLength = in.response().contentLength();
      PutObjectRequest newObject = put.toBuilder().metadata(metadata).ifMatch(head.eTag())
          .overrideConfiguration(withContext).build();
      if (plaintextLength == 0) {
        tagsUnchanged(put, head.eTag());
      }
      // Checked once the whole object is read: the last request (the put, or completing the upload) comes next.
      var checked = new CheckedAtEndInputStream(in, plaintextLength, () -> tagsUnchanged(put, head.eTag()));
      String newETag = pinned(put, () -> {
        try {
          return writer.upload(newObject, checked, plaintextLength).eTag();
        } catch (IOException e) {
          throw changed(e).orElseThrow(() -> new java.io.UncheckedIOException(e));
        }
      });
      // What was written, from its header; unknown if someone replaced it right after our write
      ObjectHeaderInfo written = ObjectHeaderInfo.read(settings.s3(), put.bucket(), put.key());
      boolean ours = newETag.equals(written.eTag());
      return new RekeyResult(put.bucket(), put.key(), outcome, reason, RekeyMethod.REENCRYPT, previousKeyIds,
          ours ? written.wrappingKeyIds() : List.of(), head.eTag(), newETag, head.contentLength(),
          ours ? written.size() : -1, 0);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Fails with {@link ObjectChangedException} if the object's tags are no longer those its rewrite carries. S3 keeps
   * tags beside the object: tagging changes no ETag, so the write's {@code If-Match} cannot see it, and a change made
   * during a long re-key would be undone by the rewrite. Checked just before the last request, a change is lost only
   * if it lands within that request.
   */
  private void tagsUnchanged(PutObjectRequest put, String eTag) {
    HeadObjectResponse now = pinned(put, () -> settings.s3().headObject(b -> b.bucket(put.bucket()).key(put.key())
        .ifMatch(eTag)));
    if (!Objects.equals(put.tagging(), StoredObject.tagging(settings.s3(), put.bucket(), put.key(), now))) {
      throw new ObjectChangedException(S3Requests.resource(put.bucket(), put.key()) + " had its tags changed while "
          + "it was re-keyed; the object was left as it is, with its new tags: run the re-key again", null);
    }
  }

  /** The {@link ObjectChangedException} a write failed with, however the writer wrapped it. */
  private static Optional<ObjectChangedException> changed(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ObjectChangedException e) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** Bytes {@code [from, from + length)} of the object, pinned to {@code eTag} when given. */
  private byte[] read(String bucket, String key, String eTag, long from, long length) {
    PutObjectRequest what = PutObjectRequest.builder().bucket(bucket).key(key).build();
    return pinned(what, () -> settings.s3().getObjectAsBytes(b -> b.bucket(bucket).key(key).ifMatch(eTag)
        .range("bytes=" + from + "-" + (from + length - 1))).asByteArray());
  }

  private static <T> T pinned(PutObjectRequest what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (S3Exception e) {
      throw changedOr(what, e);
    }
  }

  private static RuntimeException changedOr(PutObjectRequest what, Throwable cause) {
    // 412: the ETag no longer matches; 404: deleted; 416: shorter now than the HEAD said (S3Proxy checks a pinned
    // copy's range before its condition)
    if (cause instanceof S3Exception e && Set.of(412, 404, 416).contains(e.statusCode())) {
      return new ObjectChangedException(S3Requests.resource(what.bucket(), what.key()) + " was replaced or deleted "
          + "while it was re-keyed (S3 answered " + e.statusCode() + " to a request pinned to the ETag first "
          + "read); the object now there was left as it is and was not re-keyed: run the re-key again", e);
    }
    return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
  }

  private void abortQuietly(PutObjectRequest put, String uploadId, Throwable failure) {
    try {
      settings.s3().abortMultipartUpload(b -> b.bucket(put.bucket()).key(put.key()).uploadId(uploadId));
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Builder: {@link #client} and {@link #newWrappingKeys} are required. */
  public static final class Builder {
    private EncryptingS3Client client;
    private Keyring newKeys;
    private RekeyMethod method = RekeyMethod.REENCRYPT;
    private Set<String> onlyFrom = Set.of();
    private long copyPartSize = DEFAULT_COPY_PART_SIZE;
    private boolean migrateS3ec;
    private boolean migratePlaintext;
    private boolean rekeyFramed = true;
    private S3ecKeyring newS3ecKeys;
    private ObjectFormat migrateTo = ObjectFormat.ENVELOPE_FRAMED;

    private Builder() {}

    /** The client whose keyring can unwrap the objects' data keys (the old keys), and its S3 client. */
    public Builder client(EncryptingS3Client client) {
      this.client = client;
      return this;
    }

    /**
     * The keys to wrap data keys under. A multi-keyring here must have no generator ({@code
     * MultiKeyring.ofChildren}): with {@link RekeyMethod#HEADER} the data key already exists.
     */
    public Builder newWrappingKeys(Keyring keyring) {
      this.newKeys = keyring;
      return this;
    }

    /** {@link RekeyMethod#REENCRYPT} by default. */
    public Builder method(RekeyMethod method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /**
     * Re-key only objects whose header names one of these wrapping keys (as {@link MessageInfo#wrappingKeyIds()}
     * gives them: a KMS key ARN, {@code namespace/name}); others are skipped. Empty (the default): every object.
     */
    public Builder onlyFrom(Set<String> keyIds) {
      this.onlyFrom = Set.copyOf(keyIds);
      return this;
    }

    /** Size of the server-side copies of {@link RekeyMethod#HEADER}: 5 MiB to 5 GiB, 512 MiB by default. */
    public Builder copyPartSize(long bytes) {
      if (bytes < FIRST_PART || bytes > 5L << 30) {
        throw new IllegalArgumentException("copyPartSize must be between 5 MiB and 5 GiB, S3's part limits: " + bytes);
      }
      this.copyPartSize = bytes;
      return this;
    }

    /**
     * Also move S3 Encryption Client objects (V1, V2, V3; V1 needs the client's legacy modes) into the framed
     * format under the new keys, decrypted with the client's S3EC keyrings; their instruction files are deleted
     * once the new object is stored. Off by default: they are skipped with the reason.
     */
    public Builder migrateS3ec(boolean migrate) {
      this.migrateS3ec = migrate;
      return this;
    }

    /** Also encrypt objects that are not encrypted, in place, under the new keys. Off by default. */
    public Builder migratePlaintext(boolean migrate) {
      this.migratePlaintext = migrate;
      return this;
    }

    /**
     * Re-wrap S3 Encryption Client objects' data keys in place under this keyring (V2 and V3; the new encrypted key
     * goes into the metadata, by a copy of the object onto itself, or into the instruction file), after proving the
     * unwrapped key is the object's: V3 by its key commitment, V2 by decrypting it whole. Without it (and without
     * {@link #migrateS3ec}) such objects are skipped.
     */
    public Builder newS3ecKeyring(S3ecKeyring keyring) {
      this.newS3ecKeys = Objects.requireNonNull(keyring, "keyring");
      return this;
    }

    /**
     * The format {@link #migrateS3ec} and {@link #migratePlaintext} write: {@link ObjectFormat#ENVELOPE_FRAMED}
     * (default) or {@link ObjectFormat#S3EC_V3} (the S3 Encryption Client's committing format, under {@link
     * #newS3ecKeyring}, readable by the S3 Encryption Client 4).
     */
    public Builder migrateTo(ObjectFormat format) {
      if (format != ObjectFormat.ENVELOPE_FRAMED && format != ObjectFormat.S3EC_V3) {
        throw new IllegalArgumentException("Objects migrate to ENVELOPE_FRAMED or S3EC_V3, not " + format);
      }
      this.migrateTo = format;
      return this;
    }

    /** Whether framed objects are re-keyed (true by default); false for a run that only migrates. */
    public Builder rekeyFramed(boolean rekey) {
      this.rekeyFramed = rekey;
      return this;
    }

    public ObjectRekeyer build() {
      return new ObjectRekeyer(this);
    }
  }
}
