package dev.envelope.samples;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.audit.JsonLinesAuditSink;
import dev.envelope.core.cache.CacheStats;
import dev.envelope.core.cache.CachingMaterialsManager;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.DynamoDbEncryptionInterceptor;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.lambda.BatchReport;
import dev.envelope.lambda.DynamoDbCheckpointStore;
import dev.envelope.lambda.EncryptedDocumentHandler;
import dev.envelope.lambda.EncryptedEnvironment;
import dev.envelope.lambda.LocalContext;
import dev.envelope.lambda.ScheduledSource;
import dev.envelope.s3.EncryptingS3Client;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The project's main job: the SecureCart order pipeline end to end on embedded parts (KMS emulator, S3 with an
 * FSx for ONTAP volume's access point, the DynamoDB emulator, all in this JVM), as the scenario tells it.
 * <ol>
 *   <li>keys: a customer managed key for orders (alias, automatic rotation, a key policy that lets the Lambda
 *       execution role decrypt) and one for the order table;</li>
 *   <li>the app encrypts order documents and writes them onto the FSx for ONTAP volume: through its S3 access
 *       point, and some as files through the mounted volume (NFS);</li>
 *   <li>the Lambda function, on its schedule (the volume sends no S3 events), lists what is new since its
 *       checkpoint (a DynamoDB item), decrypts, totals per customer and archives receipts (encrypted, S3 Glacier
 *       Flexible Retrieval);</li>
 *   <li>the orders go to a DynamoDB table with encrypted and signed attributes, one is read back;</li>
 *   <li>the failures people meet in production, each with its exact error and the fix applied: the execution role
 *       missing from the key policy, the key disabled, the key pending deletion, and a ciphertext from before a
 *       rotation that still decrypts;</li>
 *   <li>a summary: objects, items, bytes, KMS calls made and saved, the audit trail (also as JSON Lines).</li>
 * </ol>
 */
public final class SecureCart {
  static final String FUNCTION = "securecart-order-processor";
  static final String ARCHIVE = "securecart-archive";
  static final String TABLE = "SecureCartOrders";
  static final String CHECKPOINTS = "SecureCartCheckpoints";
  /** Orders the app writes as files on the mounted volume instead of through the access point. */
  static final int WRITTEN_AS_FILES = 10;
  /** KMS's price for symmetric requests in us-east-1: USD 0.03 per 10,000. */
  static final BigDecimal PRICE_PER_REQUEST = new BigDecimal("0.000003");

  private final PrintStream out;
  private final long start = System.nanoTime();

  private SecureCart(PrintStream out) {
    this.out = out;
  }

  /** One failure the seed documents teach: what failed, how, and whether the fix worked. */
  public record FailureStep(String name, String exceptionType, String kmsErrorCode, String message, String fix,
      boolean recovered) {}

  /** What a run did, for the summary and for SecureCartTest. */
  public record Result(int documentsUploaded, int documentsWrittenAsFiles, long plaintextBytes,
      List<String> archiveKeys,
      List<StorageClass> archiveStorageClasses, int archivesDecrypted, int itemsWritten, int itemsVerified,
      String rawCardAttributeType, CustomerKeys.Outcome customerKeys, List<FailureStep> failures,
      KeyRetirement.Outcome keyRetirement, Map<String, BigDecimal> totals, long kmsCalls, long kmsCallsByOurLibraries,
      long kmsCallsAudited, long kmsCallsSaved, int auditEvents, Path auditFile, List<String> secrets,
      Duration duration) {}

  public static void main(String[] args) throws Exception {
    Path auditFile = Path.of(args.length > 0 ? args[0] : "target/securecart-audit.jsonl");
    Result result = run(auditFile, System.out);
    System.out.flush();
    boolean recovered = result.failures().stream().allMatch(FailureStep::recovered);
    if (!recovered) {
      System.err.println("a failure step did not recover: " + result.failures());
    }
    if (!recovered) {
      System.exit(1); // the exit status is how a script learns the demo failed; on success main simply returns
    }
  }

  public static Result run(Path auditFile, PrintStream out) throws Exception {
    return new SecureCart(out).run(auditFile, 60);
  }

  private void step(int n, String title) {
    out.printf("%n[%d/8] %s   (%.1f s)%n", n, title, (System.nanoTime() - start) / 1e9);
  }

  private void line(String format, Object... args) {
    out.println("      " + String.format(format, args));
  }

  Result run(Path auditFile, int orderCount) throws Exception {
    out.println("SecureCart: encrypted orders from the app, on FSx for ONTAP, through Lambda into S3 Glacier and "
        + "DynamoDB - on embedded parts");
    step(1, "Starting the KMS emulator, S3 with the FSx for ONTAP volume's access point, and the DynamoDB emulator "
        + "in this JVM; creating keys");
    if (auditFile.getParent() != null) {
      Files.createDirectories(auditFile.getParent());
    }
    List<String> secrets = new ArrayList<>();
    try (EmbeddedParts parts = new EmbeddedParts();
        JsonLinesAuditSink jsonLines = JsonLinesAuditSink.toFile(auditFile)) {
      InMemoryAuditSink memory = new InMemoryAuditSink();
      AuditSink audit = AuditSink.combine(jsonLines, memory);
      KmsClient admin = parts.kms.client(EmbeddedParts.ADMIN);
      KmsClient appKms = parts.kms.client(EmbeddedParts.APP);
      KmsClient lambdaKms = parts.kms.client(EmbeddedParts.LAMBDA_ROLE);

      String ordersKey = admin.createKey(b -> b.description("SecureCart order documents").policy(Policies.of(
          Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
          Policies.allow(EmbeddedParts.APP.arn(), "kms:GenerateDataKey", "kms:Decrypt"),
          Policies.allow(EmbeddedParts.LAMBDA_ROLE.arn(), "kms:Decrypt", "kms:GenerateDataKey"))))
          .keyMetadata().arn();
      admin.createAlias(b -> b.aliasName("alias/securecart-orders").targetKeyId(ordersKey));
      admin.enableKeyRotation(b -> b.keyId(ordersKey).rotationPeriodInDays(90));
      String tableKey = admin.createKey(b -> b.description("SecureCart order table").policy(Policies.of(
          Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
          Policies.allow(EmbeddedParts.APP.arn(), "kms:GenerateDataKey", "kms:Decrypt")))).keyMetadata().arn();
      admin.createAlias(b -> b.aliasName("alias/securecart-order-table").targetKeyId(tableKey));
      line("alias/securecart-orders      -> %s (rotation every 90 days; policy: app encrypts, %s decrypts)",
          ordersKey, EmbeddedParts.LAMBDA_ROLE.arn());
      line("alias/securecart-order-table -> %s (policy: app only)", tableKey);

      // 2. The app encrypts and writes onto the FSx for ONTAP volume.
      String volume = parts.orders.alias();
      step(2, "The app encrypts " + orderCount + " order documents and writes them onto the FSx for ONTAP volume");
      line("access point %s", parts.orders.arn());
      line("  alias %s (storage class FSX_ONTAP)", volume);
      S3Client s3 = parts.s3();
      s3.createBucket(b -> b.bucket(ARCHIVE));
      EncryptingS3Client appS3 = EncryptingS3Client.builder().wrappedClient(s3)
          .accessPoint(parts.orders.arn(), volume).keyring(KmsKeyring.create(appKms, ordersKey)).auditSink(audit)
          .build();
      // A server that mounts the volume over NFS writes files; bound to the same name, they are the same documents.
      Envelope appFiles = Envelope.builder().keyring(KmsKeyring.create(appKms, ordersKey))
          .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).auditSink(audit).build();
      List<Orders.Order> orders = Orders.generate(orderCount);
      List<String> written = new ArrayList<>();
      long plaintextBytes = 0;
      for (Orders.Order order : orders) {
        String key = String.format("orders/order-%04d.json", order.id());
        if (order.id() > orders.size() - WRITTEN_AS_FILES) {
          Path file = parts.ordersMount().resolve(key);
          Files.createDirectories(file.getParent());
          try (OutputStream f = appFiles.withResource("file://" + file).encryptingStream(Files.newOutputStream(file),
              appS3.encryptionContextFor(volume, key))) {
            f.write(order.json().getBytes(StandardCharsets.UTF_8));
          }
        } else {
          appS3.putObject(b -> b.bucket(volume).key(key), RequestBody.fromString(order.json()));
        }
        written.add(key);
        plaintextBytes += order.json().length();
        secrets.add(order.card());
      }
      line("%d documents, %d plaintext bytes: %d through the access point, %d as files on the mounted volume; each",
          orders.size(), plaintextBytes, orders.size() - WRITTEN_AS_FILES, WRITTEN_AS_FILES);
      line("  is one ESDK message (suite 0x0478) bound to the access point's ARN and its key, readable both ways");

      // 3. Lambda, on a schedule: the volume's access point sends no events.
      step(3, "Lambda " + FUNCTION + " runs on its schedule: list, decrypt, total per customer, archive to GLACIER");
      try {
        s3.putBucketNotificationConfiguration(b -> b.bucket(volume).notificationConfiguration(n -> n
            .lambdaFunctionConfigurations(List.of())));
        line("S3 event notifications: accepted (unexpected on an FSx volume)");
      } catch (S3Exception e) {
        line("S3 event notifications on the access point: %s %d (%s), so EventBridge Scheduler invokes the",
            e.awsErrorDetails().errorCode(), e.statusCode(), "FSx for ONTAP access points have none");
        line("  function every 5 minutes, and it lists what is new since its checkpoint (table %s)", CHECKPOINTS);
      }
      String apiKeySecret = "sk_live_securecart_" + Long.toHexString(Double.doubleToLongBits(Math.PI));
      secrets.add(apiKeySecret);
      Map<String, String> lambdaEnv = new HashMap<>(Map.of("AWS_LAMBDA_FUNCTION_NAME", FUNCTION,
          "PAYMENT_API_KEY", EncryptedEnvironment.encryptLikeConsole(admin, ordersKey, FUNCTION, apiKeySecret)));
      EncryptedEnvironment env = EncryptedEnvironment.builder().kms(lambdaKms).environment(lambdaEnv::get)
          .auditSink(audit).build();
      line("PAYMENT_API_KEY (console-encrypted) decrypted at cold start: %d characters, cached",
          env.get("PAYMENT_API_KEY").length());
      EncryptingS3Client lambdaS3 = EncryptingS3Client.builder().wrappedClient(s3)
          .accessPoint(parts.orders.arn(), volume).keyring(KmsKeyring.create(lambdaKms, ordersKey)).auditSink(audit)
          .build();
      DynamoDbClient checkpointTable = parts.dynamoDb(null);
      DynamoDbCheckpointStore.createTable(checkpointTable, CHECKPOINTS);
      OrderTotalsHandler handler = new OrderTotalsHandler(EncryptedDocumentHandler.Settings.builder().s3(lambdaS3)
          .archiveBucket(ARCHIVE).scheduledSource(ScheduledSource.builder().bucket(volume).prefix("orders/")
              .checkpoints(DynamoDbCheckpointStore.create(checkpointTable, CHECKPOINTS)).build())
          .build());
      LocalContext context = new LocalContext(FUNCTION);
      BatchReport firstRun = handler.handleScheduledEvent(new ScheduledEvent(), context);
      line("run 1: %s", firstRun);
      int before = memory.events().size();
      BatchReport secondRun = handler.handleScheduledEvent(new ScheduledEvent(), context);
      line("run 2: %s; %d audit events: nothing read or written again", secondRun,
          memory.events().size() - before);
      handler.totals().forEach((customer, total) -> line("  %s  %10s EUR", customer, total));

      // 4. DynamoDB.
      step(4, "The app writes the orders to DynamoDB table " + TABLE + " (card and lines encrypted, the rest signed)");
      CachingMaterialsManager tableCache = CachingMaterialsManager.builder()
          .keyring(KmsKeyring.create(appKms, tableKey)).maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(1000)
          .build();
      TableConfig tableConfig = TableConfig.builder().tableName(TABLE).partitionKeyName("customerId")
          .sortKeyName("orderId")
          .attributeAction("card", CryptoAction.ENCRYPT_AND_SIGN)
          .attributeAction("lines", CryptoAction.ENCRYPT_AND_SIGN)
          .attributeAction("total", CryptoAction.SIGN_ONLY)
          .attributeAction("currency", CryptoAction.SIGN_ONLY)
          .attributeAction("status", CryptoAction.SIGN_ONLY)
          .unsignedAttributePrefix("_")
          // Envelope's own format: a cache saves KMS calls across items, which the DB-ESDK format (the default,
          // one intermediate key per wrapping key) cannot; there the hierarchical keyring does that job.
          .format(ItemStorageFormat.ENVELOPE_V1)
          .materialsManager(tableCache).auditSink(audit).build();
      int itemsWritten;
      int itemsVerified = 0;
      String rawCardType;
      try (DynamoDbClient raw = parts.dynamoDb(null);
          DynamoDbClient ddb = parts.dynamoDb(DynamoDbEncryptionInterceptor.builder().table(tableConfig).build())) {
        raw.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
            .keySchema(KeySchemaElement.builder().attributeName("customerId").keyType(KeyType.HASH).build(),
                KeySchemaElement.builder().attributeName("orderId").keyType(KeyType.RANGE).build())
            .attributeDefinitions(
                AttributeDefinition.builder().attributeName("customerId").attributeType(ScalarAttributeType.S).build(),
                AttributeDefinition.builder().attributeName("orderId").attributeType(ScalarAttributeType.N).build()));
        List<WriteRequest> batch = new ArrayList<>();
        for (Orders.Order order : orders) {
          batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item(order)).build()).build());
          if (batch.size() == 25 || order == orders.get(orders.size() - 1)) {
            writeAll(ddb, batch);
            batch = new ArrayList<>();
          }
        }
        itemsWritten = orders.size();
        Orders.Order sample = orders.get(2);
        Map<String, AttributeValue> key = Map.of("customerId", AttributeValue.fromS(sample.customer()),
            "orderId", AttributeValue.fromN(Integer.toString(sample.id())));
        Map<String, AttributeValue> read = ddb.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true)).item();
        Map<String, AttributeValue> stored = raw.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true))
            .item();
        rawCardType = stored.get("card").type().toString();
        line("read back order %d of %s: card %s, total %s EUR, status %s", sample.id(), sample.customer(),
            mask(read.get("card").s()), read.get("total").n(), read.get("status").s());
        line("what DynamoDB stores: card is %s (%d bytes), plus env_head (%d bytes) and env_sig (%d bytes)",
            rawCardType, stored.get("card").b().asByteArrayUnsafe().length,
            stored.get("env_head").b().asByteArrayUnsafe().length,
            stored.get("env_sig").b().asByteArrayUnsafe().length);
        Map<String, String> cards = new HashMap<>();
        orders.forEach(o -> cards.put(o.customer() + "/" + o.id(), o.card()));
        for (Map<String, AttributeValue> item : ddb.scan(b -> b.tableName(TABLE).consistentRead(true)).items()) {
          if (item.get("card").s().equals(cards.get(item.get("customerId").s() + "/" + item.get("orderId").n()))) {
            itemsVerified++;
          }
        }
        line("all %d items scanned back and verified; %d data keys from KMS for %d items written and read",
            itemsVerified, tableCache.stats().encryptMisses() + tableCache.stats().decryptMisses(),
            itemsWritten);
      }

      // 5. One branch key per customer.
      step(5, "Each customer's receipts under the customer's own branch key (hierarchical keyring, key store table "
          + CustomerKeys.KEY_STORE_TABLE + ")");
      CustomerKeys.Outcome tenants = CustomerKeys.run(parts, admin, appKms, orders, audit);
      line("%d branch keys, one per customer, created by the key administrator; the app may only decrypt them",
          tenants.customers());
      line("%d receipts encrypted and %d decrypted: %d KMS requests and %d DynamoDB reads, one of each per customer "
          + "for encrypting and one for decrypting (a KMS keyring makes %d)", tenants.receipts(), tenants.decrypted(),
          tenants.kmsCalls(), tenants.keyStoreCalls(), tenants.receipts() * 2);

      // 6. Failures.
      step(6, "The failures production teaches, each with its exact error and the fix");
      List<FailureStep> failures = new ArrayList<>();
      failures.add(roleMissingFromKeyPolicy(admin, lambdaKms, audit, lambdaEnv));
      Orders.Order late1 = new Orders.Order(9001, "customer-01", "4111-0000-0000-9001",
          "{\"orderId\":9001,\"customer\":\"customer-01\",\"card\":\"4111-0000-0000-9001\",\"total\":\"10.00\"}",
          new BigDecimal("10.00"));
      Orders.Order late2 = new Orders.Order(9002, "customer-02", "4111-0000-0000-9002",
          "{\"orderId\":9002,\"customer\":\"customer-02\",\"card\":\"4111-0000-0000-9002\",\"total\":\"20.00\"}",
          new BigDecimal("20.00"));
      secrets.add(late1.card());
      secrets.add(late2.card());
      failures.add(keyUnusable("key disabled", appS3, lambdaS3, handler, context, volume, late1,
          () -> admin.disableKey(b -> b.keyId(ordersKey)),
          () -> admin.enableKey(b -> b.keyId(ordersKey)), "EnableKey"));
      failures.add(keyUnusable("key pending deletion", appS3, lambdaS3, handler, context, volume, late2,
          () -> admin.scheduleKeyDeletion(b -> b.keyId(ordersKey).pendingWindowInDays(7)),
          () -> {
            admin.cancelKeyDeletion(b -> b.keyId(ordersKey));
            admin.enableKey(b -> b.keyId(ordersKey)); // cancelling leaves the key Disabled, as in KMS
          }, "CancelKeyDeletion, then EnableKey"));
      failures.add(rotation(admin, lambdaS3, ordersKey, volume, written.get(0), orders.get(0).json()));
      for (FailureStep f : failures) {
        line("%-26s %s%s", f.name() + ":", f.exceptionType(), f.kmsErrorCode() == null ? ""
            : " (" + f.kmsErrorCode() + ")");
        if (f.message() != null) {
          line("  error: %s", f.message());
        }
        line("  fix:   %s -> %s", f.fix(), f.recovered() ? "works again" : "STILL FAILING");
      }

      // Archives: all GLACIER, all decrypt.
      List<String> archiveKeys = new ArrayList<>();
      List<StorageClass> classes = new ArrayList<>();
      int archivesDecrypted = 0;
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(ARCHIVE)).contents()) {
        archiveKeys.add(o.key());
        classes.add(s3.headObject(b -> b.bucket(ARCHIVE).key(o.key())).storageClass());
        if (lambdaS3.getObjectAsBytes(b -> b.bucket(ARCHIVE).key(o.key())).asUtf8String()
            .contains("\"status\":\"PROCESSED\"")) {
          archivesDecrypted++;
        }
      }

      // 7. Retire a key safely.
      step(7, "Retire a key safely: last year's order exports move to this year's key, then the old key goes");
      KeyRetirement.Outcome retirement = KeyRetirement.run(s3, admin, appKms, orders, audit, text -> line("%s", text));

      // 8. Summary.
      step(8, "Summary");
      List<ObjectNode> trail = parts.kms.trail();
      long kmsCalls = trail.stream().filter(SecureCart::isDataPlane).count();
      // Every request counts, refused ones too (a denied Decrypt is still a key use KMS logs and bills).
      long ours = trail.stream().filter(SecureCart::isDataPlane)
          .filter(e -> !e.path("userIdentity").path("arn").asText().equals(EmbeddedParts.ADMIN.arn())).count();
      List<AuditEvent> events = memory.events();
      long audited = events.stream().mapToLong(AuditEvent::kmsCalls).sum();
      CacheStats stats = tableCache.stats();
      long saved = stats.kmsCallsSaved();
      line("documents: %d on the FSx volume (%d as files), %d archived (GLACIER); items: %d written, %d verified; "
          + "%d plaintext bytes", orders.size() + 2, WRITTEN_AS_FILES, archiveKeys.size(), itemsWritten,
          itemsVerified, plaintextBytes);
      line("KMS requests: %d in all (%d by the app and the function through this library, every one in an audit "
          + "event; the rest by the key administrator)", kmsCalls, ours);
      line("saved by caching data keys (DynamoDB table): %d requests = USD %s at USD 0.03 per 10,000", saved,
          PRICE_PER_REQUEST.multiply(BigDecimal.valueOf(saved)).stripTrailingZeros().toPlainString());
      Map<String, Integer> byOperation = new TreeMap<>();
      events.forEach(e -> byOperation.merge(e.operation() + "/" + e.outcome(), 1, Integer::sum));
      line("audit trail: %d events %s -> %s", events.size(), byOperation, auditFile);
      line("done in %.1f s", (System.nanoTime() - start) / 1e9);
      return new Result(orders.size() + 2, WRITTEN_AS_FILES, plaintextBytes, archiveKeys, classes, archivesDecrypted,
          itemsWritten, itemsVerified, rawCardType, tenants, failures, retirement, handler.totals(), kmsCalls, ours,
          audited, saved, events.size(), auditFile, secrets, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private FailureStep roleMissingFromKeyPolicy(KmsClient admin, KmsClient lambdaKms, AuditSink audit,
      Map<String, String> lambdaEnv) {
    String reportsKey = admin.createKey(b -> b.description("SecureCart reports").policy(Policies.of(
        Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*")))).keyMetadata().arn();
    lambdaEnv.put("REPORTS_TOKEN", EncryptedEnvironment.encryptLikeConsole(admin, reportsKey, FUNCTION,
        "reports-token-value"));
    Supplier<EncryptedEnvironment> env = () -> EncryptedEnvironment.builder().kms(lambdaKms)
        .environment(lambdaEnv::get).auditSink(audit).build();
    RuntimeException error = null;
    try {
      env.get().get("REPORTS_TOKEN");
    } catch (RuntimeException e) {
      error = e;
    }
    admin.putKeyPolicy(b -> b.keyId(reportsKey).policyName("default").policy(Policies.of(
        Policies.allow(EmbeddedParts.ADMIN.arn(), "kms:*"),
        Policies.allow(EmbeddedParts.LAMBDA_ROLE.arn(), "kms:Decrypt"))));
    boolean recovered = "reports-token-value".equals(env.get().get("REPORTS_TOKEN"));
    return failure("execution role missing from the key policy", error,
        "PutKeyPolicy: allow " + EmbeddedParts.LAMBDA_ROLE.arn() + " kms:Decrypt", recovered);
  }

  /**
   * A document written while the key works, then the key broken: the function's read fails with the exact error,
   * the scheduled run reports the document failed (it stays out of the checkpoint), and after the fix the next
   * scheduled run archives it.
   */
  private FailureStep keyUnusable(String name, EncryptingS3Client appS3, EncryptingS3Client lambdaS3,
      OrderTotalsHandler handler, LocalContext context, String volume, Orders.Order order, Runnable breakIt,
      Runnable fixIt, String fix) {
    String key = String.format("orders/late-%04d.json", order.id());
    appS3.putObject(b -> b.bucket(volume).key(key), RequestBody.fromString(order.json()));
    breakIt.run();
    RuntimeException error = null;
    try {
      lambdaS3.getObjectAsBytes(b -> b.bucket(volume).key(key));
    } catch (RuntimeException e) {
      error = e;
    }
    BatchReport broken = handler.handleScheduledEvent(new ScheduledEvent(), context);
    fixIt.run();
    BatchReport fixed = handler.handleScheduledEvent(new ScheduledEvent(), context);
    boolean recovered = broken.getFailures().size() == 1 && fixed.getFailures().isEmpty()
        && fixed.getArchived() == 1;
    return failure(name, error, fix + " (scheduled runs: the document failed, then was archived)", recovered);
  }

  private FailureStep rotation(KmsClient admin, EncryptingS3Client lambdaS3, String ordersKey, String volume,
      String oldKey, String oldJson) {
    admin.rotateKeyOnDemand(b -> b.keyId(ordersKey));
    int versions = admin.listKeyRotations(b -> b.keyId(ordersKey)).rotations().size() + 1;
    RuntimeException error = null;
    boolean recovered;
    try {
      recovered = lambdaS3.getObjectAsBytes(b -> b.bucket(volume).key(oldKey)).asUtf8String().equals(oldJson);
    } catch (RuntimeException e) {
      error = e;
      recovered = false;
    }
    return new FailureStep("ciphertext from before a rotation", error == null ? "none: it decrypts"
        : error.getClass().getSimpleName(), null, error == null ? null : error.getMessage(),
        "RotateKeyOnDemand (the key now has " + versions + " versions of key material)", recovered);
  }

  private static FailureStep failure(String name, RuntimeException error, String fix, boolean recovered) {
    if (error == null) {
      return new FailureStep(name, "none (expected a failure)", null, null, fix, false);
    }
    String code = null;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof KeyAccessDeniedException k) {
        code = k.errorCode();
        break;
      }
    }
    return new FailureStep(name, error.getClass().getSimpleName(), code, error.getMessage(), fix, recovered);
  }

  private static boolean isDataPlane(ObjectNode e) {
    String op = e.path("eventName").asText();
    return op.equals("GenerateDataKey") || op.equals("Decrypt") || op.equals("Encrypt") || op.equals("ReEncrypt");
  }

  private static Map<String, AttributeValue> item(Orders.Order order) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("customerId", AttributeValue.fromS(order.customer()));
    item.put("orderId", AttributeValue.fromN(Integer.toString(order.id())));
    item.put("card", AttributeValue.fromS(order.card()));
    item.put("lines", AttributeValue.fromS(order.json()));
    item.put("total", AttributeValue.fromN(order.total().toPlainString()));
    item.put("currency", AttributeValue.fromS("EUR"));
    item.put("status", AttributeValue.fromS("PAID"));
    return item;
  }

  private static void writeAll(DynamoDbClient ddb, List<WriteRequest> batch) {
    Map<String, List<WriteRequest>> pending = Map.of(TABLE, batch);
    while (!pending.isEmpty()) {
      Map<String, List<WriteRequest>> request = pending;
      var response = ddb.batchWriteItem(b -> b.requestItems(request));
      pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
    }
  }

  private static String mask(String card) {
    return "****-****-****-" + card.substring(card.length() - 4);
  }

}
