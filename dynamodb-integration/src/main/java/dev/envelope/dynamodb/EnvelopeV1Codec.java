package dev.envelope.dynamodb;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.DecryptionRequest;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.materials.EncryptionRequest;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.ByteReader;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import dev.envelope.dynamodb.internal.AttributeCodec;
import dev.envelope.dynamodb.internal.ItemHeader;
import dev.envelope.dynamodb.internal.ItemKeys;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Envelope's first item format ({@code ENVELOPE_V1}, described in the module README): encrypts and signs, and
 * verifies and decrypts, items with {@code env_head} and {@code env_sig}; reads items without any header when the
 * table allows plaintext. Used by {@link ItemEncryptor}, which chooses the format. Immutable and thread-safe.
 */
final class EnvelopeV1Codec {
  /** Bounds the KMS work a forged header can cause. */
  static final int MAX_ENCRYPTED_DATA_KEYS = 16;
  private static final int KEY_TAG_LENGTH = 16;
  private static final int MAC_LENGTH = 32;
  private static final int TAG_LENGTH = 16;
  private static final byte[] KEY_LABEL = "envelope-ddb-v1 key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ITEM_LABEL = "envelope-ddb-v1 item".getBytes(StandardCharsets.US_ASCII);
  private static final AttributeValue.Type B = AttributeValue.Type.B;

  private final TableConfig config;
  private final AuditRecorder auditRecorder;
  private final byte[] tableNameBytes;
  private final byte[] contextBytes;
  private final Function<Map<String, AttributeValue>, String> resources;

  EnvelopeV1Codec(TableConfig config, AuditRecorder auditRecorder,
      Function<Map<String, AttributeValue>, String> resources) {
    this.config = config;
    this.auditRecorder = auditRecorder;
    this.tableNameBytes = config.tableName().getBytes(StandardCharsets.UTF_8);
    this.contextBytes = EncryptionContextCodec.serialize(config.encryptionContext());
    this.resources = resources;
  }

  private String resource(Map<String, AttributeValue> item) {
    return resources.apply(item);
  }

  Map<String, AttributeValue> encrypt(Map<String, AttributeValue> item) {
    String resource = resource(item);
    AuditRecorder.Recording audit = auditRecorder.withResource(resource).start(AuditEvent.Operation.ENCRYPT,
        config.encryptionContext());
    DataKey dataKey = null;
    ItemKeys keys = null;
    long plaintextBytes = 0;
    try {
      byte[] keyBinding = keyBinding(item);
      List<SignedAttribute> signed = new ArrayList<>();
      Map<String, AttributeValue> out = new HashMap<>(item.size() * 2 + 4);
      for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
        String name = e.getKey();
        if (ItemFormat.isReserved(name)) {
          throw new PolicyViolationException("Table " + config.tableName() + ": attribute name '" + name
              + "' is reserved for the item header and signature; rename the attribute");
        }
        CryptoAction action = config.actionFor(name).orElseThrow(() -> unconfigured(name, "write"));
        if (action == CryptoAction.DO_NOTHING) {
          out.put(name, e.getValue());
          continue;
        }
        byte[] canonical = canonical(name, e.getValue());
        if (action == CryptoAction.ENCRYPT_AND_SIGN) {
          plaintextBytes += canonical.length;
        }
        signed.add(new SignedAttribute(name, action, e.getValue(), canonical));
      }
      signed.sort(SignedAttribute.ORDER);
      byte[] legend = new byte[signed.size()];
      for (int i = 0; i < legend.length; i++) {
        legend[i] = (byte) signed.get(i).action.legendChar();
      }

      EncryptionMaterials materials = config.materialsManager().getEncryptionMaterials(EncryptionRequest.builder()
          .encryptionContext(config.encryptionContext())
          .suite(config.suite())
          .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
          .plaintextLength(plaintextBytes)
          .requiredContextKeys(config.encryptionContext().keySet())
          .build());
      audit.materials(materials);
      AlgorithmSuite suite = materials.suite();
      if (suite != config.suite()) {
        throw new PolicyViolationException("Materials manager chose " + suite + " for table " + config.tableName()
            + "; the table is configured for " + config.suite());
      }
      dataKey = materials.dataKey().orElseThrow(() -> new EnvelopeException("Materials manager returned no data "
          + "key"));
      byte[] messageId = SecureRandoms.bytes(ItemHeader.MESSAGE_ID_LENGTH);
      audit.message(suite, messageId);
      keys = derive(suite, dataKey, messageId);
      Map<String, String> stored = new HashMap<>(materials.encryptionContext());
      stored.keySet().removeAll(materials.requiredContextKeys());
      byte[] header = new ItemHeader(suite, messageId, stored, materials.encryptedDataKeys(), legend,
          keys.commitment()).serialize();

      seal(keys, signed, out);
      byte[] signature = sign(keys, materials, keyBinding, canonicalItem(header, signed));
      out.put(ItemFormat.HEADER_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(header)));
      out.put(ItemFormat.SIGNATURE_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(signature)));
      audit.success(plaintextBytes);
      return out;
    } catch (GeneralSecurityException e) {
      EnvelopeException error = new EnvelopeException("Cannot encrypt an item of table " + config.tableName()
          + ": " + e.getMessage(), e);
      audit.failure(error, 0);
      throw error;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    } finally {
      destroy(keys, dataKey);
    }
  }

  Map<String, AttributeValue> decrypt(Map<String, AttributeValue> item) {
    AttributeValue headerValue = item.get(ItemFormat.HEADER_ATTRIBUTE);
    AttributeValue signatureValue = item.get(ItemFormat.SIGNATURE_ATTRIBUTE);
    if (headerValue == null && signatureValue == null && config.allowPlaintextReads()) {
      return item;
    }
    String resource = resource(item);
    if (headerValue == null && signatureValue == null) {
      throw new NotEncryptedItemException("Item " + resource + " has no encryption header (neither "
          + DbeItemCodec.HEADER + " nor " + ItemFormat.HEADER_ATTRIBUTE + "): it was not written by an encrypting "
          + "client (or was read through a projection or an index that leaves them out). Read whole items, or, "
          + "while the table is migrated, set plaintextOverride(FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ) on "
          + "its TableConfig or on the Enhanced Client extension");
    }
    AuditRecorder.Recording audit = auditRecorder.withResource(resource).start(AuditEvent.Operation.DECRYPT,
        config.encryptionContext());
    DataKey dataKey = null;
    ItemKeys keys = null;
    long plaintextBytes = 0;
    try {
      byte[] keyBinding = keyBinding(item);
      if (headerValue == null || signatureValue == null || headerValue.type() != B || signatureValue.type() != B) {
        throw new AuthenticationFailedException("Item " + resource + ": " + (headerValue == null
            ? ItemFormat.HEADER_ATTRIBUTE + " is missing" : signatureValue == null
            ? ItemFormat.SIGNATURE_ATTRIBUTE + " is missing" : "the header or signature attribute is not Binary")
            + "; the item was altered after it was written");
      }
      ItemHeader header;
      byte[] headerBytes = headerValue.b().asByteArrayUnsafe();
      try {
        header = ItemHeader.parse(headerBytes, MAX_ENCRYPTED_DATA_KEYS);
      } catch (IllegalArgumentException e) {
        throw new MalformedMessageException("Item " + resource + ": " + e.getMessage());
      }
      audit.message(header.suite(), header.messageId());
      byte[] signature = signatureValue.b().asByteArrayUnsafe();
      if (signature.length < KEY_TAG_LENGTH + MAC_LENGTH || !header.suite().isSigned()
          && signature.length != KEY_TAG_LENGTH + MAC_LENGTH) {
        throw new AuthenticationFailedException("Item " + resource + ": " + ItemFormat.SIGNATURE_ATTRIBUTE
            + " has the wrong length (" + signature.length + " bytes) for " + header.suite());
      }

      List<SignedAttribute> signed = new ArrayList<>();
      Map<String, AttributeValue> out = new HashMap<>(item.size() * 2);
      for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
        String name = e.getKey();
        if (ItemFormat.isReserved(name)) {
          continue;
        }
        CryptoAction action = config.actionFor(name).orElseThrow(() -> unconfigured(name, "read"));
        if (action == CryptoAction.DO_NOTHING) {
          out.put(name, e.getValue());
        } else {
          signed.add(new SignedAttribute(name, action, e.getValue(), null));
        }
      }
      signed.sort(SignedAttribute.ORDER);
      checkLegend(resource, header.legend(), signed);

      DecryptionMaterials materials = config.materialsManager().decryptMaterials(DecryptionRequest.builder()
          .suite(header.suite())
          .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
          .encryptedDataKeys(header.encryptedDataKeys())
          .storedContext(header.storedContext())
          .reproducedContext(config.encryptionContext())
          .build());
      audit.materials(materials);
      dataKey = materials.dataKey().orElseThrow(() -> new EnvelopeException("Materials manager returned no data "
          + "key"));
      keys = derive(header.suite(), dataKey, header.messageId());
      if (!MessageDigest.isEqual(keys.commitment(), header.commitment())) {
        throw new AuthenticationFailedException("Item " + resource + ": the key commitment does not match; "
            + "the header was altered, or its data key is not the one the item was written with");
      }
      verifyKeyTag(resource, keys, keyBinding, signature);
      for (SignedAttribute a : signed) {
        a.stored = a.action == CryptoAction.ENCRYPT_AND_SIGN ? a.value.b().asByteArrayUnsafe()
            : canonical(a.name, a.value);
      }
      byte[] canonicalItem = canonicalItem(headerBytes, signed);
      boolean macMatches = itemMacMatches(keys, canonicalItem, signature);
      // Decrypted before the MAC verdict is given, so that a changed encrypted value is named as such.
      Opened opened = open(resource, keys, signed);
      Map<String, AttributeValue> decrypted = opened.values();
      plaintextBytes = opened.bytes();
      if (!macMatches) {
        List<String> signOnly = signed.stream().filter(a -> a.action == CryptoAction.SIGN_ONLY)
            .map(a -> a.name).toList();
        throw new AuthenticationFailedException("Item " + resource + ": the signature over its signed "
            + "attributes does not match; a SIGN_ONLY attribute " + signOnly + " was modified, or attribute values "
            + "were swapped");
      }
      if (header.suite().isSigned()) {
        verifySignature(resource, header.suite(), materials, canonicalItem, signature);
      }
      for (SignedAttribute a : signed) {
        out.put(a.name, a.action == CryptoAction.ENCRYPT_AND_SIGN ? decrypted.get(a.name) : a.value);
      }
      audit.context(materials.encryptionContext());
      audit.success(plaintextBytes);
      return out;
    } catch (GeneralSecurityException e) {
      EnvelopeException error = new EnvelopeException("Cannot decrypt item " + resource + ": "
          + e.getMessage(), e);
      audit.failure(error, 0);
      throw error;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    } finally {
      destroy(keys, dataKey);
    }
  }

  private void verifyKeyTag(String resource, ItemKeys keys, byte[] keyBinding, byte[] signature)
      throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac("HmacSHA256");
    mac.init(keys.macKey());
    if (!MessageDigest.isEqual(keyTag(mac, keyBinding), Arrays.copyOf(signature, KEY_TAG_LENGTH))) {
      throw new AuthenticationFailedException("Item " + resource + " was encrypted for another table or "
          + "primary key: it was moved or copied there without being re-encrypted. Read it at its original "
          + "key, decrypt, and write it again through the encrypting client");
    }
  }

  private static boolean itemMacMatches(ItemKeys keys, byte[] canonicalItem, byte[] signature)
      throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac("HmacSHA256");
    mac.init(keys.macKey());
    return MessageDigest.isEqual(mac.doFinal(canonicalItem),
        Arrays.copyOfRange(signature, KEY_TAG_LENGTH, KEY_TAG_LENGTH + MAC_LENGTH));
  }

  /** Decrypted values and their plaintext bytes (what audit events count). */
  private record Opened(Map<String, AttributeValue> values, long bytes) {}

  /** The plaintext values of the ENCRYPT_AND_SIGN attributes, each checked against its name and position. */
  private static Opened open(String resource, ItemKeys keys, List<SignedAttribute> signed)
      throws GeneralSecurityException {
    Map<String, AttributeValue> decrypted = new HashMap<>();
    long bytes = 0;
    int ordinal = 0;
    for (SignedAttribute a : signed) {
      if (a.action != CryptoAction.ENCRYPT_AND_SIGN) {
        continue;
      }
      Cipher gcm = JcaPerThread.aesGcm();
      gcm.init(Cipher.DECRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(128, iv(++ordinal)));
      gcm.updateAAD(a.nameBytes);
      byte[] plaintext;
      try {
        if (a.stored.length < TAG_LENGTH) {
          // The JDK's AES-GCM throws a ProviderException, not a tag failure, for input shorter than the tag.
          throw new AEADBadTagException("shorter than the tag");
        }
        plaintext = gcm.doFinal(a.stored);
      } catch (AEADBadTagException e) {
        throw new AuthenticationFailedException("Item " + resource + ": attribute '" + a.name + "' does "
            + "not authenticate; it was modified, or copied from another item");
      }
      bytes += plaintext.length;
      try {
        decrypted.put(a.name, AttributeCodec.decode(plaintext));
      } catch (ByteReader.TruncatedException e) {
        throw new MalformedMessageException("Item " + resource + ": attribute '" + a.name + "' decrypts to "
            + "a malformed value (" + e.getMessage() + ")");
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
    return new Opened(decrypted, bytes);
  }

  private static void verifySignature(String resource, AlgorithmSuite suite, DecryptionMaterials materials,
      byte[] canonicalItem, byte[] signature) throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(suite.signature().jcaAlgorithm());
    verifier.initVerify(materials.verificationKey().orElseThrow(() -> new MalformedMessageException(
        "Item " + resource + ": signed suite without a verification key")));
    verifier.update(canonicalItem);
    boolean valid;
    try {
      valid = verifier.verify(signature, KEY_TAG_LENGTH + MAC_LENGTH, signature.length - KEY_TAG_LENGTH - MAC_LENGTH);
    } catch (SignatureException e) {
      valid = false;
    }
    if (!valid) {
      throw new AuthenticationFailedException("Item " + resource + ": the ECDSA signature does not "
          + "verify; the item was altered by someone holding its data key but not its signing key");
    }
  }

  /** Encrypts the ENCRYPT_AND_SIGN attributes into {@code out}; the others go in as they are. */
  private static void seal(ItemKeys keys, List<SignedAttribute> signed, Map<String, AttributeValue> out)
      throws GeneralSecurityException {
    int ordinal = 0;
    for (SignedAttribute a : signed) {
      if (a.action != CryptoAction.ENCRYPT_AND_SIGN) {
        out.put(a.name, a.value);
        continue;
      }
      Cipher gcm = JcaPerThread.aesGcm();
      gcm.init(Cipher.ENCRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(128, iv(++ordinal)));
      gcm.updateAAD(a.nameBytes);
      byte[] ciphertext = gcm.doFinal(a.stored);
      Arrays.fill(a.stored, (byte) 0);
      a.stored = ciphertext;
      out.put(a.name, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(ciphertext)));
    }
  }

  /** {@code env_sig}: the key-binding tag, the item MAC and, for signed suites, the ECDSA signature. */
  private byte[] sign(ItemKeys keys, EncryptionMaterials materials, byte[] keyBinding, byte[] canonicalItem)
      throws GeneralSecurityException {
    Mac mac = JcaPerThread.mac("HmacSHA256");
    mac.init(keys.macKey());
    byte[] keyTag = keyTag(mac, keyBinding);
    byte[] itemMac = mac.doFinal(canonicalItem);
    byte[] ecdsa = new byte[0];
    if (materials.suite().isSigned()) {
      Signature signer = Signature.getInstance(materials.suite().signature().jcaAlgorithm());
      signer.initSign(materials.signingKey().orElseThrow(), SecureRandoms.get());
      signer.update(canonicalItem);
      ecdsa = signer.sign();
    }
    return new ByteWriter(KEY_TAG_LENGTH + MAC_LENGTH + ecdsa.length)
        .bytes(keyTag, 0, KEY_TAG_LENGTH).bytes(itemMac, 0, MAC_LENGTH).bytes(ecdsa).toByteArray();
  }

  private static void destroy(ItemKeys keys, DataKey dataKey) {
    if (keys != null) {
      keys.destroy();
    }
    if (dataKey != null) {
      dataKey.destroy();
    }
  }

  private PolicyViolationException unconfigured(String name, String verb) {
    return new PolicyViolationException("Table " + config.tableName() + ": attribute '" + name + "' has no action "
        + "configured, and the table has no default action. Give it one with attributeAction(\"" + name
        + "\", ...)" + (verb.equals("read") ? ", or it was added to the item after encryption" : "")
        + "; a default action or an unsigned prefix also covers it");
  }

  /** The canonical key values, validated: each key present and S, N or B, as DynamoDB requires. */
  private byte[] keyBinding(Map<String, AttributeValue> item) {
    ByteWriter out = new ByteWriter(64);
    for (String key : config.keyNames()) {
      AttributeValue value = item.get(key);
      if (value == null) {
        throw new PolicyViolationException("Item of table " + config.tableName() + " lacks key attribute '" + key
            + "'; encrypted items are bound to their key, so reads must return the key attributes");
      }
      if (value.type() != AttributeValue.Type.S && value.type() != AttributeValue.Type.N && value.type() != B) {
        throw new PolicyViolationException("Table " + config.tableName() + ": key attribute '" + key + "' is "
            + value.type() + "; DynamoDB keys are S, N or B");
      }
      out.lengthPrefixed(key.getBytes(StandardCharsets.UTF_8));
      out.lengthPrefixed(AttributeCodec.encode(value));
    }
    return out.toByteArray();
  }

  private byte[] keyTag(Mac mac, byte[] keyBinding) {
    mac.update(KEY_LABEL);
    mac.update(lengthPrefix(tableNameBytes.length));
    mac.update(tableNameBytes);
    mac.update(keyBinding);
    return Arrays.copyOf(mac.doFinal(), KEY_TAG_LENGTH);
  }

  private byte[] canonicalItem(byte[] header, List<SignedAttribute> signed) {
    int size = ITEM_LABEL.length + 16 + tableNameBytes.length + header.length + contextBytes.length;
    for (SignedAttribute a : signed) {
      size += 9 + a.nameBytes.length + a.stored.length;
    }
    ByteWriter out = new ByteWriter(size);
    out.bytes(ITEM_LABEL).lengthPrefixed(tableNameBytes).lengthPrefixed(header).lengthPrefixed(contextBytes);
    out.u32(signed.size());
    for (SignedAttribute a : signed) {
      out.lengthPrefixed(a.nameBytes).u8(a.action.legendChar()).lengthPrefixed(a.stored);
    }
    return out.toByteArray();
  }

  private void checkLegend(String resource, byte[] legend, List<SignedAttribute> signed) {
    List<String> names = signed.stream().map(a -> a.name).toList();
    if (legend.length != signed.size()) {
      throw new AuthenticationFailedException("Item " + resource + " was written with " + legend.length
          + " signed attributes and now has " + signed.size() + " " + names + ": a signed attribute was "
          + (signed.size() > legend.length ? "added" : "removed") + " after encryption (or the configuration "
          + "changed an attribute from or to DO_NOTHING)");
    }
    for (int i = 0; i < legend.length; i++) {
      SignedAttribute a = signed.get(i);
      CryptoAction written = CryptoAction.fromLegend(legend[i]);
      if (written == CryptoAction.ENCRYPT_AND_SIGN && a.value.type() != B) {
        throw new AuthenticationFailedException("Item " + resource + ": attribute '" + a.name + "' was "
            + "encrypted when written but now holds a plaintext " + a.value.type() + " value");
      }
      // The legend, which the signature covers, decides: items written before a configuration change still read.
      a.action = written;
    }
  }

  private static byte[] canonical(String name, AttributeValue value) {
    try {
      return AttributeCodec.encode(value);
    } catch (IllegalArgumentException e) {
      throw new PolicyViolationException("Attribute '" + name + "': " + e.getMessage());
    }
  }

  private static ItemKeys derive(AlgorithmSuite suite, DataKey dataKey, byte[] messageId)
      throws GeneralSecurityException {
    byte[] bytes = dataKey.toByteArray();
    try {
      return ItemKeys.derive(suite, bytes, messageId);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The GCM nonce of the n-th encrypted attribute: unique within the item, whose key is unique to it. */
  private static byte[] iv(int ordinal) {
    byte[] iv = new byte[12];
    ByteWriter.putU32(iv, 8, ordinal);
    return iv;
  }

  private static byte[] lengthPrefix(int n) {
    byte[] prefix = new byte[4];
    ByteWriter.putU32(prefix, 0, n);
    return prefix;
  }

  /** One signed attribute on its way through encrypt or decrypt. */
  private static final class SignedAttribute {
    static final Comparator<SignedAttribute> ORDER = (x, y) -> Arrays.compareUnsigned(x.nameBytes,
        y.nameBytes);

    final String name;
    final byte[] nameBytes;
    final AttributeValue value;
    CryptoAction action;
    /** Encrypt: the canonical plaintext, then the ciphertext. Decrypt: what the signature covers. */
    byte[] stored;

    SignedAttribute(String name, CryptoAction action, AttributeValue value, byte[] stored) {
      this.name = name;
      this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
      this.action = action;
      this.value = value;
      this.stored = stored;
    }
  }
}
