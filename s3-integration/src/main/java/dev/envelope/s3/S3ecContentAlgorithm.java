package dev.envelope.s3;

/**
 * The content ciphers of the S3 Encryption Client formats, with the names their metadata and key wrapping use.
 * V1's CBC is read only, and only when legacy modes are enabled.
 */
public enum S3ecContentAlgorithm {
  /** V3: AES-256-GCM under an HKDF-SHA512 derived key, with a 28-byte key commitment (suite 0x0073, "115"). */
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY("115"),
  /** V2: AES-256-GCM with a random 12-byte IV and no key commitment. */
  AES_256_GCM("AES/GCM/NoPadding"),
  /** V1: AES-CBC with PKCS#5 padding; unauthenticated. Read only, with legacy modes enabled. */
  AES_256_CBC("AES/CBC/PKCS5Padding");

  private final String cekAlgorithm;

  S3ecContentAlgorithm(String cekAlgorithm) {
    this.cekAlgorithm = cekAlgorithm;
  }

  /**
   * The name in {@code x-amz-cek-alg} / {@code x-amz-c}, in the KMS context entry {@code aws:x-amz-cek-alg}, and
   * in the AAD of AES/GCM key wrapping and the RSA pseudo data key.
   */
  public String cekAlgorithm() {
    return cekAlgorithm;
  }
}
