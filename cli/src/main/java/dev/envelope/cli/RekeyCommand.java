package dev.envelope.cli;

import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.keyring.KmsArn;
import dev.envelope.core.keyring.KmsDiscoveryKeyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
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
        "Objects in S3 Encryption Client formats and unencrypted objects are skipped with the reason."})
final class RekeyCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "s3://BUCKET[/PREFIX]")
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

  @Mixin
  BulkOptions bulk;

  @Override
  public Integer call() throws Exception {
    S3Location where = S3Location.parse(location);
    for (String name : from) {
      if (!KeyNames.isKms(name)) {
        throw new UsageException("--from " + name + " is not a KMS key ARN, key id or alias (inventory prints the "
            + "ARNs objects name)");
      }
    }
    from = KeyNames.resolve(from, aws);
    Keyring newKeys = WrappingKeys.parse(to).forWrapping(aws);
    AuditSink audit = bulk.auditSink();
    try (S3Client s3 = aws.s3()) {
      EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(s3).keyring(unwrapping())
          .auditSink(audit).build();
      ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(client).newWrappingKeys(newKeys).method(method)
          .onlyFrom(Set.copyOf(from)).build();
      return new ObjectRun(root, "rekey", bulk).run(s3, where, rekeyer, info -> info.message().isPresent()
          && (from.isEmpty() || !Collections.disjoint(info.wrappingKeyIds(), from)), method.name());
    } finally {
      if (audit instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }

  private Keyring unwrapping() {
    if (from.isEmpty()) {
      return KmsDiscoveryKeyring.builder().kmsClient(aws.kms(null)).build();
    }
    List<Keyring> keyrings = new ArrayList<>();
    for (String arn : from) {
      keyrings.add(KmsKeyring.create(aws.kms(KmsArn.parse(arn).map(KmsArn::region).orElse(null)), arn));
    }
    return keyrings.size() == 1 ? keyrings.get(0) : MultiKeyring.ofChildren(keyrings);
  }
}
