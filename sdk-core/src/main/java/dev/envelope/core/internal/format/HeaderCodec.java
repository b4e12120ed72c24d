package dev.envelope.core.internal.format;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptedDataKeyCodec;
import dev.envelope.core.spi.EncryptionContextCodec;
import java.io.IOException;
import java.util.List;

/**
 * Header body layout (ESDK spec, data-format/message-header.md), all integers big-endian:
 * <pre>
 * v1: 01 | 80 | suite(2) | messageId(16) | aadLen(2) | context | edkCount(2) | edks | contentType(1)
 *     | reserved 00000000 | ivLen 0C | frameLength(4)          then header IV(12) | tag(16)
 * v2: 02 | suite(2) | messageId(32) | aadLen(2) | context | edkCount(2) | edks | contentType(1)
 *     | frameLength(4) | commitKey(32)                       then tag(16)
 * edk: u16 len | providerId | u16 len | providerInfo | u16 len | ciphertext
 * </pre>
 */
public final class HeaderCodec {
  /** Largest frame this implementation decrypts: a frame must fit in one Java array. */
  public static final int MAX_FRAME_LENGTH = Integer.MAX_VALUE - 64;

  private HeaderCodec() {}

  /** Serializes a header body. Lengths were validated by the caller (context size, EDK fields). */
  public static byte[] serializeBody(AlgorithmSuite suite, byte[] messageId, byte[] storedContext,
      List<EncryptedDataKey> edks, int frameLength, byte[] suiteData) {
    ByteWriter out = new ByteWriter(256);
    int version = suite.messageFormatVersion();
    out.u8(version);
    if (version == 1) {
      out.u8(0x80);
    }
    out.u16(suite.id()).bytes(messageId).u16Prefixed(storedContext).u16(edks.size());
    EncryptedDataKeyCodec.write(out, edks);
    out.u8(ContentType.FRAMED.code());
    if (version == 1) {
      out.u32(0).u8(AlgorithmSuite.IV_LENGTH);
    }
    out.u32(frameLength);
    if (version == 2) {
      out.bytes(suiteData);
    }
    return out.toByteArray();
  }

  /**
   * {@code header}'s body with {@code edks} in place of its encrypted data keys; every other byte (the stored
   * context exactly as written, content type, frame length, commitment) is kept.
   */
  public static byte[] withDataKeys(MessageHeader header, List<EncryptedDataKey> edks) {
    byte[] body = header.body();
    int version = header.suite().messageFormatVersion();
    int contextAt = (version == 1 ? 2 : 1) + 2 + header.messageId().length;
    int edksAt = contextAt + 2 + ((body[contextAt] & 0xFF) << 8 | body[contextAt + 1] & 0xFF);
    int tailLength = 1 + (version == 1 ? 4 + 1 : 0) + 4 + header.suiteData().length;
    ByteWriter out = new ByteWriter(body.length + 64 * edks.size());
    out.bytes(body, 0, edksAt).u16(edks.size());
    EncryptedDataKeyCodec.write(out, edks);
    return out.bytes(body, body.length - tailLength, tailLength).toByteArray();
  }

  /**
   * Parses a header, stopping as soon as something is wrong: an unknown version or suite, more encrypted data
   * keys than {@code maxEncryptedDataKeys} (before any of them is read), a bad reserved field, a frame longer than
   * {@code maxFrameLength} (before any frame buffer is allocated).
   */
  public static MessageHeader parse(ByteInput in, int maxEncryptedDataKeys, int maxFrameLength) throws IOException {
    in.beginCapture();
    int version = in.readUnsignedByte();
    if (version != 1 && version != 2) {
      throw new MalformedMessageException(describeBadVersion(version));
    }
    if (version == 1) {
      int type = in.readUnsignedByte();
      if (type != 0x80) {
        throw new MalformedMessageException(String.format("Unknown message type 0x%02X (expected 0x80)", type));
      }
    }
    int suiteId = in.readUnsignedShort();
    AlgorithmSuite suite = AlgorithmSuite.fromId(suiteId);
    if (suite == null) {
      throw new MalformedMessageException(String.format(
          "Unknown algorithm suite 0x%04X: not an AWS Encryption SDK message suite", suiteId));
    }
    if (suite.messageFormatVersion() != version) {
      throw new MalformedMessageException(String.format(
          "Algorithm suite %s belongs to message format version %d, but the header is version %d",
          suite, suite.messageFormatVersion(), version));
    }
    byte[] messageId = in.readBytes(suite.messageIdLength());
    int aadLength = in.readUnsignedShort();
    var storedContext = EncryptionContextCodec.deserialize(in.readBytes(aadLength));

    int edkCount = in.readUnsignedShort();
    if (edkCount == 0) {
      throw new MalformedMessageException("Message has no encrypted data keys");
    }
    if (edkCount > maxEncryptedDataKeys) {
      throw new PolicyViolationException("Message has " + edkCount + " encrypted data keys, over the configured "
          + "maximum of " + maxEncryptedDataKeys + " (Envelope.Builder.maxEncryptedDataKeys)");
    }
    List<EncryptedDataKey> edks = EncryptedDataKeyCodec.read(() -> in.readBytes(in.readUnsignedShort()), edkCount);
    int contentTypeCode = in.readUnsignedByte();
    ContentType contentType = ContentType.fromCode(contentTypeCode);
    if (contentType == null) {
      throw new MalformedMessageException(String.format("Unknown content type 0x%02X", contentTypeCode));
    }
    if (version == 1) {
      long reserved = in.readUnsignedInt();
      if (reserved != 0) {
        throw new MalformedMessageException("Reserved header field is not zero");
      }
      int ivLength = in.readUnsignedByte();
      if (ivLength != AlgorithmSuite.IV_LENGTH) {
        throw new MalformedMessageException("Header IV length is " + ivLength + ", the suite's is 12");
      }
    }
    long frameLength = in.readUnsignedInt();
    if (contentType == ContentType.FRAMED && frameLength == 0) {
      throw new MalformedMessageException("Framed message with a frame length of 0");
    }
    if (contentType == ContentType.NON_FRAMED && frameLength != 0) {
      throw new MalformedMessageException("Non-framed message with a frame length of " + frameLength);
    }
    if (frameLength > MAX_FRAME_LENGTH) {
      throw new MalformedMessageException("Frame length " + frameLength + " is over this implementation's "
          + MAX_FRAME_LENGTH);
    }
    if (frameLength > maxFrameLength) {
      throw new PolicyViolationException("Message frame length " + frameLength + " is over the configured maximum "
          + "of " + maxFrameLength + " (Envelope.Builder.maxFrameLength): a frame is held in memory whole before "
          + "its tag is checked");
    }
    byte[] suiteData = version == 2 ? in.readBytes(32) : new byte[0];
    byte[] body = in.endCapture();

    byte[] headerIv = version == 1 ? in.readBytes(AlgorithmSuite.IV_LENGTH) : new byte[AlgorithmSuite.IV_LENGTH];
    byte[] tag = in.readBytes(AlgorithmSuite.TAG_LENGTH);
    return new MessageHeader(suite, messageId, storedContext, edks, contentType, (int) frameLength,
        suiteData, body, headerIv, tag);
  }

  private static String describeBadVersion(int version) {
    // 'A' starts base64 of 0x01/0x02 ("AY..", "AgR4.."): a common mistake worth naming.
    if (version == 'A') {
      return "Message version byte is 0x41 ('A'): the input looks base64-encoded; decode it first";
    }
    return String.format("Unknown message format version 0x%02X (expected 0x01 or 0x02): not an AWS Encryption "
        + "SDK message", version);
  }
}
