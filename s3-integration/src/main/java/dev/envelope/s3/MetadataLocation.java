package dev.envelope.s3;

/** Where the S3EC formats keep their metadata (the framed format keeps it in the object body). */
public enum MetadataLocation {
  /**
   * In object metadata, unless it would take S3's user-metadata budget (2 KB) past its limit together with the
   * caller's metadata; then in an instruction file.
   */
  OBJECT_METADATA,
  /** Always in an instruction file {@code <key>.instruction} (V3 keeps x-amz-c, -d and -i on the object). */
  INSTRUCTION_FILE
}
