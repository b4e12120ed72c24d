package dev.envelope.core;

import dev.envelope.core.internal.format.ContentType;
import dev.envelope.core.internal.format.HeaderCodec;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.internal.format.StreamByteInput;
import dev.envelope.core.keyring.WrappingKeyIds;
import dev.envelope.core.materials.EncryptedDataKey;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a message's header says, read without any key: suite, message id, framing, the stored encryption context and
 * the encrypted data keys with the wrapping keys they name. Nothing here is authenticated (the header tag needs
 * the data key): use it to find which keys protect which messages (an inventory), never to decide what to trust.
 *
 * <p>Immutable.
 */
public final class MessageInfo {
  private final MessageHeader header;

  private MessageInfo(MessageHeader header) {
    this.header = header;
  }

  /**
   * Reads one header from {@code in}, reading no further. Limits are the format's own, not a decrypting envelope's
   * (a header with many data keys or long frames is described, not refused).
   *
   * @throws MalformedMessageException if the bytes are not a message header (or end before it does)
   * @throws IOException if reading fails
   */
  public static MessageInfo read(InputStream in) throws IOException {
    Objects.requireNonNull(in, "in");
    return new MessageInfo(HeaderCodec.parse(new StreamByteInput(in), 0xFFFF, HeaderCodec.MAX_FRAME_LENGTH));
  }

  public AlgorithmSuite suite() {
    return header.suite();
  }

  public byte[] messageId() {
    return header.messageId().clone();
  }

  /** The message format version: 1 or 2. */
  public int formatVersion() {
    return header.suite().messageFormatVersion();
  }

  public boolean framed() {
    return header.contentType() == ContentType.FRAMED;
  }

  /** The frame length, 0 for a non-framed message. */
  public int frameLength() {
    return header.frameLength();
  }

  /** The context stored in the header (pairs authenticated without being stored are not here). */
  public Map<String, String> encryptionContext() {
    return header.storedContext();
  }

  public List<EncryptedDataKey> encryptedDataKeys() {
    return header.encryptedDataKeys();
  }

  /** The wrapping key each encrypted data key names, in order ({@link WrappingKeyIds}). */
  public List<String> wrappingKeyIds() {
    return header.encryptedDataKeys().stream().map(WrappingKeyIds::of).toList();
  }

  /** Bytes of the header as written; the body starts there. */
  public int headerLength() {
    return header.serializedLength();
  }

  @Override
  public String toString() {
    return "MessageInfo[" + header.suite() + ", keys " + wrappingKeyIds() + ", header " + headerLength() + " bytes]";
  }
}
