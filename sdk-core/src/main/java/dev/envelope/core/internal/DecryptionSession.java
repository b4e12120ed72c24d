package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.internal.crypto.DerivedKeys;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.internal.format.HeaderCodec;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.DecryptionRequest;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.SecureRandoms;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.AEADBadTagException;

/**
 * Decrypts one message after its header is parsed, in the order the ESDK spec requires: commitment policy,
 * materials, key derivation, key commitment (constant time), header tag, frames, signature. Shared by the one-shot
 * and streaming decryptors. Not thread-safe.
 */
public final class DecryptionSession {
  private final MessageHeader header;
  private final DecryptionMaterials materials;
  private final DerivedKeys keys;
  private final FrameCipher frames;
  private final Signature verifier;
  private final Map<String, String> verifiedContext;

  private DecryptionSession(MessageHeader header, DecryptionMaterials materials, DerivedKeys keys,
      FrameCipher frames, Signature verifier, Map<String, String> verifiedContext) {
    this.header = header;
    this.materials = materials;
    this.keys = keys;
    this.frames = frames;
    this.verifier = verifier;
    this.verifiedContext = verifiedContext;
  }

  /** Policy check, then materials from {@code cmm}; split out so that audit can see the materials on failure. */
  public static DecryptionMaterials materialsFor(MessageHeader header, CryptoMaterialsManager cmm,
      CommitmentPolicy policy, Map<String, String> reproducedContext) {
    // An expected pair no message can hold (empty, too long, not Unicode) is a caller error, named before any key
    // is used.
    reproducedContext.forEach(EnvelopeSettings::checkPortable);
    AlgorithmSuite suite = header.suite();
    if (!policy.allowsDecrypt(suite)) {
      throw new PolicyViolationException("Message uses the non-committing suite " + suite + ", which commitment "
          + "policy " + policy + " refuses; decrypt it with REQUIRE_ENCRYPT_ALLOW_DECRYPT during migration");
    }
    DecryptionRequest.Builder request = DecryptionRequest.builder()
        .suite(suite)
        .commitmentPolicy(policy)
        .encryptedDataKeys(header.encryptedDataKeys())
        .storedContext(header.storedContext());
    DecryptionMaterials materials;
    try {
      materials = cmm.decryptMaterials(request.reproducedContext(reproducedContext).build());
    } catch (NoKeyringCouldDecryptException e) {
      throw explainUnstoredContext(e, request, header, reproducedContext, cmm);
    }
    if (materials.suite() != suite) {
      materials.dataKey().ifPresent(DataKey::destroy);
      throw new PolicyViolationException("Materials manager returned materials for " + materials.suite()
          + " but the message uses " + suite);
    }
    if (materials.dataKey().isEmpty()) {
      throw new EnvelopeException("Materials manager returned no data key");
    }
    return materials;
  }

  /**
   * Keyrings that bind the wrapped key to the context (raw AES, KMS) fail to unwrap when the caller expects a
   * context key the message never had. One retry without those keys tells that mistake apart from a wrong key.
   */
  private static EnvelopeException explainUnstoredContext(NoKeyringCouldDecryptException e,
      DecryptionRequest.Builder request, MessageHeader header, Map<String, String> reproducedContext,
      CryptoMaterialsManager cmm) {
    Map<String, String> stored = new HashMap<>(reproducedContext);
    stored.keySet().retainAll(header.storedContext().keySet());
    if (stored.size() == reproducedContext.size()) {
      return e;
    }
    try {
      cmm.decryptMaterials(request.reproducedContext(stored).build()).dataKey().ifPresent(DataKey::destroy);
    } catch (EnvelopeException retryFailed) {
      return e;
    }
    TreeSet<String> unstored = new TreeSet<>(reproducedContext.keySet());
    unstored.removeAll(stored.keySet());
    return new EncryptionContextMismatchException("Expected encryption context keys " + unstored
        + " are not part of this message's context");
  }

  /**
   * Derives the keys and checks the commitment and the header tag. On any failure the materials' data key and
   * every derived key are zeroed before the exception leaves: a key that failed a check is never left live.
   */
  public static DecryptionSession open(MessageHeader header, DecryptionMaterials materials,
      Map<String, String> reproducedContext) {
    try {
      return openChecked(header, materials);
    } catch (RuntimeException e) {
      materials.dataKey().ifPresent(DataKey::destroy);
      throw e;
    }
  }

  private static DecryptionSession openChecked(MessageHeader header, DecryptionMaterials materials) {
    AlgorithmSuite suite = header.suite();
    checkRequiredContext(header, materials);
    byte[] dataKey = materials.dataKey().orElseThrow().toByteArray();
    DerivedKeys keys = null;
    try {
      keys = DerivedKeys.derive(suite, dataKey, header.messageId());
      if (suite.isCommitting() && !MessageDigest.isEqual(keys.commitKey(), header.suiteData())) {
        throw new AuthenticationFailedException("Key commitment does not match: the message was not made with "
            + "this data key (wrapping key " + materials.wrappingKeyIds() + ")");
      }
      FrameCipher frames = new FrameCipher(keys.encryptionKey(), header.messageId());
      Map<String, String> onlyAuthenticated = new TreeMap<>();
      for (String key : materials.requiredContextKeys()) {
        if (!header.storedContext().containsKey(key)) {
          onlyAuthenticated.put(key, materials.encryptionContext().get(key));
        }
      }
      verifyHeaderTag(header, frames, onlyAuthenticated);

      Signature verifier = null;
      if (suite.isSigned()) {
        verifier = Signature.getInstance(suite.signature().jcaAlgorithm());
        verifier.initVerify(materials.verificationKey().orElseThrow(() ->
            new EnvelopeException("Materials manager returned no verification key for signed suite " + suite)));
        verifier.update(header.body());
        if (suite.messageFormatVersion() == 1) {
          verifier.update(header.headerIv());
        }
        verifier.update(header.authTag());
      }
      Map<String, String> verified = new HashMap<>(header.storedContext());
      verified.putAll(onlyAuthenticated);
      DecryptionSession session = new DecryptionSession(header, materials, keys, frames, verifier,
          Map.copyOf(verified));
      keys = null; // owned by the session now
      return session;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Cannot start decryption with " + suite + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
      if (keys != null) {
        keys.destroy();
      }
    }
  }

  /**
   * The values of required context keys must be the ones stored in the header (ESDK decrypt spec), so that a
   * materials manager cannot swap them; keys not stored are authenticated by the header tag instead.
   */
  private static void checkRequiredContext(MessageHeader header, DecryptionMaterials materials) {
    for (String key : materials.requiredContextKeys()) {
      String stored = header.storedContext().get(key);
      String value = materials.encryptionContext().get(key);
      if (value == null || stored != null && !stored.equals(value)) {
        throw new EncryptionContextMismatchException("Encryption context key '" + key
            + "' differs from the value the message was made with");
      }
    }
  }

  private static void verifyHeaderTag(MessageHeader header, FrameCipher frames,
      Map<String, String> onlyAuthenticated) throws GeneralSecurityException {
    try {
      frames.verifyHeaderTag(header.body(), EncryptionContextCodec.serialize(onlyAuthenticated),
          header.headerIv(), header.authTag());
    } catch (AEADBadTagException e) {
      // Tell "you expected context the message does not have" apart from tampering: the same tag with nothing
      // but the stored context verifies only in the first case.
      if (!onlyAuthenticated.isEmpty()) {
        try {
          frames.verifyHeaderTag(header.body(), new byte[0], header.headerIv(), header.authTag());
          throw new EncryptionContextMismatchException("Expected encryption context keys "
              + new TreeSet<>(onlyAuthenticated.keySet()) + " are not part of this message's context");
        } catch (AEADBadTagException ignored) {
          // fall through to the tampering error
        }
      }
      throw new AuthenticationFailedException("Header authentication failed: the header was modified, or the "
          + "expected encryption context differs from the one the message was made with");
    }
  }

  public MessageHeader header() {
    return header;
  }

  public DecryptionMaterials materials() {
    return materials;
  }

  /** The context the header authenticated: stored pairs plus the reproduced pairs that were not stored. */
  public Map<String, String> verifiedContext() {
    return verifiedContext;
  }

  public boolean signed() {
    return verifier != null;
  }

  /** Decrypts a frame ({@link FrameCipher#open}); a bad tag becomes {@link AuthenticationFailedException}. */
  public int openFrame(long seq, boolean last, byte[] iv, int ivOffset, byte[] in, int inOffset, int length,
      byte[] out, int outOffset) {
    return openFrame(frames, seq, last, iv, ivOffset, in, inOffset, length, out, outOffset);
  }

  /**
   * A frame cipher of its own over this session's key, for one of several threads opening frames of this message
   * at once (a parallel ranged download): a {@link FrameCipher} is not thread-safe, the key under it is.
   */
  public FrameCipher newFrameCipher() {
    try {
      return new FrameCipher(keys.encryptionKey(), header.messageId());
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  /**
   * This message's keys for encrypting more of its parts (a multipart upload resumed by another process):
   * {@code serializedHeader} is the header as written, which this session authenticated. The session is handed
   * over: destroying the keys destroys it.
   *
   * @throws IllegalArgumentException if {@code serializedHeader} is not exactly this session's header
   */
  public PartKeys forResumedParts(byte[] serializedHeader) {
    if (serializedHeader.length != header.serializedLength()) {
      throw new IllegalArgumentException("The header given is " + serializedHeader.length + " bytes, the message's "
          + "header " + header.serializedLength() + ": pass the header exactly as written");
    }
    if (signed()) {
      throw new PolicyViolationException("Parts of a signed message cannot be encrypted apart: " + header.suite());
    }
    byte[] copy = serializedHeader.clone();
    DecryptionSession session = this;
    return new PartKeys() {
      @Override
      public byte[] header() {
        return copy;
      }

      @Override
      public byte[] messageId() {
        return header.messageId().clone();
      }

      @Override
      public AlgorithmSuite suite() {
        return header.suite();
      }

      @Override
      public int frameLength() {
        return header.frameLength();
      }

      @Override
      public FrameCipher newFrameCipher() {
        try {
          return FrameCipher.dedicated(keys.encryptionKey(), header.messageId());
        } catch (GeneralSecurityException e) {
          throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
        }
      }

      @Override
      public void destroy() {
        session.destroy();
      }
    };
  }

  /**
   * This message's header as it would be with {@code edks} as its encrypted data keys: the same version, suite,
   * message id, stored context, content type, frame length and commitment, and a header tag computed under this
   * session's key over the new body and the context the header authenticated without storing. The body of the
   * message (its frames, whose AAD names only the message id) stays valid behind it. Unsigned suites only: a
   * signature covers the header.
   */
  public byte[] headerWithDataKeys(List<EncryptedDataKey> edks) {
    if (signed()) {
      throw new PolicyViolationException("The header of a signed message cannot be replaced: " + header.suite());
    }
    Map<String, String> onlyAuthenticated = new TreeMap<>(verifiedContext);
    onlyAuthenticated.keySet().removeAll(header.storedContext().keySet());
    byte[] body = HeaderCodec.withDataKeys(header, edks);
    try {
      // Version 1 stores its header IV, so the new header gets a fresh one. Version 2 fixes it at zero, so its new
      // tag and the original are two AES-GCM tags under one key and IV over different headers; the JDK refuses
      // that within one cipher object, hence one of its own. The cost is spelled out on Envelope.rewrapHeader.
      byte[] headerIv = header.suite().messageFormatVersion() == 1 ? SecureRandoms.bytes(12) : new byte[12];
      byte[] tag = FrameCipher.dedicated(keys.encryptionKey(), header.messageId())
          .headerTag(body, EncryptionContextCodec.serialize(onlyAuthenticated), headerIv);
      ByteWriter out = new ByteWriter(body.length + headerIv.length + tag.length);
      out.bytes(body);
      if (header.suite().messageFormatVersion() == 1) {
        out.bytes(headerIv);
      }
      return out.bytes(tag).toByteArray();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
  }

  /** {@link #openFrame} with the given cipher, one from {@link #newFrameCipher()}. */
  public static int openFrame(FrameCipher frames, long seq, boolean last, byte[] iv, int ivOffset, byte[] in,
      int inOffset, int length, byte[] out, int outOffset) {
    try {
      return frames.open(seq, last, iv, ivOffset, in, inOffset, length, out, outOffset);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("Frame " + seq + " failed authentication: the message was modified");
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM decryption failed: " + e.getMessage(), e);
    }
  }

  public int openSingleBlock(byte[] iv, int ivOffset, byte[] in, int inOffset, int length, byte[] out,
      int outOffset) {
    try {
      return frames.openSingleBlock(iv, ivOffset, in, inOffset, length, out, outOffset);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("Message body failed authentication: the message was modified");
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM decryption failed: " + e.getMessage(), e);
    }
  }

  /** Adds body bytes (exactly as read) to the signature. */
  public void updateSignature(byte[] bytes, int offset, int length) {
    if (verifier != null) {
      try {
        verifier.update(bytes, offset, length);
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("ECDSA verification failed: " + e.getMessage(), e);
      }
    }
  }

  /** Checks the footer signature over everything before it. */
  public void verifySignature(byte[] signature) {
    boolean valid;
    try {
      valid = verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      valid = false; // malformed DER: as good as a wrong signature
    }
    if (!valid) {
      throw new AuthenticationFailedException("Message signature does not verify: the message was modified");
    }
  }

  public void destroy() {
    keys.destroy();
    materials.dataKey().ifPresent(DataKey::destroy);
  }
}
