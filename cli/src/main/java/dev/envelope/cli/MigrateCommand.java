package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.CommitmentPolicy;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.EncryptingS3ClientBuilder;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectFormat;
import dev.envelope.s3.ObjectRekeyer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope migrate}: S3 Encryption Client and unencrypted objects into the framed format. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Re-encrypt the objects under an S3 prefix into Envelope's framed format under new wrapping keys, "
        + "in place: S3 Encryption Client objects (V1 CBC with --legacy, V2, V3; their instruction files are "
        + "deleted once the new object is stored) and, with --formats plaintext, objects that are not encrypted. "
        + "Objects already framed are skipped (rekey moves those). Every write is conditional on the ETag read, "
        + "so an object overwritten meanwhile keeps the overwrite; metadata, headers, tags and storage class are "
        + "kept.",
        "DynamoDB (dynamodb://TABLE --table-config FILE): plaintext items and items in Envelope's first format are "
            + "rewritten in the Database Encryption SDK's format under the --to keys (the TableMigration of "
            + "dynamodb-integration: conditional writes, resumable from --checkpoint).",
        "--target s3ec-v3 writes the S3 Encryption Client's V3 instead of the framed format (readable by the S3 "
            + "Encryption Client 4)."})
final class MigrateCommand implements Callable<Integer> {
  enum Source { S3EC, PLAINTEXT }

  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "s3://BUCKET[/PREFIX]")
  String location;

  @Option(names = "--to", required = true, arity = "1..*", paramLabel = "ATTR",
      description = "the new wrapping keys, as --wrapping-keys of encrypt")
  List<String> to;

  @Option(names = "--formats", split = ",", paramLabel = "FORMAT", description = "what to migrate: s3ec (default), "
      + "plaintext, or s3ec,plaintext")
  List<Source> formats = List.of(Source.S3EC);

  @Option(names = "--target", paramLabel = "FORMAT", description = "framed (default: Envelope's format) or s3ec-v3 "
      + "(the S3 Encryption Client's committing format, under the first KMS key of --to)")
  String target = "framed";

  @Option(names = "--s3ec-key", paramLabel = "KMS_KEY", description = "the KMS key S3 Encryption Client objects "
      + "were written under (repeatable)")
  List<String> s3ecKeys = List.of();

  @Option(names = "--legacy", description = "also read S3 Encryption Client V1 (AES-CBC, unauthenticated) and V2 "
      + "objects whose data key is in an instruction file (no key commitment): to move them off that format")
  boolean legacy;

  @Option(names = "--table-config", paramLabel = "FILE", description = "DynamoDB: the table's key names and "
      + "attribute actions (JSON, as for rekey)")
  Path tableConfig;

  @Option(names = "--from", paramLabel = "KMS_KEY", description = "DynamoDB: keys that items in Envelope's first "
      + "format (or the DB-ESDK's) are under, when they are not the --to keys; those items move to the --to keys")
  List<String> from = List.of();

  @Mixin
  BulkOptions bulk;

  @Override
  public Integer call() throws Exception {
    if (TableLocation.is(location)) {
      return table(TableLocation.parse(location));
    }
    S3Location where = S3Location.parse(location);
    boolean s3ec = formats.contains(Source.S3EC);
    if (!bulk.dryRun && s3ec && s3ecKeys.isEmpty()) {
      throw new UsageException("migrating S3 Encryption Client objects needs --s3ec-key <the KMS key they use>");
    }
    try (AuditLog audit = bulk.openAuditLog(); S3Client s3 = aws.s3(where)) {
      EncryptingS3ClientBuilder builder = EncryptingS3Client.builder().wrappedClient(s3)
          .keyring(WrappingKeys.parse(to).forDecrypt(aws)).auditSink(audit.sink()).enableLegacyModes(legacy)
          // reading only: V2 objects are read whatever the policy for writing them
          .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
      for (String arn : KeyNames.resolve(s3ecKeys, aws)) {
        builder.s3ecKeyring(KmsS3ecKeyring.create(aws.kmsFor(arn), arn));
      }
      WrappingKeys newKeys = WrappingKeys.parse(to);
      ObjectRekeyer.Builder migrator = ObjectRekeyer.builder().client(builder.build())
          .newWrappingKeys(newKeys.forEncrypt(aws)).rekeyFramed(false).migrateS3ec(s3ec)
          .migratePlaintext(formats.contains(Source.PLAINTEXT));
      switch (target.toLowerCase(java.util.Locale.ROOT)) {
        case "framed" -> migrator.migrateTo(ObjectFormat.ENVELOPE_FRAMED);
        case "s3ec-v3" -> {
          if (newKeys.kmsKeys().isEmpty()) {
            throw new UsageException("--target s3ec-v3 needs a key= (KMS) in --to");
          }
          String arn = KeyNames.resolve(List.of(newKeys.kmsKeys().get(0)), aws).get(0);
          migrator.migrateTo(ObjectFormat.S3EC_V3).newS3ecKeyring(KmsS3ecKeyring.create(aws.kmsFor(arn), arn));
        }
        default -> throw new UsageException("--target is framed or s3ec-v3, not " + target);
      }
      ObjectNode settings = Json.object();
      settings.set("to", Json.MAPPER.valueToTree(to));
      settings.set("formats", Json.MAPPER.valueToTree(new TreeSet<>(formats)));
      settings.put("target", target.toLowerCase(java.util.Locale.ROOT));
      return new ObjectRun(root, "migrate", bulk, settings).run(s3, where, migrator.build(),
          info -> info.message().isEmpty()
              && (info.format().isPresent() ? s3ec : formats.contains(Source.PLAINTEXT)), "REENCRYPT");
    }
  }

  /** Plaintext items and items in Envelope's first format rewritten in the DB-ESDK format under the --to keys. */
  private int table(TableLocation table) throws Exception {
    if (tableConfig == null) {
      throw new UsageException("a table's items need --table-config (key names and attribute actions)");
    }
    List<String> fromArns = KeyNames.resolve(from, aws);
    try (AuditLog audit = bulk.openAuditLog(); DynamoDbClient dynamoDb = aws.dynamoDb()) {
      TableConfig config = TableConfigFile.read(tableConfig, table.table(), WrappingKeys.parse(to).forEncrypt(aws))
          .auditSink(audit.sink()).build();
      return TableRun.run(root, "migrate", bulk, dynamoDb, config, b -> fromArns.isEmpty() ? b
          : b.rekeyFrom(aws.kmsKeyrings(fromArns), Set.copyOf(fromArns)));
    }
  }
}
