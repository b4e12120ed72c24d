package dev.envelope.core;

/**
 * The eleven AWS Encryption SDK algorithm suites. Every suite encrypts with AES-GCM (12-byte IV, 16-byte tag);
 * they differ in key length, key derivation, key commitment and trailing signature.
 *
 * <p>{@link #AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384} (0x0578) is the default, as in the AWS Encryption
 * SDK. {@link #AES_256_GCM_HKDF_SHA512_COMMIT_KEY} (0x0478) is committing but unsigned: about 60 times cheaper
 * for small messages and the one to use where frames must be read independently (ranged reads).
 */
public enum AlgorithmSuite {
  AES_128_GCM_IV12_TAG16_NO_KDF(0x0014, 1, 16, Kdf.IDENTITY, false, Signature.NONE),
  AES_192_GCM_IV12_TAG16_NO_KDF(0x0046, 1, 24, Kdf.IDENTITY, false, Signature.NONE),
  AES_256_GCM_IV12_TAG16_NO_KDF(0x0078, 1, 32, Kdf.IDENTITY, false, Signature.NONE),
  AES_128_GCM_IV12_TAG16_HKDF_SHA256(0x0114, 1, 16, Kdf.HKDF_SHA256, false, Signature.NONE),
  AES_192_GCM_IV12_TAG16_HKDF_SHA256(0x0146, 1, 24, Kdf.HKDF_SHA256, false, Signature.NONE),
  AES_256_GCM_IV12_TAG16_HKDF_SHA256(0x0178, 1, 32, Kdf.HKDF_SHA256, false, Signature.NONE),
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256(0x0214, 1, 16, Kdf.HKDF_SHA256, false, Signature.ECDSA_P256),
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384(0x0346, 1, 24, Kdf.HKDF_SHA384, false, Signature.ECDSA_P384),
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384(0x0378, 1, 32, Kdf.HKDF_SHA384, false, Signature.ECDSA_P384),
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY(0x0478, 2, 32, Kdf.HKDF_SHA512, true, Signature.NONE),
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384(0x0578, 2, 32, Kdf.HKDF_SHA512, true, Signature.ECDSA_P384);

  /** Key derivation of the suite; the identity suites use the data key as the AES key. */
  public enum Kdf {
    IDENTITY(null),
    HKDF_SHA256("HmacSHA256"),
    HKDF_SHA384("HmacSHA384"),
    HKDF_SHA512("HmacSHA512");

    private final String macAlgorithm;

    Kdf(String macAlgorithm) {
      this.macAlgorithm = macAlgorithm;
    }

    /** The JCA HMAC name, or null for {@link #IDENTITY}. */
    public String macAlgorithm() {
      return macAlgorithm;
    }
  }

  /** Trailing signature of the suite. */
  public enum Signature {
    NONE(null, null, 0),
    ECDSA_P256("SHA256withECDSA", "secp256r1", 32),
    ECDSA_P384("SHA384withECDSA", "secp384r1", 48);

    private final String jcaAlgorithm;
    private final String curve;
    private final int fieldBytes;

    Signature(String jcaAlgorithm, String curve, int fieldBytes) {
      this.jcaAlgorithm = jcaAlgorithm;
      this.curve = curve;
      this.fieldBytes = fieldBytes;
    }

    public String jcaAlgorithm() {
      return jcaAlgorithm;
    }

    public String curve() {
      return curve;
    }

    /** Bytes of one field element: the compressed public key is one more. */
    public int fieldBytes() {
      return fieldBytes;
    }
  }

  /** AES-GCM IV length of every suite. */
  public static final int IV_LENGTH = 12;
  /** AES-GCM tag length of every suite. */
  public static final int TAG_LENGTH = 16;

  private final short id;
  private final int messageFormatVersion;
  private final int dataKeyLength;
  private final Kdf kdf;
  private final boolean committing;
  private final Signature signature;

  AlgorithmSuite(int id, int messageFormatVersion, int dataKeyLength, Kdf kdf, boolean committing,
      Signature signature) {
    this.id = (short) id;
    this.messageFormatVersion = messageFormatVersion;
    this.dataKeyLength = dataKeyLength;
    this.kdf = kdf;
    this.committing = committing;
    this.signature = signature;
  }

  /** The two-byte suite id written in the message header, e.g. 0x0578. */
  public short id() {
    return id;
  }

  /** Message format version: 1 for the legacy suites, 2 for the committing ones. */
  public int messageFormatVersion() {
    return messageFormatVersion;
  }

  /** Length in bytes of the data key (the KDF input, and KMS's NumberOfBytes). */
  public int dataKeyLength() {
    return dataKeyLength;
  }

  /** Length in bytes of the AES key the frames are encrypted with; equal to the data key length. */
  public int encryptionKeyLength() {
    return dataKeyLength;
  }

  public Kdf kdf() {
    return kdf;
  }

  public boolean isCommitting() {
    return committing;
  }

  public Signature signature() {
    return signature;
  }

  public boolean isSigned() {
    return signature != Signature.NONE;
  }

  /** Message id length: 16 bytes in format version 1, 32 in version 2. */
  public int messageIdLength() {
    return messageFormatVersion == 1 ? 16 : 32;
  }

  /**
   * Whether materials of this suite may be reused across messages. Suites without a KDF encrypt every message
   * with the data key itself, so reusing it would reuse (key, IV) pairs; the AWS Encryption SDK never caches them.
   */
  public boolean isSafeToCache() {
    return kdf != Kdf.IDENTITY;
  }

  /** The suite with this id, or null if the id is not an AWS Encryption SDK suite. */
  public static AlgorithmSuite fromId(int id) {
    for (AlgorithmSuite suite : values()) {
      if ((suite.id & 0xFFFF) == (id & 0xFFFF)) {
        return suite;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return String.format("%s(0x%04X)", name(), id & 0xFFFF);
  }
}
