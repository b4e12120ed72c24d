package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.internal.crypto.DerivedKeys;
import dev.envelope.core.internal.format.FrameCipher;
import dev.envelope.core.internal.format.HeaderCodec;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.SecureRandoms;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Encrypts one message: builds and authenticates the header, seals frames, signs. Shared by the one-shot and
 * streaming encryptors. Not thread-safe.
 */
public final class EncryptionSession implements PartKeys {
  private final EncryptionMaterials materials;
  private final DerivedKeys keys;
  private final FrameCipher frames;
  private final Signature signer;
  private final byte[] messageId;
  private final byte[] header;
  private final int frameLength;

  private EncryptionSession(EncryptionMaterials materials, DerivedKeys keys, FrameCipher frames, Signature signer,
      byte[] messageId, byte[] header, int frameLength) {
    this.materials = materials;
    this.keys = keys;
    this.frames = frames;
    this.signer = signer;
    this.messageId = messageId;
    this.header = header;
    this.frameLength = frameLength;
  }

  public static EncryptionSession start(EncryptionMaterials materials, int frameLength) {
    AlgorithmSuite suite = materials.suite();
    DataKey dataKey = materials.dataKey()
        .orElseThrow(() -> new EnvelopeException("Materials manager returned no data key"));
    if (materials.encryptedDataKeys().isEmpty()) {
      throw new EnvelopeException("Materials manager returned no encrypted data key: the message could never be "
          + "decrypted");
    }
    Map<String, String> stored = new HashMap<>(materials.encryptionContext());
    Map<String, String> onlyAuthenticated = new HashMap<>();
    for (String key : materials.requiredContextKeys()) {
      onlyAuthenticated.put(key, stored.remove(key));
    }
    byte[] storedBytes = EncryptionContextCodec.serialize(stored);
    if (storedBytes.length > 0xFFFF) {
      throw new PolicyViolationException("Encryption context serializes to " + storedBytes.length
          + " bytes; the message format allows 65535");
    }
    byte[] messageId = SecureRandoms.bytes(suite.messageIdLength());
    byte[] dataKeyBytes = dataKey.toByteArray();
    try {
      DerivedKeys keys = DerivedKeys.derive(suite, dataKeyBytes, messageId);
      byte[] suiteData = suite.isCommitting() ? keys.commitKey() : new byte[0];
      byte[] body = HeaderCodec.serializeBody(suite, messageId, storedBytes, materials.encryptedDataKeys(),
          frameLength, suiteData);
      FrameCipher frames = new FrameCipher(keys.encryptionKey(), messageId);
      byte[] headerIv = new byte[AlgorithmSuite.IV_LENGTH];
      byte[] tag = frames.headerTag(body, EncryptionContextCodec.serialize(onlyAuthenticated), headerIv);
      byte[] header = Arrays.copyOf(body, body.length + (suite.messageFormatVersion() == 1 ? 12 : 0) + 16);
      int p = body.length;
      if (suite.messageFormatVersion() == 1) {
        p += headerIv.length; // the v1 header IV: 12 zero bytes, already zero in the copy
      }
      System.arraycopy(tag, 0, header, p, tag.length);
      Signature signer = null;
      if (suite.isSigned()) {
        signer = Signature.getInstance(suite.signature().jcaAlgorithm());
        signer.initSign(materials.signingKey().orElseThrow(), SecureRandoms.get());
        signer.update(header);
      }
      return new EncryptionSession(materials, keys, frames, signer, messageId, header, frameLength);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Cannot start encryption with " + suite + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(dataKeyBytes, (byte) 0);
    }
  }

  public EncryptionMaterials materials() {
    return materials;
  }

  @Override
  public AlgorithmSuite suite() {
    return materials.suite();
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  @Override
  public int frameLength() {
    return frameLength;
  }

  /** The serialized header: body, v1 IV, tag. */
  @Override
  public byte[] header() {
    return header;
  }

  /** Seals one frame into {@code out} and adds it to the signature; returns the bytes written. */
  public int sealFrame(long seq, boolean last, byte[] plaintext, int offset, int length, byte[] out,
      int outOffset) {
    if (seq > FrameCipher.MAX_FRAMES - 1 && !last || seq > FrameCipher.MAX_FRAMES) {
      throw new EnvelopeException("Message would need more than 2^32 - 1 frames; use a larger frame length");
    }
    try {
      int n = frames.seal(seq, last, plaintext, offset, length, out, outOffset);
      if (signer != null) {
        signer.update(out, outOffset, n);
      }
      return n;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM encryption failed: " + e.getMessage(), e);
    }
  }

  /** The footer (u16 length || DER signature) for signed suites; empty otherwise. */
  public byte[] footer() {
    if (signer == null) {
      return new byte[0];
    }
    try {
      byte[] signature = signer.sign();
      byte[] footer = new byte[2 + signature.length];
      ByteWriter.putU16(footer, 0, signature.length);
      System.arraycopy(signature, 0, footer, 2, signature.length);
      return footer;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("ECDSA signing failed: " + e.getMessage(), e);
    }
  }

  /**
   * A frame cipher of its own over this message's key, for sealing frames on another thread (parts of one message
   * encrypted in parallel, and again on a retry). Frames sealed with it are not added to the signature: unsigned
   * suites only.
   */
  @Override
  public FrameCipher newFrameCipher() {
    if (signer != null) {
      throw new IllegalStateException("frames of a signed message must be sealed in order through sealFrame");
    }
    try {
      return FrameCipher.dedicated(keys.encryptionKey(), messageId);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
  }

  /** Zeroes derived keys and the data key of these materials. */
  @Override
  public void destroy() {
    keys.destroy();
    materials.dataKey().ifPresent(DataKey::destroy);
  }
}
