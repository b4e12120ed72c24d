package dev.envelope.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.MessageInfo;
import dev.envelope.core.keyring.WrappingKeyIds;
import dev.envelope.core.materials.EncryptedDataKey;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The one JSON writer of the command line, and the shapes it prints for headers. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** One line of JSON (a JSON Lines record). */
  static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
    }
  }

  static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A message header as {@code inspect} and the metadata output print it: nothing secret is in a header (data
   * keys are encrypted, the context is stored in clear by design), so all of it is shown.
   */
  static ObjectNode header(MessageInfo info) {
    ObjectNode node = object();
    node.put("format", "aws-encryption-sdk-message");
    node.put("formatVersion", info.formatVersion());
    node.put("suite", info.suite().name());
    node.put("suiteId", String.format("0x%04X", info.suite().id()));
    node.put("committing", info.suite().isCommitting());
    node.put("signed", info.suite().isSigned());
    node.put("messageId", HexFormat.of().formatHex(info.messageId()));
    node.put("framed", info.framed());
    node.put("frameLength", info.frameLength());
    node.put("headerLength", info.headerLength());
    Map<String, String> context = new TreeMap<>(info.encryptionContext());
    node.set("encryptionContext", MAPPER.valueToTree(context));
    var keys = node.putArray("encryptedDataKeys");
    for (EncryptedDataKey edk : info.encryptedDataKeys()) {
      ObjectNode key = keys.addObject();
      key.put("providerId", edk.providerId());
      key.put("keyId", WrappingKeyIds.of(edk));
      key.put("ciphertextLength", edk.ciphertext().length);
    }
    return node;
  }
}
