package dev.envelope.dynamodb.internal.dbe;

/**
 * The two algorithm suites of the AWS Database Encryption SDK: AES-256-GCM with HKDF-SHA512 and key commitment,
 * HMAC-SHA384 recipient tags, intermediate key wrapping; 0x6701 adds an ECDSA P-384 signature (the AWS default).
 * The header's flavor byte names the suite.
 */
public enum DbeSuite {
  /** {@code ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384}. */
  SYMMETRIC_SIGNATURE_ONLY(0x6700, 0),
  /** {@code ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384}, the AWS default. */
  ECDSA_P384(0x6701, 1);

  private final int id;
  private final int flavor;

  DbeSuite(int id, int flavor) {
    this.id = id;
    this.flavor = flavor;
  }

  public int id() {
    return id;
  }

  /** The header's flavor byte. */
  public int flavor() {
    return flavor;
  }

  public boolean isSigned() {
    return this == ECDSA_P384;
  }

  /** The suite of a header's flavor byte. */
  public static DbeSuite ofFlavor(int flavor) {
    for (DbeSuite suite : values()) {
      if (suite.flavor == flavor) {
        return suite;
      }
    }
    throw new DbeFormatException(String.format("Unknown algorithm suite flavor 0x%02X in aws_dbe_head", flavor));
  }

  @Override
  public String toString() {
    return String.format("0x%04X", id);
  }
}
