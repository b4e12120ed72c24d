package dev.envelope.lambda;

/**
 * A decrypted document handed to {@link EncryptedDocumentHandler#process}: where it came from and its plaintext.
 * The array is the handler's own copy; it is not kept after {@code process} returns.
 */
public record Document(ObjectRef source, byte[] content) {
  /** Deliberately without the content: documents end up in log lines. */
  @Override
  public String toString() {
    return "Document[" + source + ", " + content.length + " bytes]";
  }
}
