package dev.envelope.cli;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.keyring.KmsArn;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.EncryptingS3ClientBuilder;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectRekeyer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope migrate}: S3 Encryption Client and unencrypted objects into the framed format. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Re-encrypt the objects under an S3 prefix into Envelope's framed format under new wrapping keys, "
        + "in place: S3 Encryption Client objects (V1 CBC with --legacy, V2, V3; their instruction files are "
        + "deleted once the new object is stored) and, with --formats plaintext, objects that are not encrypted. "
        + "Objects already framed are skipped (rekey moves those). Every write is conditional on the ETag read, "
        + "so an object overwritten meanwhile keeps the overwrite; metadata, headers, tags and storage class are "
        + "kept.",
        "Tables and the S3 Encryption Client's V3 as a target are not supported yet."})
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

  @Option(names = "--s3ec-key", paramLabel = "KMS_KEY", description = "the KMS key S3 Encryption Client objects "
      + "were written under (repeatable)")
  List<String> s3ecKeys = List.of();

  @Option(names = "--legacy", description = "also read S3 Encryption Client V1 (AES-CBC, unauthenticated) and V2 "
      + "objects whose data key is in an instruction file (no key commitment): to move them off that format")
  boolean legacy;

  @Mixin
  BulkOptions bulk;

  @Override
  public Integer call() throws Exception {
    S3Location where = S3Location.parse(location);
    boolean s3ec = formats.contains(Source.S3EC);
    if (s3ec && s3ecKeys.isEmpty()) {
      throw new UsageException("migrating S3 Encryption Client objects needs --s3ec-key <the KMS key they use>");
    }
    AuditSink audit = bulk.auditSink();
    try (S3Client s3 = aws.s3()) {
      EncryptingS3ClientBuilder builder = EncryptingS3Client.builder().wrappedClient(s3)
          .keyring(WrappingKeys.parse(to).forDecrypt(aws)).auditSink(audit).enableLegacyModes(legacy)
          // reading only: V2 objects are read whatever the policy for writing them
          .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
      for (String arn : KeyNames.resolve(s3ecKeys, aws)) {
        builder.s3ecKeyring(KmsS3ecKeyring.create(aws.kms(KmsArn.parse(arn).map(KmsArn::region).orElse(null)),
            arn));
      }
      ObjectRekeyer migrator = ObjectRekeyer.builder().client(builder.build())
          .newWrappingKeys(WrappingKeys.parse(to).forWrapping(aws)).rekeyFramed(false).migrateS3ec(s3ec)
          .migratePlaintext(formats.contains(Source.PLAINTEXT)).build();
      return new ObjectRun(root, "migrate", bulk).run(s3, where, migrator, info -> info.message().isEmpty()
          && (info.format().isPresent() ? s3ec : formats.contains(Source.PLAINTEXT)), "REENCRYPT");
    } finally {
      if (audit instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }
}
