package dev.envelope.core;

import java.util.List;

/**
 * A message header with new encrypted data keys for the same data key ({@link Envelope#rewrapHeader}). Writing
 * {@link #header()} followed by the original message's bytes from {@link #originalHeaderLength()} on gives a message
 * that decrypts to the same plaintext, with the same message id, under the new wrapping keys only.
 *
 * <p>Immutable; holds no plaintext key.
 */
public final class RewrappedHeader {
  private final byte[] header;
  private final int originalHeaderLength;
  private final AlgorithmSuite suite;
  private final byte[] messageId;
  private final int frameLength;
  private final List<String> previousWrappingKeyIds;
  private final List<String> wrappingKeyIds;

  RewrappedHeader(byte[] header, int originalHeaderLength, AlgorithmSuite suite, byte[] messageId, int frameLength,
      List<String> previousWrappingKeyIds, List<String> wrappingKeyIds) {
    this.header = header.clone();
    this.originalHeaderLength = originalHeaderLength;
    this.suite = suite;
    this.messageId = messageId.clone();
    this.frameLength = frameLength;
    this.previousWrappingKeyIds = List.copyOf(previousWrappingKeyIds);
    this.wrappingKeyIds = List.copyOf(wrappingKeyIds);
  }

  /** The new serialized header: body, (v1) IV, tag. */
  public byte[] header() {
    return header.clone();
  }

  /** Bytes of the original message's header: its body starts there. */
  public int originalHeaderLength() {
    return originalHeaderLength;
  }

  public AlgorithmSuite suite() {
    return suite;
  }

  public byte[] messageId() {
    return messageId.clone();
  }

  /** 0 for a non-framed message. */
  public int frameLength() {
    return frameLength;
  }

  /** The key that unwrapped the data key. */
  public List<String> previousWrappingKeyIds() {
    return previousWrappingKeyIds;
  }

  /** The keys the new header's encrypted data keys are wrapped under. */
  public List<String> wrappingKeyIds() {
    return wrappingKeyIds;
  }

  /** How much longer (or, negative, shorter) the new message is than the original. */
  public int lengthChange() {
    return header.length - originalHeaderLength;
  }

  @Override
  public String toString() {
    return "RewrappedHeader[" + suite + ", " + previousWrappingKeyIds + " -> " + wrappingKeyIds + ", header "
        + originalHeaderLength + " -> " + header.length + " bytes]";
  }
}
