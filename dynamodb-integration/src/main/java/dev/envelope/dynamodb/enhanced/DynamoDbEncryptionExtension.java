package dev.envelope.dynamodb.enhanced;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.PlaintextOverride;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.dynamodb.UnsupportedRequestException;
import dev.envelope.dynamodb.internal.TableReference;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClientExtension;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbExtensionContext;
import software.amazon.awssdk.enhanced.dynamodb.extensions.ReadModification;
import software.amazon.awssdk.enhanced.dynamodb.extensions.WriteModification;
import software.amazon.awssdk.enhanced.dynamodb.internal.operations.OperationName;

/**
 * Encrypts bean tables of the DynamoDB Enhanced Client transparently. The actions come from the bean: every
 * attribute is ENCRYPT_AND_SIGN unless its getter carries {@link SignOnly} or {@link DoNothing}; table and index
 * keys are SIGN_ONLY (DynamoDB must read them). Attributes the schema does not map are refused.
 *
 * <pre>{@code
 * DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder()
 *     .dynamoDbClient(ddb)                               // a plain client: no encryption interceptor for these tables
 *     .extensions(DynamoDbEncryptionExtension.builder().materialsManager(cmm).build())
 *     .build();
 * }</pre>
 *
 * <p>Every table the client opens is encrypted; the per-table {@link ItemEncryptor} is built on first use from the
 * table's schema. The Enhanced Client's updateItem is refused (it would rewrite signed attributes one by one): use
 * putItem. Conditions on encrypted attributes are not checked here (the extension does not see expressions): use
 * conditions on SIGN_ONLY attributes only. For the same reason it cannot search beacons: for that, give the
 * Enhanced Client a client with the interceptor configured by {@link BeanTables#config}. Thread-safe.
 */
public final class DynamoDbEncryptionExtension implements DynamoDbEnhancedClientExtension {
  private final CryptoMaterialsManager materialsManager;
  private final AlgorithmSuite suite;
  private final AuditSink auditSink;
  private final ContextInAudit contextInAudit;
  private final ItemStorageFormat format;
  private final PlaintextOverride plaintextOverride;
  private final Map<String, ItemEncryptor> encryptors = new ConcurrentHashMap<>();

  private DynamoDbEncryptionExtension(Builder b) {
    this.materialsManager = Objects.requireNonNull(b.materialsManager, "set a keyring or a materials manager");
    this.suite = b.suite;
    this.auditSink = b.auditSink;
    this.contextInAudit = b.contextInAudit;
    this.format = b.format;
    this.plaintextOverride = b.plaintextOverride;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public WriteModification beforeWrite(DynamoDbExtensionContext.BeforeWrite context) {
    String table = context.operationContext().tableName();
    if (context.operationName() == OperationName.UPDATE_ITEM) {
      throw new UnsupportedRequestException("updateItem on encrypted table " + table + " would change signed "
          + "attributes in place and break the item signature: use putItem with the whole item");
    }
    ItemEncryptor encryptor = encryptor(table, context);
    return WriteModification.builder().transformedItem(encryptor.encrypt(context.items())).build();
  }

  @Override
  public ReadModification afterRead(DynamoDbExtensionContext.AfterRead context) {
    if (context.items() == null || context.items().isEmpty()) {
      return ReadModification.builder().build();
    }
    ItemEncryptor encryptor = encryptor(context.operationContext().tableName(), context);
    return ReadModification.builder().transformedItem(encryptor.decrypt(context.items())).build();
  }

  /** The table configuration the extension derived from a table's schema (built on first use). */
  public TableConfig tableConfig(String tableName) {
    ItemEncryptor encryptor = encryptors.get(TableReference.parse(tableName).map(TableReference::name)
        .orElse(tableName));
    if (encryptor == null) {
      throw new IllegalArgumentException("Table " + tableName + " has not been used through this extension yet");
    }
    return encryptor.config();
  }

  /** One encryptor per table, whether the table was opened by name or by ARN (the name is what items bind). */
  private ItemEncryptor encryptor(String tableNameOrArn, DynamoDbExtensionContext.Context context) {
    String table = TableReference.parse(tableNameOrArn).map(TableReference::name).orElse(tableNameOrArn);
    return encryptors.computeIfAbsent(table, t -> ItemEncryptor.create(configFor(t, context)));
  }

  private TableConfig configFor(String table, DynamoDbExtensionContext.Context context) {
    return BeanTables.config(table, context.tableMetadata(), context.tableSchema().attributeNames())
        .materialsManager(materialsManager)
        .suite(suite)
        .auditSink(auditSink)
        .contextInAudit(contextInAudit)
        .format(format)
        .plaintextOverride(plaintextOverride)
        .build();
  }

  /** Builder: a keyring or materials manager is required. */
  public static final class Builder {
    private CryptoMaterialsManager materialsManager;
    private AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    private AuditSink auditSink = AuditSink.none();
    private ContextInAudit contextInAudit = ContextInAudit.HASHED;
    private ItemStorageFormat format = ItemStorageFormat.DB_ESDK;
    private PlaintextOverride plaintextOverride = PlaintextOverride.FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ;

    private Builder() {}

    /** The format new items are written in (as {@link TableConfig.Builder#format}); both are read. */
    public Builder format(ItemStorageFormat format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /** What every bean table does with plaintext items (as {@link TableConfig.Builder#plaintextOverride}). */
    public Builder plaintextOverride(PlaintextOverride plaintextOverride) {
      this.plaintextOverride = Objects.requireNonNull(plaintextOverride, "plaintextOverride");
      return this;
    }

    /** The keyring of every bean table. This or {@link #materialsManager} is required. */
    public Builder keyring(Keyring keyring) {
      this.materialsManager = DefaultMaterialsManager.create(keyring);
      return this;
    }

    /** Instead of a keyring: a materials manager, e.g. a caching one. */
    public Builder materialsManager(CryptoMaterialsManager materialsManager) {
      this.materialsManager = materialsManager;
      return this;
    }

    /** The suite of new items: 0x0478 (committing, unsigned) by default; 0x0578 adds an ECDSA signature. */
    public Builder suite(AlgorithmSuite suite) {
      this.suite = Objects.requireNonNull(suite, "suite");
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

    public DynamoDbEncryptionExtension build() {
      return new DynamoDbEncryptionExtension(this);
    }
  }
}
