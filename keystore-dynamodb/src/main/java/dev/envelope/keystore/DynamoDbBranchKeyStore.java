package dev.envelope.keystore;

import dev.envelope.core.keystore.BranchKeyMaterials;
import dev.envelope.core.keystore.BranchKeyStore;
import dev.envelope.core.keystore.BranchKeyStoreException;
import dev.envelope.core.keystore.BranchKeyVersions;
import dev.envelope.core.spi.KmsErrors;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyWithoutPlaintextResponse;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * The AWS key store in DynamoDB, item for item as the AWS Material Providers Library 1.11.0 writes it: a table keyed
 * by {@code branch-key-id} and {@code type}, three items per new branch key (the ACTIVE item, a version item, a
 * beacon item) and one more version item per {@link #versionKey}, each item's {@code enc} a KMS ciphertext bound
 * to the item's own attributes and the logical key store name. Keys created or versioned here are read by the AWS
 * library's {@code KeyStore} and the reverse.
 *
 * <pre>{@code
 * DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms)
 *     .tableName("KeyStore").logicalKeyStoreName("orders-keys").kmsKeyArn(keyArn).build();
 * store.createTable();                                        // once: DescribeTable, or CreateTable
 * String tenantKey = store.createKey("tenant-42", Map.of("tenant", "42"));
 * HierarchicalKeyring keyring = HierarchicalKeyring.builder().keyStore(store).branchKeyId(tenantKey)
 *     .ttl(Duration.ofMinutes(10)).build();
 * }</pre>
 *
 * <p>Reads: one GetItem and one KMS Decrypt each, counted in the returned materials. {@code versionKey} writes the
 * new ACTIVE item only if the ACTIVE item is still the one it read (the key store specification's race
 * mitigation, which the AWS library does not yet apply). Errors name the branch key, the table and the fix.
 * Immutable and thread-safe (the SDK clients are).
 */
public final class DynamoDbBranchKeyStore implements BranchKeyStore {
  /** The creation time format of the AWS library (milliseconds written as six digits). */
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private final DynamoDbClient dynamoDb;
  private final KmsClient kms;
  private final String tableName;
  private final String logicalName;
  private final KmsConfiguration kmsConfiguration;
  private final List<String> grantTokens;
  private final Clock clock;

  private DynamoDbBranchKeyStore(Builder b, KmsConfiguration kmsConfiguration) {
    this.dynamoDb = b.dynamoDb;
    this.kms = b.kms;
    this.tableName = b.tableName;
    this.logicalName = b.logicalName;
    this.kmsConfiguration = kmsConfiguration;
    this.grantTokens = List.copyOf(b.grantTokens);
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String logicalKeyStoreName() {
    return logicalName;
  }

  /** The DynamoDB table this store reads and writes. */
  public String tableName() {
    return tableName;
  }

  /**
   * Creates the table with the key store's schema ({@code branch-key-id} S partition key, {@code type} S sort key,
   * on demand), unless it exists; an existing table must have that key schema.
   *
   * @throws BranchKeyStoreException if an existing table has another key schema
   */
  public void createTable() {
    TableDescription table;
    try {
      table = dynamoDb.describeTable(b -> b.tableName(tableName)).table();
    } catch (ResourceNotFoundException e) {
      dynamoDb.createTable(b -> b.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST)
          .keySchema(KeySchemaElement.builder().attributeName(BranchKeyItem.BRANCH_KEY_ID).keyType(KeyType.HASH)
                  .build(),
              KeySchemaElement.builder().attributeName(BranchKeyItem.TYPE).keyType(KeyType.RANGE).build())
          .attributeDefinitions(
              AttributeDefinition.builder().attributeName(BranchKeyItem.BRANCH_KEY_ID)
                  .attributeType(ScalarAttributeType.S).build(),
              AttributeDefinition.builder().attributeName(BranchKeyItem.TYPE).attributeType(ScalarAttributeType.S)
                  .build()));
      return;
    }
    boolean schema = table.keySchema().contains(KeySchemaElement.builder()
        .attributeName(BranchKeyItem.BRANCH_KEY_ID).keyType(KeyType.HASH).build())
        && table.keySchema().contains(KeySchemaElement.builder().attributeName(BranchKeyItem.TYPE)
        .keyType(KeyType.RANGE).build());
    if (!schema) {
      throw new BranchKeyStoreException("Table " + tableName + " exists with key schema " + table.keySchema()
          + ", not the key store's (branch-key-id HASH, type RANGE, both strings): use another table name");
    }
  }

  /** Creates a branch key with a new UUID as its id and no custom context; returns the id. */
  public String createKey() {
    return create(UUID.randomUUID().toString(), Map.of());
  }

  /**
   * Creates branch key {@code branchKeyId} with a custom encryption context (bound into every version's KMS
   * context under {@code aws-crypto-ec:} keys), as the AWS library requires for a chosen id; returns the id.
   *
   * @throws IllegalArgumentException if the id is empty or the context is empty
   * @throws BranchKeyStoreException if the id exists already, or KMS or DynamoDB refuse
   */
  public String createKey(String branchKeyId, Map<String, String> encryptionContext) {
    if (branchKeyId == null || branchKeyId.isEmpty()) {
      throw new IllegalArgumentException("branchKeyId must not be empty");
    }
    if (encryptionContext == null || encryptionContext.isEmpty()) {
      throw new IllegalArgumentException("A branch key with a chosen id needs a non-empty encryption context (as in "
          + "the AWS key store), so that its items are bound to more than their id");
    }
    return create(branchKeyId, encryptionContext);
  }

  private String create(String id, Map<String, String> custom) {
    String kmsKeyArn = kmsConfiguration.writeArn("create keys");
    String version = BranchKeyVersions.newVersion();
    Map<String, String> base = new HashMap<>();
    base.put(BranchKeyItem.BRANCH_KEY_ID, id);
    base.put(BranchKeyItem.CREATE_TIME, now());
    base.put(BranchKeyItem.TABLE_NAME, logicalName);
    base.put(BranchKeyItem.KMS_ARN, kmsKeyArn);
    base.put(BranchKeyItem.HIERARCHY_VERSION, "1");
    custom.forEach((k, v) -> base.put(BranchKeyItem.CUSTOM_CONTEXT_PREFIX + k, v));
    Map<String, String> decryptOnly = withType(base, BranchKeyItem.VERSION_PREFIX + version);
    Map<String, String> active = activeContext(decryptOnly, version);
    Map<String, String> beacon = withType(base, BranchKeyItem.BEACON);
    String where = "branch key " + id;
    byte[] versionEnc = generate(decryptOnly, where, kmsKeyArn);
    byte[] activeEnc = reEncrypt(versionEnc, decryptOnly, active, where, kmsKeyArn);
    byte[] beaconEnc = generate(beacon, where, kmsKeyArn);
    try {
      dynamoDb.transactWriteItems(b -> b.transactItems(
          putIfAbsent(BranchKeyItem.of(decryptOnly, versionEnc)),
          putIfAbsent(BranchKeyItem.of(active, activeEnc)),
          putIfAbsent(BranchKeyItem.of(beacon, beaconEnc))));
    } catch (TransactionCanceledException e) {
      throw new BranchKeyStoreException("Branch key " + id + " exists already in key store table " + tableName
          + ": choose another id, or version the existing key with versionKey", e);
    } catch (DynamoDbException e) {
      throw storeFailure(where, "CreateKey", e);
    }
    return id;
  }

  /**
   * Makes a new active version of {@code branchKeyId}: messages written from now on use it, and every earlier
   * version stays readable. The old ACTIVE item is authenticated with KMS first, and the new one is written only
   * if the ACTIVE item has not changed meanwhile.
   *
   * @throws BranchKeyStoreException if the key does not exist, belongs to another KMS key, was versioned
   *     concurrently (retry), or KMS or DynamoDB refuse
   */
  public void versionKey(String branchKeyId) {
    kmsConfiguration.writeArn("version keys");
    String where = "branch key " + branchKeyId + " (" + BranchKeyItem.ACTIVE + ")";
    BranchKeyItem old = read(branchKeyId, BranchKeyItem.ACTIVE, where);
    // The configured key (for a multi-Region key, this client's replica); the items keep the ARN they name.
    String kmsKeyId = kmsKeyIdFor(old, where);
    // Authenticates the item; the output is discarded.
    reEncrypt(old.enc(), old.context(), old.context(), where, kmsKeyId);
    String version = BranchKeyVersions.newVersion();
    Map<String, String> decryptOnly = new HashMap<>(old.context());
    decryptOnly.remove(BranchKeyItem.VERSION);
    decryptOnly.put(BranchKeyItem.TYPE, BranchKeyItem.VERSION_PREFIX + version);
    decryptOnly.put(BranchKeyItem.CREATE_TIME, now());
    Map<String, String> active = activeContext(decryptOnly, version);
    byte[] versionEnc = generate(decryptOnly, where, kmsKeyId);
    byte[] activeEnc = reEncrypt(versionEnc, decryptOnly, active, where, kmsKeyId);
    try {
      dynamoDb.transactWriteItems(b -> b.transactItems(
          putIfAbsent(BranchKeyItem.of(decryptOnly, versionEnc)),
          TransactWriteItem.builder().put(Put.builder().tableName(tableName)
              .item(BranchKeyItem.of(active, activeEnc).toItem())
              .conditionExpression("attribute_exists(#id) AND #enc = :oldEnc")
              .expressionAttributeNames(Map.of("#id", BranchKeyItem.BRANCH_KEY_ID, "#enc", BranchKeyItem.ENC))
              .expressionAttributeValues(Map.of(":oldEnc", AttributeValue.fromB(SdkBytes.fromByteArray(old.enc()))))
              .build()).build()));
    } catch (TransactionCanceledException e) {
      throw new BranchKeyStoreException("Branch key " + branchKeyId + " was versioned or changed by another writer "
          + "while this VersionKey ran (its ACTIVE item is no longer the one read): nothing was written; read the "
          + "key again and retry if a new version is still wanted", e);
    } catch (DynamoDbException e) {
      throw storeFailure(where, "VersionKey", e);
    }
  }

  @Override
  public BranchKeyMaterials activeBranchKey(String branchKeyId) {
    String where = "branch key " + branchKeyId + " (" + BranchKeyItem.ACTIVE + ")";
    BranchKeyItem item = read(branchKeyId, BranchKeyItem.ACTIVE, where);
    return branchKey(item, where);
  }

  @Override
  public BranchKeyMaterials branchKeyVersion(String branchKeyId, String version) {
    BranchKeyVersions.toBytes(version); // a lowercase UUID, or no such item can exist
    String where = "branch key " + branchKeyId + " version " + version;
    BranchKeyItem item = read(branchKeyId, BranchKeyItem.VERSION_PREFIX + version, where);
    return branchKey(item, where);
  }

  /**
   * The beacon key of {@code branchKeyId} (the {@code beacon:ACTIVE} item), from which searchable encryption derives
   * its beacon keys. One GetItem and one KMS Decrypt.
   *
   * @throws BranchKeyStoreException if the item does not exist or cannot be read
   */
  public BeaconKey beaconKey(String branchKeyId) {
    String where = "branch key " + branchKeyId + " (" + BranchKeyItem.BEACON + ")";
    BranchKeyItem item = read(branchKeyId, BranchKeyItem.BEACON, where);
    return decrypt(item, where, "beacon", key -> new BeaconKey(branchKeyId, key, item.customContext()));
  }

  private BranchKeyItem read(String id, String type, String where) {
    Map<String, AttributeValue> item;
    try {
      item = dynamoDb.getItem(b -> b.tableName(tableName).key(Map.of(BranchKeyItem.BRANCH_KEY_ID,
          AttributeValue.fromS(id), BranchKeyItem.TYPE, AttributeValue.fromS(type)))).item();
    } catch (ResourceNotFoundException e) {
      throw new BranchKeyStoreException("Key store table " + tableName + " (logical name " + logicalName
          + ") does not exist, so " + where + " cannot be read: create it with createTable(), or the AWS "
          + "KeyStore's CreateKeyStore, in the Region and account of the DynamoDB client", e);
    } catch (DynamoDbException e) {
      throw storeFailure(where, "GetItem", e);
    }
    if (item == null || item.isEmpty()) {
      throw new BranchKeyStoreException(capitalize(where) + " is not in key store table " + tableName
          + " (logical name " + logicalName + "): create the key with createKey, or check the branch key id"
          + (type.equals(BranchKeyItem.ACTIVE) ? "" : " and that the message came from this key store"));
    }
    BranchKeyItem parsed = BranchKeyItem.parse(item, logicalName, capitalize(where) + " in table " + tableName);
    if (!parsed.type().equals(type) || !parsed.branchKeyId().equals(id)) {
      throw new BranchKeyStoreException(capitalize(where) + " in table " + tableName + " holds type "
          + parsed.type() + " of " + parsed.branchKeyId() + ": the table is not a key store table");
    }
    return parsed;
  }

  /** A branch key item's materials: one GetItem (already made) and one KMS Decrypt. */
  private BranchKeyMaterials branchKey(BranchKeyItem item, String where) {
    return decrypt(item, where, "branch", key -> BranchKeyMaterials.of(item.branchKeyId(), item.version(), key,
        item.customContext(), 1, 1));
  }

  /** The item's key, decrypted by KMS under the item's context, handed to {@code build} and then zeroed. */
  private <T> T decrypt(BranchKeyItem item, String where, String kind, Function<byte[], T> build) {
    String kmsKeyId = kmsKeyIdFor(item, where);
    byte[] key = null;
    try {
      DecryptResponse r = kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(item.enc()))
          .encryptionContext(item.context()).keyId(kmsKeyId).grantTokens(grantTokens));
      key = r.plaintext().asByteArray();
      if (key.length != BranchKeyMaterials.KEY_LENGTH) {
        throw new BranchKeyStoreException("KMS returned " + key.length + " bytes for " + where + ", not a "
            + BranchKeyMaterials.KEY_LENGTH + "-byte " + kind + " key: the item's enc is not a " + kind + " key");
      }
      return build.apply(key);
    } catch (SdkException e) {
      throw kmsFailure(where, "Decrypt", kmsKeyId, e);
    } finally {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  private byte[] generate(Map<String, String> context, String where, String kmsKeyArn) {
    try {
      GenerateDataKeyWithoutPlaintextResponse r = kms.generateDataKeyWithoutPlaintext(b -> b.keyId(kmsKeyArn)
          .numberOfBytes(BranchKeyMaterials.KEY_LENGTH).encryptionContext(context).grantTokens(grantTokens));
      return r.ciphertextBlob().asByteArray();
    } catch (SdkException e) {
      throw kmsFailure(where, "GenerateDataKeyWithoutPlaintext", kmsKeyArn, e);
    }
  }

  private byte[] reEncrypt(byte[] enc, Map<String, String> from, Map<String, String> to, String where,
      String kmsKeyArn) {
    try {
      ReEncryptResponse r = kms.reEncrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(enc))
          .sourceEncryptionContext(from).sourceKeyId(kmsKeyArn).destinationKeyId(kmsKeyArn)
          .destinationEncryptionContext(to).grantTokens(grantTokens));
      return r.ciphertextBlob().asByteArray();
    } catch (SdkException e) {
      throw kmsFailure(where, "ReEncrypt", kmsKeyArn, e);
    }
  }

  /** The key id to call KMS with for {@code item}, if this store's KMS configuration accepts the key it names. */
  private String kmsKeyIdFor(BranchKeyItem item, String where) {
    try {
      return kmsConfiguration.decryptKeyId(item.kmsArn());
    } catch (IllegalArgumentException refusal) {
      throw new BranchKeyStoreException(capitalize(where) + " " + refusal.getMessage());
    }
  }

  private TransactWriteItem putIfAbsent(BranchKeyItem item) {
    return TransactWriteItem.builder().put(Put.builder().tableName(tableName).item(item.toItem())
        .conditionExpression("attribute_not_exists(#id)")
        .expressionAttributeNames(Map.of("#id", BranchKeyItem.BRANCH_KEY_ID)).build()).build();
  }

  private BranchKeyStoreException kmsFailure(String where, String operation, String kmsKeyId, SdkException e) {
    String fix = KmsErrors.translate(operation, kmsKeyId, e).getMessage();
    return new BranchKeyStoreException("KMS " + operation + " for " + where + " in key store " + logicalName
        + " failed: " + fix + (operation.equals("Decrypt") ? " (an InvalidCiphertextException also means the item "
        + "was changed, or the store's logical name differs from the one the key was created with)" : ""), e);
  }

  private BranchKeyStoreException storeFailure(String where, String operation, DynamoDbException e) {
    return new BranchKeyStoreException("DynamoDB " + operation + " on key store table " + tableName + " for "
        + where + " failed: " + (e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() + " ("
        + e.awsErrorDetails().errorMessage() + ")" : e.getMessage()), e);
  }

  private String now() {
    ZonedDateTime t = clock.instant().atZone(ZoneOffset.UTC);
    return SECONDS.format(t) + String.format(".%06dZ", t.getNano() / 1_000_000);
  }

  private static Map<String, String> withType(Map<String, String> base, String type) {
    Map<String, String> context = new HashMap<>(base);
    context.put(BranchKeyItem.TYPE, type);
    return context;
  }

  private static Map<String, String> activeContext(Map<String, String> decryptOnly, String version) {
    Map<String, String> active = new HashMap<>(decryptOnly);
    active.put(BranchKeyItem.TYPE, BranchKeyItem.ACTIVE);
    active.put(BranchKeyItem.VERSION, BranchKeyItem.VERSION_PREFIX + version);
    return active;
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Builder: the clients, the table, the logical name and the KMS configuration (or key ARN) are required. */
  public static final class Builder {
    private DynamoDbClient dynamoDb;
    private KmsClient kms;
    private String tableName;
    private String logicalName;
    private String kmsKeyArn;
    private KmsConfiguration kmsConfiguration;
    private List<String> grantTokens = List.of();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder dynamoDb(DynamoDbClient dynamoDb) {
      this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
      return this;
    }

    public Builder kms(KmsClient kms) {
      this.kms = Objects.requireNonNull(kms, "kms");
      return this;
    }

    /** The physical DynamoDB table. */
    public Builder tableName(String tableName) {
      this.tableName = tableName;
      return this;
    }

    /**
     * The logical key store name, bound into every branch key's KMS context: the same for every client of one
     * table (often the table name), never shared by two tables.
     */
    public Builder logicalKeyStoreName(String logicalName) {
      this.logicalName = logicalName;
      return this;
    }

    /** The KMS key (a full key ARN, not an alias) that protects the branch keys: {@link KmsConfiguration#keyArn}. */
    public Builder kmsKeyArn(String kmsKeyArn) {
      this.kmsKeyArn = kmsKeyArn;
      return this;
    }

    /** The KMS key or keys, in any of the four configurations of the AWS key store. */
    public Builder kmsConfiguration(KmsConfiguration kmsConfiguration) {
      this.kmsConfiguration = Objects.requireNonNull(kmsConfiguration, "kmsConfiguration");
      return this;
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = List.copyOf(grantTokens);
      return this;
    }

    /** The clock of {@code create-time}. The system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public DynamoDbBranchKeyStore build() {
      Objects.requireNonNull(dynamoDb, "dynamoDb");
      Objects.requireNonNull(kms, "kms");
      for (String[] required : new String[][] {{"tableName", tableName}, {"logicalKeyStoreName", logicalName}}) {
        if (required[1] == null || required[1].isEmpty()) {
          throw new IllegalArgumentException(required[0] + " is required");
        }
      }
      if (kmsConfiguration != null && kmsKeyArn != null) {
        throw new IllegalArgumentException("Give kmsKeyArn or kmsConfiguration, not both");
      }
      if (kmsConfiguration == null && (kmsKeyArn == null || kmsKeyArn.isEmpty())) {
        throw new IllegalArgumentException("kmsKeyArn (or kmsConfiguration) is required");
      }
      return new DynamoDbBranchKeyStore(this,
          kmsConfiguration != null ? kmsConfiguration : KmsConfiguration.keyArn(kmsKeyArn));
    }
  }
}
