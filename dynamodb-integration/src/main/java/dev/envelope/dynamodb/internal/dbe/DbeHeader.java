package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.spi.ByteReader;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code aws_dbe_head} attribute of the AWS Database Encryption SDK (its {@code Header.dfy}):
 * <pre>
 * version (1: 0x01, or 0x02 when an attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) || flavor (1)
 * || message id (32) || u16 legend length || legend ('e', 's', 'c' per signed attribute, canonical order)
 * || u16 pair count || stored encryption context (sorted by UTF-8 key bytes; the count is there even when 0)
 * || u8 EDK count (1..255) || EDKs (u16-prefixed provider id, provider info, ciphertext) || commitment (32)
 * </pre>
 * Immutable.
 */
public final class DbeHeader {
  public static final int MESSAGE_ID_LENGTH = 32;
  public static final int COMMITMENT_LENGTH = 32;

  private final int version;
  private final DbeSuite suite;
  private final byte[] messageId;
  private final byte[] legend;
  private final Map<String, String> storedContext;
  private final List<EncryptedDataKey> encryptedDataKeys;
  private final byte[] body;
  private final byte[] commitment;

  private DbeHeader(int version, DbeSuite suite, byte[] messageId, byte[] legend, Map<String, String> storedContext,
      List<EncryptedDataKey> encryptedDataKeys, byte[] body, byte[] commitment) {
    this.version = version;
    this.suite = suite;
    this.messageId = messageId;
    this.legend = legend;
    this.storedContext = storedContext;
    this.encryptedDataKeys = encryptedDataKeys;
    this.body = body;
    this.commitment = commitment;
  }

  /** A header without its commitment yet: {@link #withCommitment} adds it. */
  public static DbeHeader unsigned(int version, DbeSuite suite, byte[] messageId, byte[] legend,
      Map<String, String> storedContext, List<EncryptedDataKey> encryptedDataKeys) {
    if (encryptedDataKeys.isEmpty() || encryptedDataKeys.size() > 255) {
      throw new DbeFormatException("An item holds 1 to 255 encrypted data keys, not " + encryptedDataKeys.size());
    }
    ByteWriter out = new ByteWriter(256);
    out.u8(version).u8(suite.flavor()).bytes(messageId).u16(legend.length).bytes(legend);
    out.bytes(context(storedContext));
    out.u8(encryptedDataKeys.size());
    for (EncryptedDataKey edk : encryptedDataKeys) {
      out.u16Prefixed(edk.providerId().getBytes(StandardCharsets.UTF_8)).u16Prefixed(edk.providerInfo())
          .u16Prefixed(edk.ciphertext());
    }
    return new DbeHeader(version, suite, messageId, legend, Map.copyOf(storedContext), List.copyOf(encryptedDataKeys),
        out.toByteArray(), null);
  }

  /** The header-style serialization of a context: a u16 pair count even when empty. */
  public static byte[] context(Map<String, String> context) {
    return context.isEmpty() ? new byte[2] : EncryptionContextCodec.serialize(context);
  }

  public DbeHeader withCommitment(byte[] commitment) {
    return new DbeHeader(version, suite, messageId, legend, storedContext, encryptedDataKeys, body,
        commitment.clone());
  }

  /**
   * Parses {@code aws_dbe_head}.
   *
   * @throws DbeFormatException naming the first field that is wrong
   */
  public static DbeHeader parse(byte[] bytes) {
    ByteReader in = new ByteReader(bytes);
    try {
      int version = in.u8();
      if (version != 1 && version != 2) {
        throw new DbeFormatException("aws_dbe_head has format version " + version + "; versions 1 and 2 exist");
      }
      DbeSuite suite = DbeSuite.ofFlavor(in.u8());
      byte[] messageId = in.bytes(MESSAGE_ID_LENGTH);
      byte[] legend = in.bytes(in.u16());
      for (byte b : legend) {
        if (b != 'e' && b != 's' && b != 'c') {
          throw new DbeFormatException(String.format("aws_dbe_head has legend byte 0x%02X (only e, s, c exist)", b));
        }
      }
      int pairs = in.u16();
      Map<String, String> context = new LinkedHashMap<>();
      byte[] previous = null;
      for (int i = 0; i < pairs; i++) {
        byte[] key = in.bytes(in.u16());
        byte[] value = in.bytes(in.u16());
        if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
          throw new DbeFormatException("aws_dbe_head's encryption context keys are not in strictly increasing order");
        }
        previous = key;
        context.put(Utf8.decode(key, "aws_dbe_head encryption context key"),
            Utf8.decode(value, "aws_dbe_head encryption context value"));
      }
      int count = in.u8();
      if (count == 0) {
        throw new DbeFormatException("aws_dbe_head has no encrypted data key");
      }
      List<EncryptedDataKey> edks = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String providerId = Utf8.decode(in.bytes(in.u16()), "aws_dbe_head provider id");
        edks.add(EncryptedDataKey.of(providerId, in.bytes(in.u16()), in.bytes(in.u16())));
      }
      if (in.remaining() != COMMITMENT_LENGTH) {
        throw new DbeFormatException("aws_dbe_head must end with the " + COMMITMENT_LENGTH + "-byte commitment; "
            + in.remaining() + " bytes follow the encrypted data keys");
      }
      int bodyLength = in.position();
      byte[] commitment = in.bytes(COMMITMENT_LENGTH);
      return new DbeHeader(version, suite, messageId, legend, context, edks, Arrays.copyOf(bytes, bodyLength),
          commitment);
    } catch (ByteReader.TruncatedException e) {
      throw new DbeFormatException("aws_dbe_head is truncated: " + e.getMessage());
    }
  }

  public int version() {
    return version;
  }

  public DbeSuite suite() {
    return suite;
  }

  public byte[] messageId() {
    return messageId.clone();
  }

  public byte[] legend() {
    return legend.clone();
  }

  public Map<String, String> storedContext() {
    return storedContext;
  }

  public List<EncryptedDataKey> encryptedDataKeys() {
    return encryptedDataKeys;
  }

  /** Everything but the commitment: what the commitment authenticates. */
  public byte[] body() {
    return body.clone();
  }

  public byte[] commitment() {
    return commitment == null ? null : commitment.clone();
  }

  /** The attribute's bytes, commitment included. */
  public byte[] toBytes() {
    if (commitment == null) {
      throw new IllegalStateException("header has no commitment yet");
    }
    byte[] out = Arrays.copyOf(body, body.length + COMMITMENT_LENGTH);
    System.arraycopy(commitment, 0, out, body.length, COMMITMENT_LENGTH);
    return out;
  }
}
