package dev.envelope.s3;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.Envelope;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.spi.AuditRecorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds an {@link EncryptingS3Client} ({@link #build()}) or an {@link EncryptingS3AsyncClient} ({@link
 * #buildAsync}). A wrapped client is required, and a keyring (or materials manager) or an {@link S3ecKeyring};
 * every other setting has the default its setter states. Not thread-safe; the clients it builds are.
 */
public final class EncryptingS3ClientBuilder {
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
  private long authenticationBufferSize = EncryptingS3Client.DEFAULT_AUTHENTICATION_BUFFER_SIZE;
  private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"));
  private int maxEncryptedDataKeys = Envelope.DEFAULT_MAX_ENCRYPTED_DATA_KEYS;
  private int frameLength = Envelope.DEFAULT_FRAME_LENGTH;
  private long partSize = 8L << 20;
  private long multipartThreshold = 16L << 20;
  private int parallelism = 4;
  private long downloadRangeSize = 8L << 20;
  private AuditSink auditSink = AuditSink.none();
  private ContextInAudit contextInAudit = ContextInAudit.HASHED;
  private final Map<String, String> accessPoints = new LinkedHashMap<>();

  EncryptingS3ClientBuilder() {}

  EncryptingS3ClientBuilder(ClientSettings c) {
    wrappedClient = c.s3();
    envelope = c.envelope();
    keyring = c.keyring();
    materialsManager = c.materialsManager();
    frameLength = c.frameLength();
    s3ecKeyrings.addAll(c.s3ecKeyrings());
    writeFormat = c.writeFormat();
    metadataLocation = c.metadataLocation();
    legacyModes = c.legacyModes();
    unauthenticatedRangedReads = c.unauthenticatedRangedReads();
    plaintextReads = c.plaintextReads();
    s3ecCommitmentPolicy = c.s3ecCommitmentPolicy();
    s3ecLocationBinding = c.s3ecLocationBinding();
    delayedAuthentication = c.delayedAuthentication();
    authenticationBufferSize = c.authenticationBufferSize();
    spillDirectory = c.spillDirectory();
    maxEncryptedDataKeys = c.maxEncryptedDataKeys();
    partSize = c.partSize();
    multipartThreshold = c.multipartThreshold();
    parallelism = c.parallelism();
    downloadRangeSize = c.downloadRangeSize();
    auditSink = c.audit().sink();
    contextInAudit = c.audit().contextMode();
    accessPoints.putAll(c.bucketNames().arnsByAlias());
  }

  /** The client that talks to S3 (any {@link S3Client}: AWS, S3Proxy, LocalStack). Required. */
  public EncryptingS3ClientBuilder wrappedClient(S3Client wrappedClient) {
    this.wrappedClient = Objects.requireNonNull(wrappedClient, "wrappedClient");
    return this;
  }

  /**
   * The keyring of the framed format (any sdk-core keyring: KMS, raw AES, raw RSA, multi). This, a materials manager
   * or an S3EC keyring is required.
   */
  public EncryptingS3ClientBuilder keyring(Keyring keyring) {
    this.keyring = Objects.requireNonNull(keyring, "keyring");
    this.envelope = null;
    return this;
  }

  /** Instead of a keyring: a materials manager, e.g. a caching one. */
  public EncryptingS3ClientBuilder materialsManager(CryptoMaterialsManager materialsManager) {
    this.materialsManager = Objects.requireNonNull(materialsManager, "materialsManager");
    this.envelope = null;
    return this;
  }

  /**
   * A keyring for the S3 Encryption Client formats; the first one added writes, all are tried on read. None by default.
   */
  public EncryptingS3ClientBuilder s3ecKeyring(S3ecKeyring keyring) {
    this.s3ecKeyrings.add(Objects.requireNonNull(keyring, "keyring"));
    return this;
  }

  /** Replaces the S3 Encryption Client keyrings: the first writes, all are tried on read. */
  public EncryptingS3ClientBuilder s3ecKeyrings(List<S3ecKeyring> keyrings) {
    List<S3ecKeyring> copy = List.copyOf(keyrings);
    this.s3ecKeyrings.clear();
    this.s3ecKeyrings.addAll(copy);
    return this;
  }

  /** The format new objects are written in; {@link ObjectFormat#ENVELOPE_FRAMED} by default. */
  public EncryptingS3ClientBuilder writeFormat(ObjectFormat writeFormat) {
    if (!writeFormat.writable()) {
      throw new IllegalArgumentException(writeFormat + " is read only");
    }
    this.writeFormat = writeFormat;
    return this;
  }

  /**
   * Declares an S3 access point by both the names S3 accepts for it, so that objects written through one are read
   * through the other: objects are bound to the ARN ({@value EncryptingS3Client#BUCKET_CONTEXT_KEY}) whichever name
   * a request uses; see {@link EncryptingS3Client#boundBucketName}. The alias also says what the access point is
   * attached to: one ending in {@code -ext-s3alias} reaches an FSx for ONTAP or OpenZFS volume, where user metadata
   * is not relied upon (the framed format needs none; S3EC V2 keeps all of its metadata in an instruction file;
   * S3EC V3, which keeps three entries on the object by specification, is refused). None by default: an alias is
   * recognized by its suffix alone, and an undeclared ARN is bound as written.
   *
   * @throws IllegalArgumentException if {@code arn} is not an access point ARN or {@code alias} not an alias
   */
  public EncryptingS3ClientBuilder accessPoint(String arn, String alias) {
    if (arn == null || !BucketNames.isAccessPointArn(arn)) {
      throw new IllegalArgumentException("Not an access point ARN (arn:aws:s3:<region>:<account>:accesspoint/"
          + "<name>): " + arn);
    }
    if (alias == null || !alias.endsWith("-s3alias")) {
      throw new IllegalArgumentException("Not an access point alias (<name>-<suffix>-s3alias, or -ext-s3alias on "
          + "an FSx volume): " + alias);
    }
    accessPoints.put(alias, arn);
    return this;
  }

  /** Where S3EC metadata goes; object metadata (with automatic fallback past 2 KB) by default. */
  public EncryptingS3ClientBuilder metadataLocation(MetadataLocation metadataLocation) {
    this.metadataLocation = Objects.requireNonNull(metadataLocation, "metadataLocation");
    return this;
  }

  /** Reads V1 (CBC) objects and the legacy key wrappings ({@code kms}, {@code AESWrap}). Off by default. */
  public EncryptingS3ClientBuilder enableLegacyModes(boolean legacyModes) {
    this.legacyModes = legacyModes;
    return this;
  }

  /**
   * The S3EC commitment policy: which S3EC formats are written and read. {@code REQUIRE_ENCRYPT_REQUIRE_DECRYPT}
   * by default, as in the S3 Encryption Client 4.x: V3 only. {@code REQUIRE_ENCRYPT_ALLOW_DECRYPT} also reads V2
   * (objects of the S3EC v3 and earlier, while migrating); {@code FORBID_ENCRYPT_ALLOW_DECRYPT} is needed to
   * write V2. The framed format always commits to its key.
   */
  public EncryptingS3ClientBuilder s3ecCommitmentPolicy(CommitmentPolicy policy) {
    this.s3ecCommitmentPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Binds S3EC objects written under KMS wrapping to their bucket and key
   * ({@value EncryptingS3Client#BUCKET_CONTEXT_KEY}, {@value EncryptingS3Client#KEY_CONTEXT_KEY} in the KMS
   * context), as the framed format always does. Off by default: the S3
   * Encryption Client writes no such pairs, and its readers would have to pass them (and the S3EC 4.0.1 fails
   * on non-ASCII values in the context, so objects with non-ASCII keys would not be readable by it at all).
   * Objects that carry the binding are checked against it on read either way.
   */
  public EncryptingS3ClientBuilder s3ecLocationBinding(boolean bind) {
    this.s3ecLocationBinding = bind;
    return this;
  }

  /**
   * Releases an S3EC object's plaintext as it is decrypted, before its GCM tag is checked at the end: what was
   * read before a failure is unauthenticated and can have been modified bit by bit. Off by default: nothing is
   * released until the tag verifies (see {@link #authenticationBufferSize}). Named after, and as unsafe as, the
   * S3 Encryption Client's delayed-authentication mode; prefer the framed format for large objects.
   */
  public EncryptingS3ClientBuilder enableDelayedAuthenticationMode(boolean enabled) {
    this.delayedAuthentication = enabled;
    return this;
  }

  /**
   * How much of an S3EC object's plaintext is held in memory while its tag is checked; the rest goes to an
   * encrypted temporary file in {@link #spillDirectory} (one-time key in memory, deleted on close).
   * {@value EncryptingS3Client#DEFAULT_AUTHENTICATION_BUFFER_SIZE} bytes by default.
   */
  public EncryptingS3ClientBuilder authenticationBufferSize(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("authenticationBufferSize must not be negative: " + bytes);
    }
    this.authenticationBufferSize = bytes;
    return this;
  }

  /** Where S3EC plaintext past the authentication buffer is spilled (encrypted); java.io.tmpdir by default. */
  public EncryptingS3ClientBuilder spillDirectory(Path directory) {
    this.spillDirectory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /**
   * The most encrypted data keys a framed object may carry (checked before any is unwrapped: each may cost a
   * KMS call). {@value Envelope#DEFAULT_MAX_ENCRYPTED_DATA_KEYS} by default.
   */
  public EncryptingS3ClientBuilder maxEncryptedDataKeys(int max) {
    this.maxEncryptedDataKeys = max;
    this.envelope = null;
    return this;
  }

  /** Allows ranged reads of S3EC GCM objects, which cannot be authenticated. Off by default. */
  public EncryptingS3ClientBuilder enableUnauthenticatedRangedReads(boolean enabled) {
    this.unauthenticatedRangedReads = enabled;
    return this;
  }

  /** Returns objects without encryption metadata as they are, instead of failing. Off by default. */
  public EncryptingS3ClientBuilder allowPlaintextReads(boolean allowed) {
    this.plaintextReads = allowed;
    return this;
  }

  /** Frame length of the framed format: the unit a ranged read fetches. 64 KiB by default. */
  public EncryptingS3ClientBuilder frameLength(int frameLength) {
    this.frameLength = frameLength;
    this.envelope = null;
    return this;
  }

  /** Plaintext bytes per multipart part (a multiple of the frame length, at least 5 MiB). 8 MiB by default. */
  public EncryptingS3ClientBuilder partSize(long partSize) {
    this.partSize = partSize;
    return this;
  }

  /** Objects larger than this are uploaded in parts by {@code upload}. 16 MiB by default. */
  public EncryptingS3ClientBuilder multipartThreshold(long multipartThreshold) {
    this.multipartThreshold = multipartThreshold;
    return this;
  }

  /** Parts in flight at once in {@code upload}, ranges in {@code download}. 4 by default. */
  public EncryptingS3ClientBuilder parallelism(int parallelism) {
    this.parallelism = parallelism;
    return this;
  }

  /**
   * Plaintext bytes per ranged GET of a parallel {@code download}, rounded down to whole frames (at least one).
   * 8 MiB by default: large enough that a request's latency is small beside its transfer, small enough that
   * {@code parallelism} of them in memory (a download to a stream) stay modest.
   */
  public EncryptingS3ClientBuilder downloadRangeSize(long bytes) {
    this.downloadRangeSize = bytes;
    return this;
  }

  /** Where the audit events go: one per object operation. {@link AuditSink#none()} by default. */
  public EncryptingS3ClientBuilder auditSink(AuditSink auditSink) {
    this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
    this.envelope = null;
    return this;
  }

  /** How context values appear in audit events. {@link ContextInAudit#HASHED} by default, as everywhere. */
  public EncryptingS3ClientBuilder contextInAudit(ContextInAudit contextInAudit) {
    this.contextInAudit = Objects.requireNonNull(contextInAudit, "contextInAudit");
    this.envelope = null;
    return this;
  }

  /**
   * Builds the client.
   *
   * @throws IllegalStateException naming what is missing or conflicting (no keyring for the write format, a
   *     commitment policy that forbids the write format)
   * @throws IllegalArgumentException for a part size or parallelism out of range
   */
  public EncryptingS3Client build() {
    return new EncryptingS3Client(settings(wrappedClient));
  }

  /**
   * Builds the async client over {@code wrapped} (any {@link S3AsyncClient}) with these settings; the wrapped
   * client set with {@link #wrappedClient}, if any, is not used. Closing the async client closes {@code wrapped}.
   *
   * @throws IllegalStateException as {@link #build()}
   * @throws IllegalArgumentException as {@link #build()}
   */
  public EncryptingS3AsyncClient buildAsync(S3AsyncClient wrapped) {
    Objects.requireNonNull(wrapped, "wrapped");
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "envelope-s3-async-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      ClientSettings settings = settings(new AsyncBackedS3Client(wrapped, executor));
      return new EncryptingS3AsyncClient(wrapped, new EncryptingS3Client(settings), settings, executor);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  private ClientSettings settings(S3Client wrappedClient) {
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
    if (downloadRangeSize < 1 || downloadRangeSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("downloadRangeSize must be between 1 byte and 2 GiB: " + downloadRangeSize);
    }
    return new ClientSettings(wrappedClient, envelope, keyring, materialsManager, frameLength,
        s3ecKeyrings, writeFormat, metadataLocation, legacyModes, unauthenticatedRangedReads, plaintextReads,
        s3ecCommitmentPolicy, s3ecLocationBinding, delayedAuthentication, authenticationBufferSize, spillDirectory,
        maxEncryptedDataKeys, partSize, multipartThreshold, parallelism, downloadRangeSize,
        new BucketNames(accessPoints), new AuditRecorder(auditSink, contextInAudit, null));
  }
}
