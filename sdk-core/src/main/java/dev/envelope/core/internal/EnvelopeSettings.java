package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.internal.format.ByteInput;
import dev.envelope.core.internal.format.HeaderCodec;
import dev.envelope.core.internal.format.MessageHeader;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.materials.EncryptionRequest;
import dev.envelope.core.spi.AuditRecorder;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/** The immutable configuration an {@code Envelope} and its streams share. */
public record EnvelopeSettings(
    CryptoMaterialsManager materialsManager,
    CommitmentPolicy commitmentPolicy,
    AlgorithmSuite suite,
    int frameLength,
    int maxEncryptedDataKeys,
    int maxFrameLength,
    AuditRecorder auditRecorder) {

  /** The reserved prefix of encryption-context keys (ESDK spec: encrypt MUST fail on it). */
  public static final String RESERVED_PREFIX = "aws-crypto-";

  /**
   * The longest context key or value, in UTF-8 bytes, that every AWS Encryption SDK reads: the format allows 65535,
   * but the ESDK for Java refuses more than 32767 ("Value length must be greater than 0 and smaller than 32767").
   */
  public static final int MAX_CONTEXT_ENTRY_BYTES = Short.MAX_VALUE;

  public EnvelopeSettings {
    Objects.requireNonNull(materialsManager, "materialsManager");
    Objects.requireNonNull(commitmentPolicy, "commitmentPolicy");
    Objects.requireNonNull(auditRecorder, "auditRecorder");
  }

  /** Materials for one message, checked against the commitment policy and the EDK limit. */
  public EncryptionMaterials encryptionMaterials(Map<String, String> context, long plaintextLength) {
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (e.getKey().startsWith(RESERVED_PREFIX)) {
        throw new PolicyViolationException("Encryption context key '" + e.getKey() + "' uses the reserved prefix '"
            + RESERVED_PREFIX + "'");
      }
      checkPortable(e.getKey(), e.getValue());
    }
    EncryptionMaterials materials = materialsManager.getEncryptionMaterials(EncryptionRequest.builder()
        .encryptionContext(context)
        .suite(suite)
        .commitmentPolicy(commitmentPolicy)
        .plaintextLength(plaintextLength)
        .build());
    if (!commitmentPolicy.allowsEncrypt(materials.suite())) {
      throw new PolicyViolationException("Materials manager chose " + materials.suite() + ", which commitment "
          + "policy " + commitmentPolicy + " does not allow for encryption");
    }
    if (suite != null && materials.suite() != suite) {
      throw new PolicyViolationException("Materials manager chose " + materials.suite() + " but " + suite
          + " was configured");
    }
    if (materials.encryptedDataKeys().size() > maxEncryptedDataKeys) {
      throw new PolicyViolationException("Materials have " + materials.encryptedDataKeys().size()
          + " encrypted data keys, over the configured maximum of " + maxEncryptedDataKeys);
    }
    for (Map.Entry<String, String> e : context.entrySet()) {
      if (!e.getValue().equals(materials.encryptionContext().get(e.getKey()))) {
        throw new PolicyViolationException("Materials manager changed encryption context key '" + e.getKey() + "'");
      }
    }
    return materials;
  }

  /**
   * Refuses a context pair no AWS Encryption SDK would read back: an empty key or value (every ESDK refuses them on
   * encrypt and on decrypt) or one longer than {@link #MAX_CONTEXT_ENTRY_BYTES}. Names the key, never the value.
   */
  public static void checkPortable(String key, String value) {
    java.util.Objects.requireNonNull(key, "encryption context key");
    java.util.Objects.requireNonNull(value, "encryption context value of '" + key + "'");
    if (key.isEmpty()) {
      throw new PolicyViolationException("Encryption context has an empty key: the AWS Encryption SDK refuses "
          + "empty keys and values on encrypt and on decrypt, so no other implementation could read the message");
    }
    if (value.isEmpty()) {
      throw new PolicyViolationException("Encryption context key '" + shortened(key) + "' has an empty value: the "
          + "AWS Encryption SDK refuses empty keys and values on encrypt and on decrypt, so no other implementation "
          + "could read the message");
    }
    int keyBytes = utf8Length(key);
    int valueBytes = utf8Length(value);
    if (keyBytes < 0 || valueBytes < 0) {
      throw new PolicyViolationException("Encryption context " + (keyBytes < 0 ? "key" : "key '" + shortened(key)
          + "' has a value that") + " is not valid Unicode (it holds an unpaired surrogate), so it has no UTF-8 "
          + "form to store");
    }
    if (keyBytes > MAX_CONTEXT_ENTRY_BYTES || valueBytes > MAX_CONTEXT_ENTRY_BYTES) {
      throw new PolicyViolationException("Encryption context key '" + shortened(key) + "' has a "
          + (keyBytes > MAX_CONTEXT_ENTRY_BYTES ? "key of " + keyBytes : "value of " + valueBytes) + " bytes "
          + "(UTF-8); the AWS Encryption SDK for Java reads keys and values of at most " + MAX_CONTEXT_ENTRY_BYTES
          + " bytes");
    }
  }

  private static String shortened(String key) {
    return key.length() <= 64 ? key : key.substring(0, 64) + "...";
  }

  /** UTF-8 length, or -1 if {@code s} holds an unpaired surrogate (which UTF-8 cannot encode). */
  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        return -1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  public EnvelopeSettings withAuditRecorder(AuditRecorder newRecorder) {
    return new EnvelopeSettings(materialsManager, commitmentPolicy, suite, frameLength, maxEncryptedDataKeys,
        maxFrameLength, newRecorder);
  }

  /** Parses a message header under this configuration's limits. */
  public MessageHeader parseHeader(ByteInput in) throws IOException {
    return HeaderCodec.parse(in, maxEncryptedDataKeys, maxFrameLength);
  }
}
