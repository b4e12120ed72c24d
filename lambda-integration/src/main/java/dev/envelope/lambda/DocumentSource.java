package dev.envelope.lambda;

import java.io.IOException;

/** Where a document comes from (an object, a file): the version its archive records, and its plaintext. */
interface DocumentSource {
  /** The version an archive of this document records; may cost a HEAD or a read. */
  String version() throws IOException;

  /** The decrypted document and the version actually read. */
  Read read() throws IOException;

  /** A decrypted document and the version it was read at. */
  record Read(byte[] content, String version) {}
}
