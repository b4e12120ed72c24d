package dev.envelope.dynamodb;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.internal.TableReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the items of one table are encrypted: the key attribute names, an action per attribute, what happens to
 * attributes the configuration does not name, the materials manager, the algorithm suite and the audit sink.
 *
 * <p>Immutable and thread-safe if its materials manager and audit sink are.
 *
 * <pre>{@code
 * TableConfig orders = TableConfig.builder()
 *     .tableName("Orders").partitionKeyName("customerId").sortKeyName("orderId")
 *     .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN)
 *     .attributeAction("status", CryptoAction.SIGN_ONLY)
 *     .unsignedAttributePrefix("_")                      // _ttl, _version: DO_NOTHING
 *     .materialsManager(cachingManager)
 *     .build();
 * }</pre>
 */
public final class TableConfig {
  /** The encryption-context key that binds every item to its table (KMS sees it; key policies can match it). */
  public static final String TABLE_CONTEXT_KEY = "dynamodb:table";

  private final String tableName;
  private final String accountId;
  private final String region;
  private final String partitionKeyName;
  private final String sortKeyName;
  private final Map<String, CryptoAction> attributeActions;
  private final CryptoAction defaultAction;
  private final String unsignedAttributePrefix;
  private final CryptoMaterialsManager materialsManager;
  private final AlgorithmSuite suite;
  private final Map<String, String> encryptionContext;
  private final AuditSink auditSink;
  private final ContextInAudit contextInAudit;
  private final PlaintextOverride plaintextOverride;
  private final ItemStorageFormat format;
  private final BeaconConfig beacons;

  private TableConfig(Builder b) {
    TableReference reference = TableReference.parse(require(b.tableName, "tableName")).orElseThrow(() ->
        new IllegalArgumentException("tableName '" + b.tableName + "' is neither a DynamoDB table name (3 to 255 "
            + "of a-z A-Z 0-9 _ - .) nor a table ARN"));
    this.tableName = reference.name();
    this.accountId = agree("accountId", b.accountId, reference.account().orElse(null));
    this.region = agree("region", b.region, reference.region().orElse(null));
    this.partitionKeyName = require(b.partitionKeyName, "partitionKeyName");
    this.sortKeyName = b.sortKeyName;
    this.defaultAction = b.defaultAction;
    this.unsignedAttributePrefix = b.unsignedAttributePrefix;
    this.suite = b.suite;
    this.auditSink = b.auditSink;
    this.contextInAudit = b.contextInAudit;
    this.plaintextOverride = b.plaintextOverride;
    this.format = b.format;
    this.beacons = b.beacons;
    if (b.materialsManager == null) {
      throw new IllegalArgumentException("Table " + tableName + ": set a keyring or a materials manager");
    }
    this.materialsManager = b.materialsManager;
    if (!suite.isCommitting() || suite.kdf() != AlgorithmSuite.Kdf.HKDF_SHA512) {
      throw new IllegalArgumentException("Table " + tableName + ": items need a committing suite "
          + "(AES_256_GCM_HKDF_SHA512_COMMIT_KEY or ..._ECDSA_P384), not " + suite);
    }
    Map<String, CryptoAction> actions = new LinkedHashMap<>(b.attributeActions);
    boolean included = actions.containsValue(CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT);
    if (included && format != ItemStorageFormat.DB_ESDK) {
      throw new IllegalArgumentException("Table " + tableName + ": SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT exists "
          + "only in the DB_ESDK item format; set format(ItemStorageFormat.DB_ESDK)");
    }
    for (String key : keyNames()) {
      CryptoAction configured = actions.get(key);
      if (configured != null && configured != CryptoAction.SIGN_ONLY
          && configured != CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) {
        throw new IllegalArgumentException("Table " + tableName + ": key attribute '" + key + "' cannot be "
            + configured + " (DynamoDB must read keys in the clear to find the item); key attributes are "
            + "always SIGN_ONLY");
      }
      // In the DB-ESDK format's version 2 the keys are bound into the context too, as the AWS library requires.
      actions.put(key, included ? CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT : CryptoAction.SIGN_ONLY);
    }
    if (beacons != null) {
      if (format != ItemStorageFormat.DB_ESDK) {
        throw new IllegalArgumentException("Table " + tableName + ": beacons exist only in the DB_ESDK item format");
      }
      actions.putAll(beacons.signedBeaconActions(tableName, actions, unsignedAttributePrefix));
    }
    if (format == ItemStorageFormat.DB_ESDK) {
      if (!(b.materialsManager instanceof DefaultMaterialsManager)) {
        throw new IllegalArgumentException("Table " + tableName + ": the DB_ESDK item format needs a keyring "
            + "(each wrapping key gets an intermediate key of its own, which a materials manager cannot give); "
            + "configure keyring(...), or format(ItemStorageFormat.ENVELOPE_V1) to keep a caching manager");
      }
      if (!b.encryptionContext.isEmpty()) {
        throw new IllegalArgumentException("Table " + tableName + ": the DB_ESDK item format has no extra "
            + "encryption context (the AWS library binds the table and keys only); bind attribute values with "
            + "SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT instead");
      }
      if (b.defaultAction != null) {
        throw new IllegalArgumentException("Table " + tableName + ": the DB_ESDK item format needs an action "
            + "for every signed attribute, as the AWS library does; remove defaultAction and configure each");
      }
    }
    for (String name : actions.keySet()) {
      if (ItemFormat.isReserved(name)) {
        throw new IllegalArgumentException("Table " + tableName + ": attribute name '" + name
            + "' is reserved for the item header and signature");
      }
      if (unsignedAttributePrefix != null && name.startsWith(unsignedAttributePrefix)
          && actions.get(name) != CryptoAction.DO_NOTHING) {
        throw new IllegalArgumentException("Table " + tableName + ": attribute '" + name + "' starts with the "
            + "unsigned prefix '" + unsignedAttributePrefix + "' but is configured " + actions.get(name));
      }
    }
    this.attributeActions = Map.copyOf(actions);
    for (String key : b.encryptionContext.keySet()) {
      if (key.equals(TABLE_CONTEXT_KEY) || key.startsWith("aws-crypto-")) {
        throw new IllegalArgumentException("Table " + tableName + ": encryption-context key '" + key
            + "' is reserved");
      }
    }
    Map<String, String> context = new LinkedHashMap<>(b.encryptionContext);
    context.put(TABLE_CONTEXT_KEY, tableName);
    this.encryptionContext = Map.copyOf(context);
  }

  private String agree(String field, String configured, String fromArn) {
    if (configured != null && fromArn != null && !configured.equals(fromArn)) {
      throw new IllegalArgumentException("Table " + tableName + ": " + field + " " + configured + " differs from "
          + "the table ARN's " + fromArn);
    }
    return configured != null ? configured : fromArn;
  }

  private static String require(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder()
        .tableName(tableName)
        .accountId(accountId)
        .region(region)
        .partitionKeyName(partitionKeyName)
        .sortKeyName(sortKeyName)
        .attributeActions(configuredActions())
        .defaultAction(defaultAction)
        .unsignedAttributePrefix(unsignedAttributePrefix)
        .materialsManager(materialsManager)
        .suite(suite)
        .auditSink(auditSink)
        .contextInAudit(contextInAudit)
        .plaintextOverride(plaintextOverride)
        .format(format);
    if (beacons != null) {
      b.beacons(beacons);
    }
    Map<String, String> extra = new LinkedHashMap<>(encryptionContext);
    extra.remove(TABLE_CONTEXT_KEY);
    return b.encryptionContext(extra);
  }

  public String tableName() {
    return tableName;
  }

  /**
   * The account the table belongs to, if configured: a request naming the table by ARN must then name this
   * account. Empty: ARNs of any account resolve to this configuration by table name.
   */
  public Optional<String> accountId() {
    return Optional.ofNullable(accountId);
  }

  /** The table's region, if configured; checked like {@link #accountId()}. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  public String partitionKeyName() {
    return partitionKeyName;
  }

  public Optional<String> sortKeyName() {
    return Optional.ofNullable(sortKeyName);
  }

  /** The configured actions, key attributes included (always SIGN_ONLY). */
  public Map<String, CryptoAction> attributeActions() {
    return attributeActions;
  }

  /** The action for attributes the configuration does not name; empty means such attributes are refused. */
  public Optional<CryptoAction> defaultAction() {
    return Optional.ofNullable(defaultAction);
  }

  public Optional<String> unsignedAttributePrefix() {
    return Optional.ofNullable(unsignedAttributePrefix);
  }

  public CryptoMaterialsManager materialsManager() {
    return materialsManager;
  }

  public AlgorithmSuite suite() {
    return suite;
  }

  /** The context every item of the table is encrypted under: {@value #TABLE_CONTEXT_KEY} plus the caller's pairs. */
  public Map<String, String> encryptionContext() {
    return encryptionContext;
  }

  public AuditSink auditSink() {
    return auditSink;
  }

  public ContextInAudit contextInAudit() {
    return contextInAudit;
  }

  /** The actions as configured: without the signed beacons, which a search configuration adds itself. */
  private Map<String, CryptoAction> configuredActions() {
    Map<String, CryptoAction> configured = new LinkedHashMap<>(attributeActions);
    if (beacons != null) {
      beacons.signedBeaconNames().forEach(configured::remove);
    }
    return configured;
  }

  /** The table's searchable encryption, if it has any. */
  public Optional<BeaconConfig> beacons() {
    return Optional.ofNullable(beacons);
  }

  /** The format new items are written in; both are read. */
  public ItemStorageFormat format() {
    return format;
  }

  /** The keyring, when the table was configured with one (the DB_ESDK format needs it). */
  public Optional<Keyring> keyring() {
    return materialsManager instanceof DefaultMaterialsManager manager ? Optional.of(manager.keyring())
        : Optional.empty();
  }

  /** Whether items without encryption are returned as they are ({@link #plaintextOverride()} allows it). */
  public boolean allowPlaintextReads() {
    return plaintextOverride.readsPlaintext();
  }

  /** What the table does with plaintext items, on write and on read. */
  public PlaintextOverride plaintextOverride() {
    return plaintextOverride;
  }

  /**
   * The action for {@code attributeName}, or empty when the configuration has none for it (no entry, no matching
   * prefix, no default action).
   */
  public Optional<CryptoAction> actionFor(String attributeName) {
    CryptoAction action = attributeActions.get(attributeName);
    if (action != null) {
      return Optional.of(action);
    }
    if (unsignedAttributePrefix != null && attributeName.startsWith(unsignedAttributePrefix)) {
      return Optional.of(CryptoAction.DO_NOTHING);
    }
    return Optional.ofNullable(defaultAction);
  }

  /** The key attribute names: partition key, then sort key if any. */
  public List<String> keyNames() {
    return sortKeyName == null ? List.of(partitionKeyName) : List.of(partitionKeyName, sortKeyName);
  }

  @Override
  public String toString() {
    return "TableConfig[" + tableName + ", keys=" + keyNames() + ", actions=" + attributeActions + ", default="
        + defaultAction + ", suite=" + suite + ", format=" + format + "]";
  }

  /** Builder. Required: table name, partition key name, and a keyring or materials manager. */
  public static final class Builder {
    private String tableName;
    private String accountId;
    private String region;
    private String partitionKeyName;
    private String sortKeyName;
    private final Map<String, CryptoAction> attributeActions = new LinkedHashMap<>();
    private CryptoAction defaultAction;
    private String unsignedAttributePrefix;
    private CryptoMaterialsManager materialsManager;
    private AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    private final Map<String, String> encryptionContext = new LinkedHashMap<>();
    private AuditSink auditSink = AuditSink.none();
    private ContextInAudit contextInAudit = ContextInAudit.HASHED;
    private PlaintextOverride plaintextOverride = PlaintextOverride.FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ;
    private ItemStorageFormat format = ItemStorageFormat.DB_ESDK;
    private BeaconConfig beacons;

    private Builder() {}

    /**
     * Searchable encryption (DB_ESDK format): every write stores the item's beacons ({@code aws_dbe_b_<name>},
     * and signed compound beacons under their own names) as the AWS Database Encryption SDK does, so that its
     * queries find the items. Query rewriting on this side is not built yet.
     */
    public Builder beacons(BeaconConfig beacons) {
      this.beacons = Objects.requireNonNull(beacons, "beacons");
      return this;
    }

    /**
     * The format new items are written in: {@link ItemStorageFormat#DB_ESDK} (readable by the AWS Database
     * Encryption SDK) or {@link ItemStorageFormat#ENVELOPE_V1} (the default for now). Items in either are read.
     */
    public Builder format(ItemStorageFormat format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * The table's name as DynamoDB knows it, bound into every item; or its ARN, which sets the name, the account
     * and the region. Requests may name the table either way. Required.
     */
    public Builder tableName(String tableName) {
      this.tableName = tableName;
      return this;
    }

    /**
     * The table's account. Unset (the default) unless {@link #tableName} was an ARN; when set, a request naming
     * the table by an ARN of another account is refused.
     */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /** The table's region; unset by default, checked against request ARNs like {@link #accountId}. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** The partition key's attribute name (always SIGN_ONLY). Required. */
    public Builder partitionKeyName(String partitionKeyName) {
      this.partitionKeyName = partitionKeyName;
      return this;
    }

    /** The sort key's name, or null for a table without one. None by default. */
    public Builder sortKeyName(String sortKeyName) {
      this.sortKeyName = sortKeyName;
      return this;
    }

    /** The action for one attribute; attributes without one take the default action, and are refused if none is set. */
    public Builder attributeAction(String attributeName, CryptoAction action) {
      attributeActions.put(Objects.requireNonNull(attributeName, "attributeName"),
          Objects.requireNonNull(action, "action"));
      return this;
    }

    /** Replaces the configured actions. */
    public Builder attributeActions(Map<String, CryptoAction> actions) {
      attributeActions.clear();
      actions.forEach(this::attributeAction);
      return this;
    }

    /**
     * The action for attributes not configured by name or prefix. Unset (the default), writing or reading such an
     * attribute fails: a new attribute is not silently stored in the clear, nor silently encrypted.
     */
    public Builder defaultAction(CryptoAction defaultAction) {
      this.defaultAction = defaultAction;
      return this;
    }

    /**
     * Attributes whose names start with {@code prefix} are DO_NOTHING (for example {@code "_"} for _ttl). None by
     * default.
     */
    public Builder unsignedAttributePrefix(String prefix) {
      this.unsignedAttributePrefix = prefix == null || prefix.isEmpty() ? null : prefix;
      return this;
    }

    /**
     * The keyring, used through a {@link dev.envelope.core.materials.DefaultMaterialsManager}. This or {@link
     * #materialsManager} is required.
     */
    public Builder keyring(Keyring keyring) {
      this.materialsManager = DefaultMaterialsManager.create(keyring);
      return this;
    }

    /**
     * A materials manager, for example a caching one so that a busy table makes few KMS calls. This or {@link
     * #keyring} is required.
     */
    public Builder materialsManager(CryptoMaterialsManager materialsManager) {
      this.materialsManager = materialsManager;
      return this;
    }

    /**
     * AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0478, the default: HMAC-signed, cacheable) or
     * AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 (0x0578: adds an ECDSA signature, so that readers who can
     * decrypt still cannot forge items; data keys of signed suites are not cached on encrypt).
     */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = Objects.requireNonNull(suite, "suite");
      return this;
    }

    /**
     * Extra pairs bound to every item of the table (not stored in items; they must be configured to read). None by
     * default.
     */
    public Builder encryptionContext(Map<String, String> context) {
      encryptionContext.clear();
      encryptionContext.putAll(context);
      return this;
    }

    /** Where item encrypts and decrypts are recorded. {@link AuditSink#none()} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /** How context values appear in audit events. {@link ContextInAudit#HASHED} by default, as everywhere. */
    public Builder contextInAudit(ContextInAudit contextInAudit) {
      this.contextInAudit = Objects.requireNonNull(contextInAudit, "contextInAudit");
      return this;
    }

    /**
     * Whether items without the header and signature attributes are returned as they are (while a table is being
     * migrated to encryption). Off by default: such an item is refused.
     */
    public Builder allowPlaintextReads(boolean allow) {
      this.plaintextOverride = allow ? PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ
          : PlaintextOverride.FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ;
      return this;
    }

    /**
     * The AWS library's three steps of a migration to encryption (or back): write plaintext and read both, write
     * encrypted and read both, or (the default) write encrypted and refuse plaintext.
     * {@code allowPlaintextReads(true)} is the second.
     */
    public Builder plaintextOverride(PlaintextOverride plaintextOverride) {
      this.plaintextOverride = Objects.requireNonNull(plaintextOverride, "plaintextOverride");
      return this;
    }

    public TableConfig build() {
      return new TableConfig(this);
    }
  }
}
