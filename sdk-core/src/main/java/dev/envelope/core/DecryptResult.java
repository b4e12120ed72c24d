package dev.envelope.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a successful decrypt: the plaintext (owned by the caller), the encryption context the message
 * authenticated, the wrapping key that decrypted its data key, its suite and message id. Every field was verified
 * before this object was made.
 */
public final class DecryptResult {
  private final byte[] plaintext;
  private final Map<String, String> encryptionContext;
  private final List<String> wrappingKeyIds;
  private final AlgorithmSuite suite;
  private final byte[] messageId;

  DecryptResult(byte[] plaintext, Map<String, String> encryptionContext, List<String> wrappingKeyIds,
      AlgorithmSuite suite, byte[] messageId) {
    this.plaintext = Objects.requireNonNull(plaintext);
    this.encryptionContext = Map.copyOf(encryptionContext);
    this.wrappingKeyIds = List.copyOf(wrappingKeyIds);
    this.suite = suite;
    this.messageId = messageId.clone();
  }

  /** The plaintext. Not copied: the array belongs to the caller, who may zero it when done. */
  public byte[] plaintext() {
    return plaintext;
  }

  /**
   * The verified encryption context: the pairs stored in the message plus the expected pairs it authenticated
   * without storing. Signed messages also carry {@code aws-crypto-public-key}.
   */
  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  public List<String> wrappingKeyIds() {
    return wrappingKeyIds;
  }

  public AlgorithmSuite suite() {
    return suite;
  }

  public byte[] messageId() {
    return messageId.clone();
  }

  @Override
  public String toString() {
    return "DecryptResult[" + plaintext.length + " bytes, suite=" + suite + ", keys=" + wrappingKeyIds
        + ", contextKeys=" + encryptionContext.keySet() + "]";
  }
}
