package dev.envelope.dynamodb.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.spi.ByteReader;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptedDataKeyCodec;
import dev.envelope.core.spi.EncryptionContextCodec;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The item header attribute's value:
 * <pre>
 * u8  version (1)          u16 suite id          32 bytes message id
 * u16 stored-context length || context (ESDK serialization; empty unless the suite signs)
 * u8  encrypted data key count (1..255) || each: u16 len || provider id, u16 len || provider info,
 *                                                u16 len || ciphertext
 * u16 legend length || legend: 'e' or 's' per signed attribute, in canonical (sorted name) order
 * 32 bytes key commitment
 * </pre>
 */
public record ItemHeader(AlgorithmSuite suite, byte[] messageId, Map<String, String> storedContext,
    List<EncryptedDataKey> encryptedDataKeys, byte[] legend, byte[] commitment) {
  public static final int VERSION = 1;
  public static final int MESSAGE_ID_LENGTH = 32;
  public static final int COMMITMENT_LENGTH = 32;

  public byte[] serialize() {
    ByteWriter out = new ByteWriter(256);
    byte[] context = EncryptionContextCodec.serialize(storedContext);
    out.u8(VERSION).u16(suite.id() & 0xFFFF).bytes(messageId).u16(context.length).bytes(context);
    if (encryptedDataKeys.isEmpty() || encryptedDataKeys.size() > 255) {
      throw new IllegalArgumentException("an item holds 1 to 255 encrypted data keys, not "
          + encryptedDataKeys.size());
    }
    out.u8(encryptedDataKeys.size());
    EncryptedDataKeyCodec.write(out, encryptedDataKeys);
    out.u16(legend.length).bytes(legend).bytes(commitment);
    return out.toByteArray();
  }

  /**
   * Parses a header; {@code maxEncryptedDataKeys} bounds the work a forged header can cause (each key may mean a
   * KMS call).
   *
   * @throws IllegalArgumentException naming what is wrong (never echoing bytes)
   */
  public static ItemHeader parse(byte[] bytes, int maxEncryptedDataKeys) {
    ByteReader in = new ByteReader(bytes);
    try {
      int version = in.u8();
      if (version != VERSION) {
        throw new IllegalArgumentException("header version " + version + " is not supported (this library "
            + "reads version " + VERSION + ")");
      }
      int suiteId = in.u16();
      AlgorithmSuite suite = AlgorithmSuite.fromId(suiteId);
      if (suite == null) {
        throw new IllegalArgumentException(String.format("header names unknown suite 0x%04X", suiteId));
      }
      if (!suite.isCommitting() || suite.kdf() != AlgorithmSuite.Kdf.HKDF_SHA512) {
        throw new IllegalArgumentException("header names suite " + suite + ", which items never use");
      }
      byte[] messageId = in.bytes(MESSAGE_ID_LENGTH);
      Map<String, String> context = EncryptionContextCodec.deserialize(in.bytes(in.u16()));
      int count = in.u8();
      if (count == 0) {
        throw new IllegalArgumentException("header has no encrypted data key");
      }
      if (count > maxEncryptedDataKeys) {
        throw new IllegalArgumentException("header has " + count + " encrypted data keys; the limit is "
            + maxEncryptedDataKeys);
      }
      List<EncryptedDataKey> edks = EncryptedDataKeyCodec.read(() -> in.bytes(in.u16()), count);
      byte[] legend = in.bytes(in.u16());
      for (byte b : legend) {
        if (b != 'e' && b != 's') {
          throw new IllegalArgumentException("header legend holds an unknown action byte");
        }
      }
      byte[] commitment = in.bytes(COMMITMENT_LENGTH);
      if (!in.atEnd()) {
        throw new IllegalArgumentException("header has " + in.remaining() + " bytes after its end");
      }
      return new ItemHeader(suite, messageId, context, edks, legend, commitment);
    } catch (IOException e) { // only ByteReader.TruncatedException: the input is an array
      throw new IllegalArgumentException("header is truncated (" + e.getMessage() + ")");
    } catch (MalformedMessageException e) {
      throw new IllegalArgumentException("header is malformed: " + e.getMessage());
    }
  }
}
