package dev.envelope.dynamodb;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.dynamodb.internal.AttributeCodec;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.Beacons;
import dev.envelope.dynamodb.internal.dbe.DbeContext;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import dev.envelope.dynamodb.internal.dbe.DbeSchema;
import dev.envelope.dynamodb.internal.dbe.DbeSuite;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Encrypts and signs DynamoDB items of one table, and verifies and decrypts them, without any client: the piece
 * the interceptor and the Enhanced Client extension share, usable directly for DynamoDB Streams or exports.
 *
 * <p>It writes the format the table asks for ({@link TableConfig#format()}) and reads both: the AWS Database
 * Encryption SDK's ({@code aws_dbe_head}, {@code aws_dbe_foot}; with the table's beacons when it has any) and
 * Envelope's first format ({@link ItemFormat}, through the table's materials manager, so a caching manager makes
 * one KMS call per cache entry). In both, every ENCRYPT_AND_SIGN attribute becomes a Binary value and the format's
 * attributes bind the table, the key values, the signed attribute names, their actions and values together. The
 * formats are described in the module README.
 *
 * <p>Immutable and thread-safe: one instance serves every item of its table. Each call emits exactly one audit
 * event with resource {@code dynamodb://<table>/<key>=sha256:<hash>}: key values are hashed, never in clear.
 */
public final class ItemEncryptor {
  private final TableConfig config;
  private final AuditRecorder auditRecorder;
  private final EnvelopeV1Codec v1;
  /** Reads (and, in the DB_ESDK format, writes) DB-ESDK items; null when the table's settings cannot express them. */
  private final DbeItemCodec dbe;

  private ItemEncryptor(TableConfig config) {
    this.config = config;
    this.auditRecorder = new AuditRecorder(config.auditSink(), config.contextInAudit(), null);
    this.v1 = new EnvelopeV1Codec(config, auditRecorder, this::resource);
    this.dbe = dbeCodec(config);
  }

  /**
   * The DB-ESDK codec of a table: its actions, unsigned attributes (DO_NOTHING ones and the prefix), keyring and
   * suite (0x0478 maps to 0x6700, 0x0578 to 0x6701). None for a table configured in ways that format cannot
   * express (a materials manager, extra encryption context, a default action); TableConfig refuses those with
   * DB_ESDK, so such a table writes ENVELOPE_V1 and says so if it meets a DB-ESDK item.
   */
  private static DbeItemCodec dbeCodec(TableConfig config) {
    boolean extraContext = !config.encryptionContext().keySet().equals(Set.of(TableConfig.TABLE_CONTEXT_KEY));
    if (config.keyring().isEmpty() || extraContext || config.defaultAction().isPresent()) {
      return null;
    }
    Set<String> unsigned = new HashSet<>();
    config.attributeActions().forEach((name, action) -> {
      if (action == CryptoAction.DO_NOTHING) {
        unsigned.add(name);
      }
    });
    DbeSchema schema;
    try {
      schema = new DbeSchema(config.tableName(), config.partitionKeyName(), config.sortKeyName().orElse(null),
          config.attributeActions(), unsigned, config.unsignedAttributePrefix().orElse(null));
    } catch (IllegalArgumentException e) {
      if (config.format() == ItemStorageFormat.DB_ESDK) {
        throw new IllegalArgumentException("Table " + config.tableName() + ": " + e.getMessage(), e);
      }
      return null;
    }
    return new DbeItemCodec(schema, config.keyring().get(), config.suite().isSigned() ? DbeSuite.ECDSA_P384
        : DbeSuite.SYMMETRIC_SIGNATURE_ONLY);
  }

  public static ItemEncryptor create(TableConfig config) {
    return new ItemEncryptor(config);
  }

  public TableConfig config() {
    return config;
  }

  /**
   * Encrypts and signs one item. The result holds every attribute of {@code item} (encrypted ones as Binary) plus
   * the header and signature attributes.
   *
   * @throws PolicyViolationException for an attribute without an action, a reserved attribute name, or a key
   *     attribute that is missing or not S, N or B
   */
  public Map<String, AttributeValue> encrypt(Map<String, AttributeValue> item) {
    if (config.plaintextOverride().writesPlaintext()) {
      return item; // the first step of a migration: every reader reads both before anything is encrypted
    }
    if (config.format() == ItemStorageFormat.DB_ESDK) {
      return encryptDbe(item);
    }
    return v1.encrypt(item);
  }

  /**
   * Verifies and decrypts one item read from the table: returns the item as it was before {@link #encrypt}, without
   * the header and signature attributes. No decrypted value is returned unless the whole item verifies.
   *
   * @throws NotEncryptedItemException for an item without header and signature (unless plaintext reads are allowed)
   * @throws AuthenticationFailedException when the item was moved to another key or table, a signed attribute
   *     was changed, added, removed or copied from another item, or the header was altered
   * @throws MalformedMessageException when the header cannot be parsed
   * @throws dev.envelope.core.NoKeyringCouldDecryptException when no keyring could decrypt the data key
   */
  public Map<String, AttributeValue> decrypt(Map<String, AttributeValue> item) {
    if (DbeItemCodec.isEncrypted(item)) {
      return decryptDbe(item);
    }
    return v1.decrypt(item);
  }

  /**
   * Moves a stored DB-ESDK item to this table's keyring without decrypting it: its data key, unwrapped with
   * {@code unwrapWith}, is wrapped under the table's keyring alone, and the item gets a new {@code aws_dbe_head}
   * and {@code aws_dbe_foot}; every other attribute, the message id and the data key stay as they are (the item is
   * verified first). Store only the two attributes back (an update conditional on the old header), so a concurrent
   * change of an unsigned attribute is kept too. Emits one {@link AuditEvent.Operation#REWRAP} event naming the key
   * that unwrapped the data key, then the keys that wrap it now.
   *
   * <p>It keeps the data key: whoever unwrapped it before can still read the item. To retire a key that leaked,
   * decrypt and encrypt the item again instead.
   *
   * @return the item with its new header and footer
   * @throws IllegalArgumentException for an item not in the DB-ESDK format, or a table whose multi-tenant beacons
   *     are keyed by the item's branch key (they need the plaintext: encrypt the item again)
   * @throws AuthenticationFailedException if the item does not verify
   * @throws dev.envelope.core.NoKeyringCouldDecryptException if {@code unwrapWith} unwraps none of its data keys
   */
  public Map<String, AttributeValue> rewrap(Map<String, AttributeValue> item, Keyring unwrapWith) {
    Objects.requireNonNull(unwrapWith, "unwrapWith");
    if (!DbeItemCodec.isEncrypted(item)) {
      throw new IllegalArgumentException("Item " + resource(item) + " is not in the DB-ESDK format (no "
          + DbeItemCodec.HEADER + "): only such items are re-wrapped; encrypt it again instead");
    }
    if (config.beacons().flatMap(BeaconConfig::keyFieldName).isPresent()) {
      throw new IllegalArgumentException("Table " + config.tableName() + " has multi-tenant beacons, keyed by each "
          + "item's branch key: a new header would leave them under the old one; decrypt and encrypt the item again");
    }
    boolean silent = auditRecorder.silent();
    AuditRecorder.Recording audit = auditRecorder.withResource(silent ? null : resource(item))
        .start(AuditEvent.Operation.REWRAP, Map.of(DbeContext.TABLE_NAME, config.tableName()));
    try {
      DbeItemCodec.Rewrapped rewrapped;
      try {
        rewrapped = readable().rewrap(item, unwrapWith);
      } catch (AuthenticationFailedException e) {
        throw new AuthenticationFailedException("Item " + resource(item) + ": " + e.getMessage(), e);
      } catch (MalformedMessageException e) {
        throw new MalformedMessageException("Item " + resource(item) + ": " + e.getMessage(), e);
      }
      if (!silent) {
        List<String> keyIds = new ArrayList<>();
        keyIds.add(rewrapped.unwrappedBy());
        keyIds.addAll(rewrapped.wrappingKeyIds());
        audit.item(rewrapped.suite().toString(), rewrapped.messageId(), keyIds, rewrapped.kmsCalls(),
            rewrapped.keyStoreCalls());
      }
      Map<String, AttributeValue> out = new LinkedHashMap<>(item);
      out.put(DbeItemCodec.HEADER, AttributeValue.fromB(SdkBytes.fromByteArray(rewrapped.header())));
      out.put(DbeItemCodec.FOOTER, AttributeValue.fromB(SdkBytes.fromByteArray(rewrapped.footer())));
      audit.success(0);
      return out;
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /** Whether {@code item} carries the header or signature attribute of either format. */
  public static boolean isEncrypted(Map<String, AttributeValue> item) {
    return item.containsKey(ItemFormat.HEADER_ATTRIBUTE) || item.containsKey(ItemFormat.SIGNATURE_ATTRIBUTE)
        || DbeItemCodec.isEncrypted(item);
  }

  private Map<String, AttributeValue> encryptDbe(Map<String, AttributeValue> item) {
    // Without an audit sink the resource (hashes of the keys) and the event's details are not built at all.
    boolean silent = auditRecorder.silent();
    AuditRecorder.Recording audit = auditRecorder.withResource(silent ? null : resource(item))
        .start(AuditEvent.Operation.ENCRYPT, Map.of(DbeContext.TABLE_NAME, config.tableName()));
    try {
      DbeItemCodec.Encrypted encrypted;
      try {
        encrypted = encryptWithBeacons(item);
      } catch (IllegalArgumentException e) { // what the format cannot store, with the AWS library's reason
        throw new PolicyViolationException("Table " + config.tableName() + ": " + e.getMessage());
      }
      if (!silent) {
        audit.item(dbeSuite(), encrypted.messageId(), encrypted.wrappingKeyIds(), encrypted.kmsCalls(),
            encrypted.keyStoreCalls());
      }
      audit.success(0);
      return encrypted.item();
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  private Map<String, AttributeValue> decryptDbe(Map<String, AttributeValue> item) {
    boolean silent = auditRecorder.silent();
    AuditRecorder.Recording audit = auditRecorder.withResource(silent ? null : resource(item))
        .start(AuditEvent.Operation.DECRYPT, Map.of(DbeContext.TABLE_NAME, config.tableName()));
    try {
      DbeItemCodec.Decrypted decrypted;
      try {
        decrypted = readable().decrypt(item);
      } catch (AuthenticationFailedException e) {
        throw new AuthenticationFailedException("Item " + resource(item) + ": " + e.getMessage(), e);
      } catch (MalformedMessageException e) {
        throw new MalformedMessageException("Item " + resource(item) + ": " + e.getMessage(), e);
      }
      if (!silent) {
        audit.item(decrypted.suite().toString(), decrypted.messageId(), List.of(decrypted.wrappingKeyId()),
            decrypted.kmsCalls(), decrypted.keyStoreCalls());
      }
      audit.success(0);
      return decrypted.item();
    } catch (RuntimeException e) {
      audit.failure(e, 0);
      throw e;
    }
  }

  /** The DB-ESDK codec, or why this table cannot read that format. */
  private DbeItemCodec readable() {
    if (dbe == null) {
      throw new MalformedMessageException("Table " + config.tableName() + " cannot read the DB-ESDK format "
          + "(aws_dbe_head) as configured: it needs a keyring, and no extra encryption context or default action");
    }
    return dbe;
  }

  /**
   * The item encrypted with its beacons: signed compound beacons added before encryption (they are signed with the
   * item; a different given value is refused), beacons of encrypted values after it, outside the signature
   * ({@code aws_dbe_*} is unsigned), as in the AWS library.
   */
  private DbeItemCodec.Encrypted encryptWithBeacons(Map<String, AttributeValue> item) {
    BeaconConfig search = config.beacons().orElse(null);
    if (search == null) {
      return dbe.encrypt(item);
    }
    Map<String, AttributeValue> plaintext = new LinkedHashMap<>(item);
    search.keyless().signedBeacons(item).forEach((name, value) -> {
      AttributeValue given = item.get(name);
      if (given != null && !given.equals(value)) {
        throw new IllegalArgumentException("attribute " + name + " is a signed beacon; the item gives it a value "
            + "other than the one its parts make");
      }
      plaintext.put(name, value);
    });
    DbeItemCodec.Encrypted encrypted = dbe.encrypt(plaintext);
    Map<String, AttributeValue> out = new LinkedHashMap<>(encrypted.item());
    // Multi-tenant: the beacon key is the one of the branch key that encrypted the item, as in the AWS library.
    Beacons beacons = search.keyFieldName().isEmpty() ? search.beacons()
        : search.beacons(DbeItemCodec.beaconKeyId(encrypted.item()));
    out.putAll(beacons.encryptedBeacons(plaintext));
    return new DbeItemCodec.Encrypted(out, encrypted.messageId(), encrypted.wrappingKeyIds(), encrypted.kmsCalls(),
        encrypted.keyStoreCalls());
  }

  private String dbeSuite() {
    return (config.suite().isSigned() ? DbeSuite.ECDSA_P384 : DbeSuite.SYMMETRIC_SIGNATURE_ONLY).toString();
  }

  /** The audit resource of an item: {@code dynamodb://<table>/<key>=sha256:<first 8 bytes, hex>} per key. */
  public String resource(Map<String, AttributeValue> item) {
    StringBuilder sb = new StringBuilder("dynamodb://").append(config.tableName());
    for (String key : config.keyNames()) {
      AttributeValue value = item.get(key);
      sb.append('/').append(key).append('=');
      if (value == null) {
        sb.append("missing");
        continue;
      }
      try {
        byte[] digest = JcaPerThread.digest("SHA-256").digest(AttributeCodec.encode(value));
        sb.append("sha256:").append(HexFormat.of().formatHex(digest, 0, 8));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        sb.append("invalid");
      }
    }
    return sb.toString();
  }

}
