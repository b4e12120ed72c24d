package dev.envelope.s3;

/** Opens the plaintext of part {@code offset..offset+length} of a seekable source (a file). */
@FunctionalInterface
interface PartSource {
  ContentSource part(long offset, long length);
}
