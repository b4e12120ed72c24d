package dev.envelope.core.internal.format;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.materials.EncryptedDataKey;
import java.util.List;
import java.util.Map;

/**
 * A parsed or freshly built message header. {@code body} is the serialized header body (the header-tag AAD);
 * {@code headerIv} is the v1 header IV as written (12 zero bytes for v2); {@code suiteData} is the v2 commit key.
 */
public record MessageHeader(
    AlgorithmSuite suite,
    byte[] messageId,
    Map<String, String> storedContext,
    List<EncryptedDataKey> encryptedDataKeys,
    ContentType contentType,
    int frameLength,
    byte[] suiteData,
    byte[] body,
    byte[] headerIv,
    byte[] authTag) {

  /** Bytes of the header as written: body, then (v1) IV, then tag. The signature covers them. */
  public int serializedLength() {
    return body.length + (suite.messageFormatVersion() == 1 ? headerIv.length : 0) + authTag.length;
  }
}
