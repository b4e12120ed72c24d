package dev.envelope.core;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.internal.ArrayDecryptor;
import dev.envelope.core.internal.ArrayEncryptor;
import dev.envelope.core.internal.DecryptionSession;
import dev.envelope.core.internal.EncryptionSession;
import dev.envelope.core.internal.EnvelopeSettings;
import dev.envelope.core.internal.format.ContentType;
import dev.envelope.core.internal.format.ArrayByteInput;
import dev.envelope.core.internal.format.HeaderCodec;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.internal.format.StreamByteInput;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.AuditRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Envelope encryption in the AWS Encryption SDK message format: every message is readable by the AWS Encryption
 * SDK in any language, and this class reads theirs.
 *
 * <pre>{@code
 * Envelope envelope = Envelope.builder()
 *     .keyring(RawAesKeyring.builder().keyNamespace("app").keyName("key-1").wrappingKey(key).build())
 *     .auditSink(JsonLinesAuditSink.toFile(Path.of("audit.jsonl")))
 *     .build();
 * byte[] message = envelope.encrypt(plaintext, Map.of("tenant", "acme"));
 * DecryptResult result = envelope.decrypt(message, Map.of("tenant", "acme"));
 * }</pre>
 *
 * <p>Defaults: suite 0x0578 (key commitment and ECDSA P-384 signature), commitment policy
 * REQUIRE_ENCRYPT_REQUIRE_DECRYPT, 64 KiB frames, at most {@value #DEFAULT_MAX_ENCRYPTED_DATA_KEYS} encrypted data
 * keys per message (the ESDK has no limit by default; each key may cost a KMS call, so a forged message could
 * otherwise make thousands), frames of at most {@value #DEFAULT_MAX_FRAME_LENGTH} bytes when decrypting.
 *
 * <p>Every encrypt and decrypt, successful or not, emits exactly one {@link AuditEvent} to the configured sink.
 *
 * <p>Immutable and thread-safe: build one and share it. Errors are unchecked {@link EnvelopeException} subtypes;
 * {@code decrypt} throws nothing else, whatever the bytes (null arguments give {@link NullPointerException}).
 */
public final class Envelope {
  /**
   * Default frame length: 64 KiB. The AWS Encryption SDK uses 4096; any frame length is valid in the format and
   * every ESDK reads it. Each frame costs one AES-GCM initialisation (about 0.6 us through the JCA) and 32 bytes,
   * so 4 KiB frames cap throughput at about 77% of one-pass AES-GCM; 64 KiB frames reach about 98% and 0.05%
   * overhead. Streams hold two frames, so 128 KiB. Set 4096 where small ranged reads matter more.
   */
  public static final int DEFAULT_FRAME_LENGTH = 64 * 1024;

  /**
   * Default bound on encrypted data keys per message, on encrypt and decrypt. Checked when the header is parsed,
   * before any key is unwrapped: a forged message naming a victim's KMS key in 2,000 data keys costs no KMS call.
   */
  public static final int DEFAULT_MAX_ENCRYPTED_DATA_KEYS = 10;

  /**
   * Default bound on the frame length of messages this library decrypts: 64 MiB. A frame (or a non-framed body)
   * is buffered whole until its tag verifies, so the frame length of an untrusted message is a memory demand;
   * messages with longer frames are refused when the header is parsed, before anything is allocated.
   */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 64 << 20;

  private final EnvelopeSettings settings;

  private Envelope(EnvelopeSettings settings) {
    this.settings = settings;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(settings);
  }

  /**
   * The same envelope, with audit events naming {@code resource} (e.g. {@code s3://bucket/key}). Cheap: adapters
   * call it per object.
   */
  public Envelope withResource(String resource) {
    return new Envelope(settings.withAuditRecorder(settings.auditRecorder().withResource(resource)));
  }

  /**
   * Encrypts {@code plaintext} into one message bound to {@code encryptionContext} (stored in clear in the
   * message and authenticated; never put secrets in it).
   */
  public byte[] encrypt(byte[] plaintext, Map<String, String> encryptionContext) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(encryptionContext, "encryptionContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.ENCRYPT, encryptionContext);
    EncryptionSession session = null;
    try {
      EncryptionMaterials materials = settings.encryptionMaterials(encryptionContext, plaintext.length);
      audit.materials(materials);
      session = EncryptionSession.start(materials, settings.frameLength());
      audit.message(materials.suite(), session.messageId());
      byte[] message = ArrayEncryptor.encrypt(session, plaintext);
      audit.success(plaintext.length);
      return message;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    } finally {
      if (session != null) {
        session.destroy();
      }
    }
  }

  /** Decrypts a message without checking its encryption context: check {@link DecryptResult#encryptionContext()}. */
  public DecryptResult decrypt(byte[] message) {
    return decrypt(message, Map.of());
  }

  /**
   * Decrypts a message and checks that it was made with every pair of {@code expectedContext}. Pairs the message
   * stores must match; pairs it does not store must be ones it authenticated without storing (the required
   * encryption context), else the decrypt fails with {@link EncryptionContextMismatchException}.
   */
  public DecryptResult decrypt(byte[] message, Map<String, String> expectedContext) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(expectedContext, "expectedContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.DECRYPT, expectedContext);
    DecryptionSession session = null;
    try {
      ArrayByteInput in = new ArrayByteInput(message);
      MessageHeader header = parseHeader(in);
      audit.message(header.suite(), header.messageId());
      DecryptionMaterials materials = DecryptionSession.materialsFor(header, settings.materialsManager(),
          settings.commitmentPolicy(), expectedContext);
      audit.materials(materials);
      session = DecryptionSession.open(header, materials, expectedContext);
      audit.context(session.verifiedContext());
      byte[] plaintext = ArrayDecryptor.decryptBody(session, in);
      audit.success(plaintext.length);
      return new DecryptResult(plaintext, session.verifiedContext(), materials.wrappingKeyIds(), header.suite(),
          header.messageId());
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    } finally {
      if (session != null) {
        session.destroy();
      }
    }
  }

  private MessageHeader parseHeader(ArrayByteInput in) {
    try {
      return settings.parseHeader(in);
    } catch (IOException e) {
      throw new UncheckedIOException("impossible: array input", e);
    }
  }

  /**
   * A stream that encrypts what is written to it into one message on {@code out}. The header is written now;
   * {@link EncryptingOutputStream#close()} writes the end of the message and must be called. The plaintext length
   * is unknown, so a caching materials manager will not reuse a data key for it; see
   * {@link #encryptingStream(OutputStream, Map, long)}.
   *
   * @throws IOException if writing the header fails
   */
  public EncryptingOutputStream encryptingStream(OutputStream out, Map<String, String> encryptionContext)
      throws IOException {
    return encryptingStream(out, encryptionContext, -1);
  }

  /**
   * As {@link #encryptingStream(OutputStream, Map)}, declaring the plaintext length up front, so that a caching
   * materials manager can count it against its byte limit. Writing more than declared fails with
   * {@link PolicyViolationException}.
   */
  public EncryptingOutputStream encryptingStream(OutputStream out, Map<String, String> encryptionContext,
      long plaintextLength) throws IOException {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(encryptionContext, "encryptionContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.ENCRYPT, encryptionContext);
    EncryptionSession session = null;
    try {
      EncryptionMaterials materials = settings.encryptionMaterials(encryptionContext, plaintextLength);
      audit.materials(materials);
      session = EncryptionSession.start(materials, settings.frameLength());
      audit.message(materials.suite(), session.messageId());
      return new EncryptingOutputStream(out, session, audit, plaintextLength);
    } catch (RuntimeException | IOException e) {
      audit.failure(e, 0);
      if (session != null) {
        session.destroy();
      }
      throw e;
    }
  }

  /** A stream that decrypts the message read from {@code in}; see {@link DecryptingInputStream} for the rules. */
  public DecryptingInputStream decryptingStream(InputStream in) {
    return decryptingStream(in, Map.of());
  }

  /** As {@link #decryptingStream(InputStream)}, checking {@code expectedContext} like {@link #decrypt(byte[], Map)}. */
  public DecryptingInputStream decryptingStream(InputStream in, Map<String, String> expectedContext) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(expectedContext, "expectedContext");
    return new DecryptingInputStream(in, settings, Map.copyOf(expectedContext),
        settings.auditRecorder().start(AuditEvent.Operation.DECRYPT, expectedContext));
  }

  /**
   * Starts one message to be encrypted as independent parts of {@code partLength} plaintext bytes each (a
   * multiple of the frame length), for parallel and retried multipart uploads; see {@link PartedEncryption}.
   * Needs an unsigned suite, such as {@link AlgorithmSuite#AES_256_GCM_HKDF_SHA512_COMMIT_KEY} (0x0478).
   */
  public PartedEncryption partedEncryption(Map<String, String> encryptionContext, long partLength) {
    Objects.requireNonNull(encryptionContext, "encryptionContext");
    if (partLength < settings.frameLength() || partLength % settings.frameLength() != 0) {
      throw new IllegalArgumentException("partLength must be a positive multiple of the frame length "
          + settings.frameLength() + ": " + partLength);
    }
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.ENCRYPT, encryptionContext);
    EncryptionSession session = null;
    try {
      EncryptionMaterials materials = settings.encryptionMaterials(encryptionContext, -1);
      audit.materials(materials);
      if (materials.suite().isSigned()) {
        materials.dataKey().ifPresent(dev.envelope.core.materials.DataKey::destroy);
        throw new PolicyViolationException("Parted encryption needs an unsigned suite (such as 0x0478): a "
            + "signature covers the whole message in order, but " + materials.suite() + " signs");
      }
      session = EncryptionSession.start(materials, settings.frameLength());
      audit.message(materials.suite(), session.messageId());
      return new PartedEncryption(session, audit, partLength);
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      if (session != null) {
        session.destroy();
      }
      throw e;
    }
  }

  /**
   * Continues a parted encryption that another process began, from its {@code header} ({@link
   * PartedEncryption#header()}, stored by that process; it holds only encrypted data keys). The data key is
   * unwrapped from the header by this envelope's keyring, as a decrypt would, and the header is authenticated under
   * it with {@code encryptionContext}, so a header changed since is refused. The parts then encrypt exactly as the
   * first process's did; see {@link PartedEncryption} for how parts it already sent are checked. One audit event
   * (ENCRYPT), as for {@link #partedEncryption}.
   *
   * @throws IllegalArgumentException if {@code header} has bytes after the header, or {@code partLength} is not a
   *     multiple of the header's frame length
   */
  public PartedEncryption resumePartedEncryption(byte[] header, Map<String, String> encryptionContext,
      long partLength) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(encryptionContext, "encryptionContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.ENCRYPT, encryptionContext);
    try {
      MessageHeader parsed;
      try {
        parsed = settings.parseHeader(new ArrayByteInput(header));
      } catch (IOException e) {
        throw new MalformedMessageException("Stored header is truncated: " + e.getMessage(), e);
      }
      audit.message(parsed.suite(), parsed.messageId());
      if (parsed.contentType() != ContentType.FRAMED || partLength < parsed.frameLength()
          || partLength % parsed.frameLength() != 0) {
        throw new IllegalArgumentException("partLength " + partLength + " must be a positive multiple of the "
            + "stored header's frame length " + parsed.frameLength() + " (framed content)");
      }
      DecryptionMaterials materials = DecryptionSession.materialsFor(parsed, settings.materialsManager(),
          settings.commitmentPolicy(), encryptionContext);
      audit.materials(materials);
      DecryptionSession session = DecryptionSession.open(parsed, materials, encryptionContext);
      try {
        return new PartedEncryption(session.forResumedParts(header), audit, partLength);
      } catch (RuntimeException e) {
        session.destroy();
        throw e;
      }
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /**
   * Reads and authenticates the header of a message from {@code messageStart} (reading no further than the
   * header), for decrypting ranges of it; see {@link RangeDecryptor}. {@code expectedContext} is checked as by
   * {@link #decrypt(byte[], Map)}.
   *
   * @throws IOException if reading {@code messageStart} fails
   */
  public RangeDecryptor rangeDecryptor(InputStream messageStart, Map<String, String> expectedContext)
      throws IOException {
    Objects.requireNonNull(messageStart, "messageStart");
    Objects.requireNonNull(expectedContext, "expectedContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.DECRYPT, expectedContext);
    try {
      MessageHeader header = settings.parseHeader(new StreamByteInput(messageStart));
      audit.message(header.suite(), header.messageId());
      DecryptionMaterials materials = DecryptionSession.materialsFor(header, settings.materialsManager(),
          settings.commitmentPolicy(), expectedContext);
      audit.materials(materials);
      DecryptionSession session = DecryptionSession.open(header, materials, expectedContext);
      audit.context(session.verifiedContext());
      return new RangeDecryptor(session, audit);
    } catch (RuntimeException | IOException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /**
   * Re-keys a message without touching its body: reads and authenticates the header from {@code messageStart}
   * (reading no further), unwraps the data key with this envelope's keyring, wraps the same data key under {@code
   * newWrappingKeys} and returns the header with those encrypted data keys instead and a new header tag. The old
   * encrypted data keys are not kept, so the old wrapping keys are no longer needed. One audit event ({@code
   * REWRAP}) names both sets of keys.
   *
   * <p><b>Know the cost before using it.</b> In message format version 2 (every committing suite) the header tag
   * is AES-GCM under the message's derived key with the all-zero IV the format prescribes, so the original and the
   * re-wrapped header are two tags under one key and one IV. Someone who holds both headers (an old object version,
   * a backup) can solve for the GCM authentication key of this message and then forge frames of it that decrypt
   * without error. Use it where old copies are deleted and not retained, or re-encrypt (decrypt and encrypt again,
   * a new data key) where storage is not trusted to keep integrity. (Version 1 stores its header IV; the new header
   * gets a fresh one.) The data key stays the same: re-wrapping retires a wrapping key, it does not recover from a
   * data key or wrapping key that leaked.
   *
   * @throws PolicyViolationException for signed suites (the footer signature covers the header: re-encrypt), for
   *     suites this envelope's commitment policy does not allow writing, or more new data keys than allowed
   * @throws IOException if reading {@code messageStart} fails
   */
  public RewrappedHeader rewrapHeader(InputStream messageStart, Keyring newWrappingKeys,
      Map<String, String> expectedContext) throws IOException {
    Objects.requireNonNull(messageStart, "messageStart");
    Objects.requireNonNull(newWrappingKeys, "newWrappingKeys");
    Objects.requireNonNull(expectedContext, "expectedContext");
    AuditRecorder.Recording audit = settings.auditRecorder().start(AuditEvent.Operation.REWRAP, expectedContext);
    try {
      MessageHeader header = settings.parseHeader(new StreamByteInput(messageStart));
      audit.message(header.suite(), header.messageId());
      if (header.suite().isSigned()) {
        throw new PolicyViolationException("Message uses the signed suite " + header.suite() + ": its footer "
            + "signature covers the header, so new wrapping keys need the message re-encrypted");
      }
      if (!settings.commitmentPolicy().allowsEncrypt(header.suite())) {
        throw new PolicyViolationException("Message uses " + header.suite() + ", which commitment policy "
            + settings.commitmentPolicy() + " does not allow writing: re-encrypt it with a committing suite");
      }
      DecryptionMaterials materials = DecryptionSession.materialsFor(header, settings.materialsManager(),
          settings.commitmentPolicy(), expectedContext);
      audit.materials(materials);
      DecryptionSession session = DecryptionSession.open(header, materials, expectedContext);
      EncryptionMaterials wrapped = null;
      try {
        audit.context(session.verifiedContext());
        Set<String> notStored = new HashSet<>(session.verifiedContext().keySet());
        notStored.removeAll(header.storedContext().keySet());
        wrapped = newWrappingKeys.onEncrypt(EncryptionMaterials.builder()
            .suite(header.suite())
            .encryptionContext(session.verifiedContext())
            .requiredContextKeys(notStored)
            .dataKey(materials.dataKey().orElseThrow().duplicate())
            .build());
        audit.rewrapped(materials, wrapped);
        int count = wrapped.encryptedDataKeys().size();
        if (count == 0 || count > settings.maxEncryptedDataKeys()) {
          throw new PolicyViolationException("The new keyring produced " + count + " encrypted data keys; between 1 "
              + "and " + settings.maxEncryptedDataKeys() + " are allowed (Envelope.Builder.maxEncryptedDataKeys)");
        }
        RewrappedHeader result = new RewrappedHeader(session.headerWithDataKeys(wrapped.encryptedDataKeys()),
            header.serializedLength(), header.suite(), header.messageId(), header.frameLength(),
            materials.wrappingKeyIds(), wrapped.wrappingKeyIds());
        audit.success(0);
        return result;
      } finally {
        session.destroy();
        if (wrapped != null) {
          wrapped.dataKey().ifPresent(DataKey::destroy);
        }
      }
    } catch (RuntimeException | IOException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /** Builder. Either {@link #keyring} or {@link #materialsManager} is required. */
  public static final class Builder {
    private CryptoMaterialsManager materialsManager;
    private AlgorithmSuite suite;
    private CommitmentPolicy commitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
    private int frameLength = DEFAULT_FRAME_LENGTH;
    private int maxEncryptedDataKeys = DEFAULT_MAX_ENCRYPTED_DATA_KEYS;
    private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
    private AuditSink auditSink = AuditSink.none();
    private ContextInAudit contextInAudit = ContextInAudit.HASHED;
    private String resource;

    private Builder() {}

    private Builder(EnvelopeSettings s) {
      materialsManager = s.materialsManager();
      suite = s.suite();
      commitmentPolicy = s.commitmentPolicy();
      frameLength = s.frameLength();
      maxEncryptedDataKeys = s.maxEncryptedDataKeys();
      maxFrameLength = s.maxFrameLength();
      auditSink = s.auditRecorder().sink();
      contextInAudit = s.auditRecorder().contextMode();
      resource = s.auditRecorder().resource();
    }

    /**
     * Uses {@code keyring} through a {@link DefaultMaterialsManager}. This or {@link #materialsManager} is required.
     */
    public Builder keyring(Keyring keyring) {
      this.materialsManager = DefaultMaterialsManager.create(keyring);
      return this;
    }

    /** Instead of a keyring: a materials manager, e.g. a caching one. One of the two is required. */
    public Builder materialsManager(CryptoMaterialsManager materialsManager) {
      this.materialsManager = Objects.requireNonNull(materialsManager, "materialsManager");
      return this;
    }

    /** The suite to encrypt with; by default the commitment policy's default (0x0578). */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = suite;
      return this;
    }

    /** Which suites may encrypt and decrypt. {@code REQUIRE_ENCRYPT_REQUIRE_DECRYPT} by default, as in the ESDK. */
    public Builder commitmentPolicy(CommitmentPolicy commitmentPolicy) {
      this.commitmentPolicy = Objects.requireNonNull(commitmentPolicy, "commitmentPolicy");
      return this;
    }

    /**
     * Plaintext bytes per frame, 1 to 2^31 - 65. Streams hold two frames in memory. {@value
     * Envelope#DEFAULT_FRAME_LENGTH} by default.
     */
    public Builder frameLength(int frameLength) {
      this.frameLength = frameLength;
      return this;
    }

    /**
     * The most encrypted data keys a message may carry, on encrypt and on decrypt (checked before any unwrap).
     * {@value Envelope#DEFAULT_MAX_ENCRYPTED_DATA_KEYS} by default; raise it for multi-keyrings with more keys.
     */
    public Builder maxEncryptedDataKeys(int maxEncryptedDataKeys) {
      this.maxEncryptedDataKeys = maxEncryptedDataKeys;
      return this;
    }

    /**
     * The longest frame (and non-framed body) a message to decrypt may declare, 1 to 2^31 - 65;
     * {@value Envelope#DEFAULT_MAX_FRAME_LENGTH} by default. Must be at least {@link #frameLength}.
     */
    public Builder maxFrameLength(int maxFrameLength) {
      this.maxFrameLength = maxFrameLength;
      return this;
    }

    /** Where every encrypt and decrypt is recorded. {@link AuditSink#none()} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /** How context values appear in audit events; {@link ContextInAudit#HASHED} by default. */
    public Builder contextInAudit(ContextInAudit contextInAudit) {
      this.contextInAudit = Objects.requireNonNull(contextInAudit, "contextInAudit");
      return this;
    }

    /** The resource named in audit events; see {@link Envelope#withResource(String)}. None by default. */
    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    public Envelope build() {
      if (materialsManager == null) {
        throw new IllegalStateException("keyring or materialsManager is required");
      }
      if (frameLength < 1 || frameLength > HeaderCodec.MAX_FRAME_LENGTH) {
        throw new IllegalArgumentException("frameLength must be 1.." + HeaderCodec.MAX_FRAME_LENGTH + ": "
            + frameLength);
      }
      if (maxFrameLength < 1 || maxFrameLength > HeaderCodec.MAX_FRAME_LENGTH) {
        throw new IllegalArgumentException("maxFrameLength must be 1.." + HeaderCodec.MAX_FRAME_LENGTH + ": "
            + maxFrameLength);
      }
      if (frameLength > maxFrameLength) {
        throw new IllegalArgumentException("frameLength " + frameLength + " is over maxFrameLength "
            + maxFrameLength + ": this Envelope could not decrypt its own messages; raise maxFrameLength");
      }
      if (maxEncryptedDataKeys < 1) {
        throw new IllegalArgumentException("maxEncryptedDataKeys must be at least 1: " + maxEncryptedDataKeys);
      }
      if (suite != null && !commitmentPolicy.allowsEncrypt(suite)) {
        throw new IllegalArgumentException("Commitment policy " + commitmentPolicy + " does not allow encrypting "
            + "with " + suite);
      }
      return new Envelope(new EnvelopeSettings(materialsManager, commitmentPolicy, suite, frameLength,
          maxEncryptedDataKeys, maxFrameLength, new AuditRecorder(auditSink, contextInAudit, resource)));
    }
  }
}
