package dev.envelope.core;

/**
 * Which suites may be used to encrypt and which messages may be decrypted, as in the AWS Encryption SDK.
 * Key commitment guarantees that a message decrypts to one plaintext only, whatever data key is tried.
 */
public enum CommitmentPolicy {
  /** Encrypt with non-committing (format version 1) suites only; decrypt anything. For migration only. */
  FORBID_ENCRYPT_ALLOW_DECRYPT,
  /** Encrypt with committing suites; decrypt anything. For migration only. */
  REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  /** Committing suites both ways. The default. */
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT;

  public boolean allowsEncrypt(AlgorithmSuite suite) {
    return this == FORBID_ENCRYPT_ALLOW_DECRYPT ? !suite.isCommitting() : suite.isCommitting();
  }

  public boolean allowsDecrypt(AlgorithmSuite suite) {
    return this != REQUIRE_ENCRYPT_REQUIRE_DECRYPT || suite.isCommitting();
  }

  /** The suite used when the caller names none: 0x0578, or 0x0378 when commitment is forbidden (as the ESDK). */
  public AlgorithmSuite defaultSuite() {
    return this == FORBID_ENCRYPT_ALLOW_DECRYPT
        ? AlgorithmSuite.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384
        : AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
  }
}
