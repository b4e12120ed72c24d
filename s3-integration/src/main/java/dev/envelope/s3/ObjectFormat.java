package dev.envelope.s3;

/** How an object is encrypted. Every format is read; the first three can be written. */
public enum ObjectFormat {
  /**
   * Default: the object body is one AWS Encryption SDK message (suite 0x0478, framed); object metadata holds only
   * a marker. Multipart parts are encrypted independently (parallel, retried); ranged reads fetch only the
   * frames they need and authenticate every byte they return.
   */
  ENVELOPE_FRAMED,
  /** S3 Encryption Client V3 (the S3EC for Java v4 default): AES-GCM with key commitment, compressed mapkeys. */
  S3EC_V3,
  /** S3 Encryption Client V2 (the S3EC for Java v3 default): AES-GCM without key commitment. */
  S3EC_V2,
  /** S3 Encryption Client V1 (SDK v1): AES-CBC, unauthenticated. Read only, with legacy modes enabled. */
  S3EC_V1;

  boolean writable() {
    return this != S3EC_V1;
  }
}
