package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.keyring.KmsDiscoveryKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.EncryptingS3ClientBuilder;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.dynamodb.migration.ItemRekeyMethod;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope rekey}: objects under a prefix moved to new wrapping keys. */
@Command(name = "rekey", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Move the objects under an S3 prefix to new wrapping keys, in place, keeping metadata, tags and "
        + "storage class. Every object is pinned to the ETag first read and written only if it still has it, so "
        + "an object overwritten meanwhile keeps the overwrite (reported as failed: run again).",
        "--method reencrypt (default): decrypt and encrypt again under a new data key.",
        "--method header: keep the data key and the body; write a new header and copy the body inside S3 "
            + "(about 5 MiB per object pass through this machine). It keeps the old data key (so it retires a key, "
            + "it does not recover from one that leaked) and whoever holds the old and the new header of an object "
            + "can forge its frames: use it where old versions and copies are deleted.",
        "Objects in S3 Encryption Client formats and unencrypted objects are skipped with the reason (migrate moves "
            + "them).",
        "DynamoDB (dynamodb://TABLE, with --table-config and --from): every item whose header names an old key is "
            + "moved to the new keys in the Database Encryption SDK's format, conditional on the header read; a "
            + "parallel scan of --parallel segments, resumable from --checkpoint. --method reencrypt: decrypted and "
            + "encrypted again. --method header: verified, then given a new aws_dbe_head and aws_dbe_foot over the "
            + "same stored values (no attribute is decrypted; the same caveat on the old data key)."})
final class RekeyCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "s3://BUCKET[/PREFIX] | dynamodb://TABLE")
  String location;

  @Option(names = "--to", required = true, arity = "1..*", paramLabel = "ATTR",
      description = "the new wrapping keys, as --wrapping-keys of encrypt: key=<KMS key ARN> (repeatable) or "
          + "provider=raw-aes key-file=FILE namespace=NS name=NAME")
  List<String> to;

  @Option(names = "--from", paramLabel = "KMS_KEY", description = "only objects with a data key under this KMS key "
      + "(ARN, key id, alias or alias ARN), which unwraps it (repeatable); without it, every object, unwrapped "
      + "with any KMS key you may use")
  List<String> from = List.of();

  @Option(names = "--method", paramLabel = "METHOD", description = "reencrypt (default) or header")
  RekeyMethod method = RekeyMethod.REENCRYPT;

  @Option(names = "--s3ec", description = "also re-wrap S3 Encryption Client objects (V2, V3) in place: their data "
      + "key, unwrapped with the --from keys and proven to be the object's (V3: key commitment; V2: the whole object "
      + "decrypted), is wrapped under the first KMS key of --to, in the metadata or the instruction file")
  boolean s3ec;

  @Option(names = "--table-config", paramLabel = "FILE", description = "DynamoDB: the table's key names and "
      + "attribute actions (JSON: partitionKey, sortKey, unsignedAttributePrefix, attributeActions)")
  Path tableConfig;

  @Mixin
  BulkOptions bulk;

  @Override
  public Integer call() throws Exception {
    for (String name : from) {
      if (!KeyNames.isKms(name)) {
        throw new UsageException("--from " + name + " is not a KMS key ARN, key id or alias (inventory prints the "
            + "ARNs objects name)");
      }
    }
    from = KeyNames.resolve(from, aws);
    if (TableLocation.is(location)) {
      return table(TableLocation.parse(location));
    }
    S3Location where = S3Location.parse(location);
    // The header method wraps a data key that exists (no key may generate one); re-encryption makes a new one.
    WrappingKeys target = WrappingKeys.parse(to);
    Keyring newKeys = method == RekeyMethod.HEADER ? target.forWrapping(aws) : target.forEncrypt(aws);
    try (AuditLog audit = bulk.openAuditLog(); S3Client s3 = aws.s3(where)) {
      EncryptingS3ClientBuilder clientBuilder = EncryptingS3Client.builder().wrappedClient(s3).keyring(unwrapping())
          .auditSink(audit.sink()).s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
      ObjectRekeyer.Builder rekeyer = ObjectRekeyer.builder().newWrappingKeys(newKeys).method(method)
          .onlyFrom(Set.copyOf(from));
      if (s3ec) {
        if (from.isEmpty() || target.kmsKeys().isEmpty()) {
          throw new UsageException("--s3ec needs --from (the KMS keys S3EC objects are under) and a key= in --to");
        }
        for (String arn : from) {
          clientBuilder.s3ecKeyring(KmsS3ecKeyring.create(aws.kmsFor(arn), arn));
        }
        String to = KeyNames.resolve(List.of(target.kmsKeys().get(0)), aws).get(0);
        rekeyer.newS3ecKeyring(KmsS3ecKeyring.create(aws.kmsFor(to), to));
      }
      rekeyer.client(clientBuilder.build());
      ObjectNode settings = Json.object();
      settings.set("to", Json.MAPPER.valueToTree(to));
      settings.set("from", Json.MAPPER.valueToTree(from));
      settings.put("s3ec", s3ec);
      return new ObjectRun(root, "rekey", bulk, settings).run(s3, where, rekeyer.build(),
          info -> info.message().isPresent()
              && (from.isEmpty() || !Collections.disjoint(info.wrappingKeyIds(), from))
              || s3ec && info.format().isPresent() && info.message().isEmpty(), method.name());
    }
  }

  /** A table's items, moved to the new keys by the dynamodb module's {@code TableMigration}. */
  private int table(TableLocation table) throws Exception {
    if (tableConfig == null) {
      throw new UsageException("a table's items need --table-config (key names and attribute actions)");
    }
    if (from.isEmpty()) {
      throw new UsageException("a table needs --from: the keys its items move off");
    }
    try (DynamoDbClient dynamoDb = aws.dynamoDb()) {
      if (bulk.dryRun) {
        long[] counts = new long[2];
        new TableInventory(dynamoDb, table.table(), null, null, Math.max(1, bulk.parallel)).run(record -> {
          synchronized (counts) {
            counts[0]++;
            record.path("wrappingKeys").forEach(k -> {
              if (from.contains(k.asText())) {
                counts[1]++;
              }
            });
          }
        }, root.io());
        root.io().out().printf("rekey (dry run) %s: %d of %d items depend on %s%n", table.table(), counts[1],
            counts[0], String.join(", ", from));
        return ExitCode.OK;
      }
      try (AuditLog audit = bulk.openAuditLog()) {
        TableConfig config = TableConfigFile.read(tableConfig, table.table(), WrappingKeys.parse(to).forEncrypt(aws))
            .auditSink(audit.sink()).build();
        ItemRekeyMethod itemMethod = method == RekeyMethod.HEADER ? ItemRekeyMethod.HEADER : ItemRekeyMethod.REENCRYPT;
        return TableRun.run(root, "rekey", bulk, dynamoDb, config, b -> b.rekeyFrom(unwrapping(), Set.copyOf(from))
            .rekeyMethod(itemMethod));
      }
    }
  }

  private Keyring unwrapping() {
    return from.isEmpty() ? KmsDiscoveryKeyring.builder().kmsClient(aws.kms(null)).build()
        : aws.kmsKeyrings(from);
  }
}
