package dev.envelope.dynamodb.migration;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.ItemFormat;
import dev.envelope.dynamodb.ItemHeaderInfo;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.PlaintextOverride;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Rewrites every item of a table into the DB-ESDK format: plaintext items are encrypted, items of Envelope's first
 * format re-encrypted, items already in the format left alone (or moved to new keys: {@link Builder#rekeyFrom}). A
 * parallel Scan ({@link Builder#segments}) reads the table through a client without the encryption interceptor;
 * each rewrite is a PutItem conditional on the item being as it was read (its header, or for a plaintext item every
 * attribute and no header), or for {@link ItemRekeyMethod#HEADER} an UpdateItem of the header and footer
 * conditional on both, so a concurrent writer is never overwritten: the item is read again and handled as it now
 * is. After every page each segment records its
 * position in a {@link MigrationCheckpoint}, from which a stopped migration resumes.
 *
 * <p>Run it with the table's writers already encrypting ({@link PlaintextOverride#FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ}):
 * a writer still writing plaintext could add an attribute the plaintext condition cannot see. {@link #run()} may be
 * called once; the migration is thread-safe internally.
 */
public final class TableMigration {
  private static final int MAX_ATTEMPTS = 5;
  /** DynamoDB's limit on an expression is 4 KB; the update and the condition are kept under it together. */
  private static final int MAX_EXPRESSION_CHARS = 4000;

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final ItemEncryptor encryptor;
  private final ItemEncryptor reader;
  private final Set<String> rekeyFrom;
  private final Keyring unwrapWith;
  private final boolean rewrapHeaders;
  private final int segments;
  private final int onlySegment;
  private final int pageSize;
  private final MigrationCheckpoint checkpoint;
  private final Consumer<MigrationResult> progress;
  private final AtomicLong scanned = new AtomicLong();
  private final AtomicLong fromPlaintext = new AtomicLong();
  private final AtomicLong fromV1 = new AtomicLong();
  private final AtomicLong rekeyed = new AtomicLong();
  private final AtomicLong current = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private TableMigration(Builder b) {
    this.dynamoDb = Objects.requireNonNull(b.dynamoDb, "dynamoDb");
    TableConfig config = Objects.requireNonNull(b.table, "table");
    if (config.format() != ItemStorageFormat.DB_ESDK) {
      throw new IllegalArgumentException("Table " + config.tableName() + ": a migration writes the DB_ESDK format; "
          + "the table config says " + config.format());
    }
    this.table = config.tableName();
    // Reads every format and plaintext; writes the DB-ESDK format.
    this.encryptor = ItemEncryptor.create(config.toBuilder()
        .plaintextOverride(PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ).build());
    // A re-key reads with the old keys (and the new, for items a concurrent writer already moved).
    this.unwrapWith = b.oldKeys == null ? null
        : MultiKeyring.ofChildren(List.of(b.oldKeys, config.keyring().orElseThrow()));
    this.reader = unwrapWith == null ? encryptor : ItemEncryptor.create(config.toBuilder()
        .plaintextOverride(PlaintextOverride.FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ).keyring(unwrapWith).build());
    this.rekeyFrom = b.oldKeyIds;
    // Multi-tenant beacons are keyed by the item's branch key: a new header would leave them under the old one.
    this.rewrapHeaders = b.rekeyMethod == ItemRekeyMethod.HEADER
        && config.beacons().flatMap(BeaconConfig::keyFieldName).isEmpty();
    this.segments = b.segments;
    this.onlySegment = b.onlySegment;
    if (onlySegment >= segments) {
      throw new IllegalArgumentException("onlySegment " + onlySegment + " is not one of the " + segments
          + " segments (0.." + (segments - 1) + ")");
    }
    this.pageSize = b.pageSize;
    this.checkpoint = b.checkpoint;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Migrates the table and returns the counts. Stops at the first error that is not an item's (throttling beyond
   * the SDK's retries, a failing checkpoint, the progress callback throwing), after recording where each segment
   * got: run a new migration with the same checkpoint to resume.
   *
   * @throws IllegalStateException before reading anything, if the checkpoint holds positions of a scan cut into
   *     another number of segments
   */
  public MigrationResult run() {
    checkpoint.bindSegments(segments);
    List<Integer> mine = new ArrayList<>();
    for (int s = 0; s < segments; s++) {
      if (onlySegment < 0 || s == onlySegment) {
        mine.add(s);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(mine.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int segment : mine) {
        running.add(pool.submit(() -> {
          try {
            migrateSegment(segment);
          } catch (RuntimeException e) {
            stopped.set(true); // the other segments stop at their next page, their positions recorded
            throw e;
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          stopped.set(true);
          Throwable cause = e.getCause();
          throw cause instanceof RuntimeException r ? r : new EnvelopeException("Migration of " + table
              + " stopped: " + cause, cause);
        }
      }
      return result();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped.set(true);
      throw new EnvelopeException("Migration of " + table + " interrupted; resume it from its checkpoint", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private MigrationResult result() {
    return new MigrationResult(scanned.get(), fromPlaintext.get(), fromV1.get(), rekeyed.get(), current.get(),
        conflicts.get(),
        failed.get());
  }

  private void migrateSegment(int segment) {
    if (checkpoint.done(segment)) {
      return;
    }
    Map<String, AttributeValue> start = checkpoint.position(segment).orElse(null);
    while (!stopped.get()) {
      Map<String, AttributeValue> from = start;
      ScanResponse page = dynamoDb.scan(b -> b.tableName(table).segment(segment).totalSegments(segments)
          .limit(pageSize).consistentRead(true).exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : page.items()) {
        scanned.incrementAndGet();
        migrateItem(item);
      }
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
      checkpoint.save(segment, start);
      progress.accept(result());
      if (start == null) {
        return;
      }
    }
  }

  private void migrateItem(Map<String, AttributeValue> read) {
    Map<String, AttributeValue> item = read;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      boolean dbe = DbeItemCodec.isEncrypted(item);
      boolean rekey = !rekeyFrom.isEmpty() && ItemEncryptor.isEncrypted(item)
          && ItemHeaderInfo.read(item).wrappingKeyIds().stream().anyMatch(rekeyFrom::contains);
      if (dbe && !rekey) {
        current.incrementAndGet();
        return;
      }
      boolean plaintext = !ItemEncryptor.isEncrypted(item);
      boolean written;
      try {
        written = dbe && rewrapHeaders ? rewrapHeader(item) : rewrite(item, plaintext);
      } catch (EnvelopeException e) {
        failed.incrementAndGet(); // left as it is; the audit sink has the item and the reason
        return;
      }
      if (written) {
        (rekey ? rekeyed : plaintext ? fromPlaintext : fromV1).incrementAndGet();
        return;
      }
      conflicts.incrementAndGet();
      Map<String, AttributeValue> key = keyOf(item);
      item = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
      if (item == null || item.isEmpty()) {
        return; // deleted meanwhile: nothing to migrate
      }
    }
    failed.incrementAndGet();
  }

  /**
   * Decrypts the item and writes it encrypted again; false if it changed since it was read. An encrypted item is
   * written as an UpdateItem of the attributes that differ (the header, the encrypted values, the signature), so a
   * concurrent change to an unsigned attribute, which leaves the header as it was, is kept; a PutItem of the whole
   * item when that update would pass DynamoDB's 4 KB expression limit, and for plaintext items, whose condition
   * covers every attribute.
   */
  private boolean rewrite(Map<String, AttributeValue> item, boolean plaintext) {
    Map<String, AttributeValue> rewritten = encryptor.encrypt(reader.decrypt(item));
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    String condition = unchanged(item, plaintext, names, values);
    String update = plaintext ? null : changes(item, rewritten, names, values);
    try {
      if (update != null && update.length() + condition.length() <= MAX_EXPRESSION_CHARS) {
        dynamoDb.updateItem(b -> b.tableName(table).key(keyOf(item)).updateExpression(update)
            .conditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values));
      } else {
        names.keySet().removeIf(name -> name.startsWith("#u"));
        values.keySet().removeIf(name -> name.startsWith(":u"));
        dynamoDb.putItem(b -> b.tableName(table).item(rewritten).conditionExpression(condition)
            .expressionAttributeNames(names).expressionAttributeValues(values.isEmpty() ? null : values));
      }
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * The update turning {@code item} into {@code rewritten}: SET what differs or is new, REMOVE what is gone (the
   * first format's attributes), key attributes untouched.
   */
  private String changes(Map<String, AttributeValue> item, Map<String, AttributeValue> rewritten,
      Map<String, String> names, Map<String, AttributeValue> values) {
    List<String> keys = encryptor.config().keyNames();
    StringBuilder set = new StringBuilder();
    StringBuilder remove = new StringBuilder();
    int i = 0;
    for (Map.Entry<String, AttributeValue> e : rewritten.entrySet()) {
      if (!keys.contains(e.getKey()) && !e.getValue().equals(item.get(e.getKey()))) {
        names.put("#u" + i, e.getKey());
        values.put(":u" + i, e.getValue());
        set.append(set.length() == 0 ? "SET " : ", ").append("#u").append(i).append(" = :u").append(i);
        i++;
      }
    }
    for (String name : item.keySet()) {
      if (!rewritten.containsKey(name)) {
        names.put("#u" + i, name);
        remove.append(remove.length() == 0 ? " REMOVE " : ", ").append("#u").append(i);
        i++;
      }
    }
    return set.append(remove).toString().strip();
  }

  private Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> key = new HashMap<>();
    for (String name : encryptor.config().keyNames()) {
      key.put(name, item.get(name));
    }
    return key;
  }

  /**
   * Writes the item's new header and footer only, conditional on both as read: any signed change rewrites the
   * header (a new message id), and changes to unsigned attributes are kept. False if the header changed.
   */
  private boolean rewrapHeader(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> rewrapped = encryptor.rewrap(item, unwrapWith);
    try {
      dynamoDb.updateItem(b -> b.tableName(table).key(keyOf(item))
          .updateExpression("SET #head = :newHead, #foot = :newFoot")
          .conditionExpression("#head = :head AND #foot = :foot")
          .expressionAttributeNames(Map.of("#head", DbeItemCodec.HEADER, "#foot", DbeItemCodec.FOOTER))
          .expressionAttributeValues(Map.of(":head", item.get(DbeItemCodec.HEADER),
              ":foot", item.get(DbeItemCodec.FOOTER), ":newHead", rewrapped.get(DbeItemCodec.HEADER),
              ":newFoot", rewrapped.get(DbeItemCodec.FOOTER))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** A condition true only while the stored item is the one read. */
  private static String unchanged(Map<String, AttributeValue> item, boolean plaintext, Map<String, String> names,
      Map<String, AttributeValue> values) {
    names.put("#dbeHead", DbeItemCodec.HEADER);
    if (DbeItemCodec.isEncrypted(item)) {
      // being re-keyed: the header holds a random message id, so any rewrite changes it
      values.put(":dbeHead", item.get(DbeItemCodec.HEADER));
      return "#dbeHead = :dbeHead";
    }
    names.put("#head", ItemFormat.HEADER_ATTRIBUTE);
    if (!plaintext) {
      // A header holds a random message id: any rewrite changes it.
      values.put(":head", item.get(ItemFormat.HEADER_ATTRIBUTE));
      return "attribute_not_exists(#dbeHead) AND #head = :head";
    }
    StringBuilder condition = new StringBuilder("attribute_not_exists(#dbeHead) AND attribute_not_exists(#head)");
    int i = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      names.put("#a" + i, e.getKey());
      values.put(":v" + i, e.getValue());
      condition.append(" AND #a").append(i).append(" = :v").append(i);
      i++;
    }
    return condition.toString();
  }

  /** Builder: the raw client and the target table config are required. */
  public static final class Builder {
    private DynamoDbClient dynamoDb;
    private TableConfig table;
    private int segments = 4;
    private int onlySegment = -1;
    private int pageSize = 100;
    private MigrationCheckpoint checkpoint = MigrationCheckpoint.inMemory();
    private Consumer<MigrationResult> progress = r -> { };
    private Keyring oldKeys;
    private Set<String> oldKeyIds = Set.of();
    private ItemRekeyMethod rekeyMethod = ItemRekeyMethod.REENCRYPT;

    private Builder() {}

    /**
     * Also moves items off old wrapping keys: an item whose header names one of {@code oldKeyIds} (as {@link
     * ItemHeaderInfo#wrappingKeyIds()} names them) has its data key unwrapped with {@code oldKeys} and is written
     * under the table config's keyring, conditional on its header as read, as {@link #rekeyMethod} says.
     */
    public Builder rekeyFrom(Keyring oldKeys, Set<String> oldKeyIds) {
      this.oldKeys = Objects.requireNonNull(oldKeys, "oldKeys");
      this.oldKeyIds = Set.copyOf(oldKeyIds);
      if (this.oldKeyIds.isEmpty()) {
        throw new IllegalArgumentException("oldKeyIds is empty: name the keys items are to move off");
      }
      return this;
    }

    /** How items move to the new keys: {@link ItemRekeyMethod#REENCRYPT} by default. */
    public Builder rekeyMethod(ItemRekeyMethod rekeyMethod) {
      this.rekeyMethod = Objects.requireNonNull(rekeyMethod, "rekeyMethod");
      return this;
    }

    /** A client without the encryption interceptor: the migration reads and writes stored items as they are. */
    public Builder dynamoDb(DynamoDbClient dynamoDb) {
      this.dynamoDb = dynamoDb;
      return this;
    }

    /** The table, configured for the DB_ESDK format (which it reads all formats with). */
    public Builder table(TableConfig table) {
      this.table = table;
      return this;
    }

    /** Parallel scan segments, each on a thread of its own: 4 by default. */
    public Builder segments(int segments) {
      if (segments < 1 || segments > 1_000_000) {
        throw new IllegalArgumentException("segments must be 1 to 1000000: " + segments);
      }
      this.segments = segments;
      return this;
    }

    /**
     * Run only this segment (0-based) of the {@link #segments} the scan is cut into: N machines or Lambda
     * invocations each take one and together cover the table. All segments by default.
     */
    public Builder onlySegment(int segment) {
      if (segment < 0) {
        throw new IllegalArgumentException("onlySegment must be 0 or more: " + segment);
      }
      this.onlySegment = segment;
      return this;
    }

    /** Items per Scan page, and so per checkpoint: 100 by default. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1) {
        throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    public Builder checkpoint(MigrationCheckpoint checkpoint) {
      this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
      return this;
    }

    /** Called after every page with the counts so far (from several threads; keep it quick). */
    public Builder progress(Consumer<MigrationResult> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public TableMigration build() {
      return new TableMigration(this);
    }
  }
}
