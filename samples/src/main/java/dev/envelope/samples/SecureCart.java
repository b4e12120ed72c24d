package dev.envelope.samples;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.lambda.EncryptedDocumentHandler;
import dev.envelope.lambda.EncryptedEnvironment;
import dev.envelope.lambda.LocalContext;
import dev.envelope.s3.EncryptingS3Client;
import java.io.PrintStream;
import java.math.BigDecimal;
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
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The project's main job: the SecureCart order pipeline end to end on embedded parts (KMS emulator, S3Proxy,
 * the DynamoDB emulator, all in this JVM).
 * <ol>
 *   <li>keys: a customer managed key for orders (alias, automatic rotation, a key policy that lets the Lambda
 *       execution role decrypt) and one for the order table;</li>
 *   <li>the app encrypts order documents and uploads them;</li>
 *   <li>the Lambda handler, invoked with the S3 event, decrypts, totals per customer and archives receipts
 *       (encrypted, GLACIER);</li>
 *   <li>the orders go to a DynamoDB table with encrypted and signed attributes, one is read back;</li>
 *   <li>the failures people meet in production, each with its exact error and the fix applied: the execution role
 *       missing from the key policy, the key disabled, the key pending deletion, and a ciphertext from before a
 *       rotation that still decrypts;</li>
 *   <li>a summary: objects, items, bytes, KMS calls made and saved, the audit trail (also as JSON Lines).</li>
 * </ol>
 */
public final class SecureCart {
  static final String FUNCTION = "securecart-order-processor";
  static final String INBOX = "securecart-inbox";
  static final String ARCHIVE = "securecart-archive";
  static final String TABLE = "SecureCartOrders";
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
  public record Result(int documentsUploaded, long plaintextBytes, List<String> archiveKeys,
      List<StorageClass> archiveStorageClasses, int archivesDecrypted, int itemsWritten, int itemsVerified,
      String rawCardAttributeType, List<FailureStep> failures, Map<String, BigDecimal> totals, long kmsCalls,
      long kmsCallsByOurLibraries, long kmsCallsAudited, long kmsCallsSaved, int auditEvents, Path auditFile,
      List<String> secrets, Duration duration) {}

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
    out.printf("%n[%d/6] %s   (%.1f s)%n", n, title, (System.nanoTime() - start) / 1e9);
  }

  private void line(String format, Object... args) {
    out.println("      " + String.format(format, args));
  }

  Result run(Path auditFile, int orderCount) throws Exception {
    out.println("SecureCart: encrypted orders from the app, through S3 and Lambda, into DynamoDB - on embedded parts");
    step(1, "Starting the KMS emulator, S3Proxy and the DynamoDB emulator in this JVM; creating keys");
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

      // 2. The app encrypts and uploads.
      step(2, "The app encrypts " + orderCount + " order documents and uploads them to s3://" + INBOX);
      S3Client s3 = parts.s3();
      s3.createBucket(b -> b.bucket(INBOX));
      s3.createBucket(b -> b.bucket(ARCHIVE));
      EncryptingS3Client appS3 = EncryptingS3Client.builder().wrappedClient(s3)
          .keyring(KmsKeyring.create(appKms, ordersKey)).auditSink(audit).build();
      List<Orders.Order> orders = Orders.generate(orderCount);
      List<String[]> uploaded = new ArrayList<>();
      long plaintextBytes = 0;
      for (Orders.Order order : orders) {
        String key = String.format("orders/order-%04d.json", order.id());
        String eTag = appS3.putObject(b -> b.bucket(INBOX).key(key), RequestBody.fromString(order.json())).eTag();
        uploaded.add(new String[] {key, eTag});
        plaintextBytes += order.json().length();
        secrets.add(order.card());
      }
      line("%d objects, %d plaintext bytes; each is one ESDK message (suite 0x0478) bound to its bucket and key",
          orders.size(), plaintextBytes);

      // 3. Lambda.
      step(3, "Lambda " + FUNCTION + " handles the S3 event: decrypt, total per customer, archive to GLACIER");
      String apiKeySecret = "sk_live_securecart_" + Long.toHexString(Double.doubleToLongBits(Math.PI));
      secrets.add(apiKeySecret);
      Map<String, String> lambdaEnv = new HashMap<>(Map.of("AWS_LAMBDA_FUNCTION_NAME", FUNCTION,
          "PAYMENT_API_KEY", EncryptedEnvironment.encryptLikeConsole(admin, ordersKey, FUNCTION, apiKeySecret)));
      EncryptedEnvironment env = EncryptedEnvironment.builder().kms(lambdaKms).environment(lambdaEnv::get)
          .auditSink(audit).build();
      line("PAYMENT_API_KEY (console-encrypted) decrypted at cold start: %d characters, cached",
          env.get("PAYMENT_API_KEY").length());
      EncryptingS3Client lambdaS3 = EncryptingS3Client.builder().wrappedClient(s3)
          .keyring(KmsKeyring.create(lambdaKms, ordersKey)).auditSink(audit).build();
      OrderTotalsHandler handler = new OrderTotalsHandler(EncryptedDocumentHandler.Settings.builder().s3(lambdaS3)
          .archiveBucket(ARCHIVE).build());
      LocalContext context = new LocalContext(FUNCTION);
      handler.handleS3Event(s3Event(uploaded), context);
      line("%d receipts archived; the same event redelivered:", orders.size());
      int before = memory.events().size();
      handler.handleS3Event(s3Event(uploaded), context);
      line("  %d archive checks (HEAD), nothing read or written again",
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

      // 5. Failures.
      step(5, "The failures production teaches, each with its exact error and the fix");
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
      failures.add(keyUnusable("key disabled", admin, appS3, lambdaS3, handler, context, ordersKey, late1,
          () -> admin.disableKey(b -> b.keyId(ordersKey)),
          () -> admin.enableKey(b -> b.keyId(ordersKey)), "EnableKey"));
      failures.add(keyUnusable("key pending deletion", admin, appS3, lambdaS3, handler, context, ordersKey, late2,
          () -> admin.scheduleKeyDeletion(b -> b.keyId(ordersKey).pendingWindowInDays(7)),
          () -> {
            admin.cancelKeyDeletion(b -> b.keyId(ordersKey));
            admin.enableKey(b -> b.keyId(ordersKey)); // cancelling leaves the key Disabled, as in KMS
          }, "CancelKeyDeletion, then EnableKey"));
      failures.add(rotation(admin, lambdaS3, ordersKey, uploaded.get(0)[0], orders.get(0).json()));
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

      // 6. Summary.
      step(6, "Summary");
      List<ObjectNode> trail = parts.kms.trail();
      long kmsCalls = trail.stream().filter(SecureCart::isDataPlane).count();
      // Every request counts, refused ones too (a denied Decrypt is still a key use KMS logs and bills).
      long ours = trail.stream().filter(SecureCart::isDataPlane)
          .filter(e -> !e.path("userIdentity").path("arn").asText().equals(EmbeddedParts.ADMIN.arn())).count();
      List<AuditEvent> events = memory.events();
      // Failed operations count too: a conditional archive write the HTTP client retried after it had landed
      // answers 412 (the handler then finds its archive), yet its data key came from KMS.
      long audited = events.stream().mapToLong(AuditEvent::kmsCalls).sum();
      CacheStats stats = tableCache.stats();
      long saved = stats.kmsCallsSaved();
      line("objects: %d uploaded, %d archived (GLACIER); items: %d written, %d verified; %d plaintext bytes",
          orders.size() + 2, archiveKeys.size(), itemsWritten, itemsVerified, plaintextBytes);
      line("KMS requests: %d in all (%d by the app and the function through this library, every one in an audit "
          + "event; the rest by the key administrator)", kmsCalls, ours);
      line("saved by caching data keys (DynamoDB table): %d requests = USD %s at USD 0.03 per 10,000", saved,
          PRICE_PER_REQUEST.multiply(BigDecimal.valueOf(saved)).stripTrailingZeros().toPlainString());
      Map<String, Integer> byOperation = new TreeMap<>();
      events.forEach(e -> byOperation.merge(e.operation() + "/" + e.outcome(), 1, Integer::sum));
      line("audit trail: %d events %s -> %s", events.size(), byOperation, auditFile);
      line("done in %.1f s", (System.nanoTime() - start) / 1e9);
      return new Result(orders.size() + 2, plaintextBytes, archiveKeys, classes, archivesDecrypted, itemsWritten,
          itemsVerified, rawCardType, failures, handler.totals(), kmsCalls, ours, audited, saved, events.size(),
          auditFile, secrets, Duration.ofNanos(System.nanoTime() - start));
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

  private FailureStep keyUnusable(String name, KmsClient admin, EncryptingS3Client appS3,
      EncryptingS3Client lambdaS3, OrderTotalsHandler handler, LocalContext context, String ordersKey,
      Orders.Order order, Runnable breakIt, Runnable fixIt, String fix) {
    String key = String.format("orders/late-%04d.json", order.id());
    String eTag = appS3.putObject(b -> b.bucket(INBOX).key(key), RequestBody.fromString(order.json())).eTag();
    breakIt.run();
    RuntimeException error = null;
    try {
      lambdaS3.getObjectAsBytes(b -> b.bucket(INBOX).key(key));
    } catch (RuntimeException e) {
      error = e;
    }
    fixIt.run();
    boolean recovered;
    try {
      handler.handleS3Event(s3Event(List.<String[]>of(new String[] {key, eTag})), context);
      recovered = true;
    } catch (RuntimeException e) {
      recovered = false;
    }
    return failure(name, error, fix, recovered);
  }

  private FailureStep rotation(KmsClient admin, EncryptingS3Client lambdaS3, String ordersKey, String oldKey,
      String oldJson) {
    admin.rotateKeyOnDemand(b -> b.keyId(ordersKey));
    int versions = admin.listKeyRotations(b -> b.keyId(ordersKey)).rotations().size() + 1;
    RuntimeException error = null;
    boolean recovered;
    try {
      recovered = lambdaS3.getObjectAsBytes(b -> b.bucket(INBOX).key(oldKey)).asUtf8String().equals(oldJson);
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

  private static S3Event s3Event(List<String[]> objects) {
    List<S3EventNotification.S3EventNotificationRecord> records = new ArrayList<>();
    for (String[] o : objects) {
      records.add(new S3EventNotification.S3EventNotificationRecord("us-east-1", "ObjectCreated:Put", "aws:s3",
          "2026-11-22T10:00:00.000Z", "2.1", null, null, new S3EventNotification.S3Entity("securecart-orders",
              new S3EventNotification.S3BucketEntity(INBOX, null, "arn:aws:s3:::" + INBOX),
              new S3EventNotification.S3ObjectEntity(o[0], 0L, o[1].replace("\"", ""), null, "00"), "1.0"),
          null));
    }
    return new S3Event(records);
  }
}
