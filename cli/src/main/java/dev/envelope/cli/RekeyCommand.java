package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.JsonLinesAuditSink;
import dev.envelope.core.keyring.KmsArn;
import dev.envelope.core.keyring.KmsDiscoveryKeyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.ObjectHeaderInfo;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import dev.envelope.s3.RekeyResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

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

  @Option(names = "--from", paramLabel = "KMS_KEY_ARN", description = "only objects with a data key under this KMS "
      + "key, which unwraps it (repeatable); without it, every object, unwrapped with any KMS key you may use")
  List<String> from = List.of();

  @Option(names = "--method", paramLabel = "METHOD", description = "reencrypt (default) or header")
  RekeyMethod method = RekeyMethod.REENCRYPT;

  @Option(names = "--dry-run", description = "read headers and report what would be re-keyed; change nothing")
  boolean dryRun;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "remember each object finished; a re-run "
      + "with the same file does only the others")
  String checkpoint;

  @Option(names = "--report", paramLabel = "FILE", description = "one JSON line per object: re-keyed, skipped "
      + "(why) or failed (why), keys before and after, bytes moved")
  Path report;

  @Option(names = "--audit-log", paramLabel = "FILE", description = "the audit events of every key use (JSON Lines)")
  Path auditLog;

  @Option(names = "--parallel", paramLabel = "N", description = "objects at a time (default 4)")
  int parallel = 4;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    S3Location where = S3Location.parse(location);
    Keyring newKeys = WrappingKeys.parse(to).forWrapping(aws);
    Tally tally = new Tally(dryRun ? "rekey (dry run)" : "rekey");
    AtomicLong down = new AtomicLong();
    AtomicLong up = new AtomicLong();
    AtomicLong copied = new AtomicLong();
    AuditSink audit = auditLog == null ? AuditSink.none() : JsonLinesAuditSink.toFile(auditLog);
    try (S3Client s3 = aws.s3(); Checkpoint done = Checkpoint.open(checkpoint);
        PrintStream reportOut = report == null ? null : new PrintStream(Files.newOutputStream(report,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
      EncryptingS3Client client = EncryptingS3Client.builder().wrappedClient(s3).keyring(unwrapping())
          .auditSink(audit).build();
      ObjectRekeyer rekeyer = ObjectRekeyer.builder().client(client).newWrappingKeys(newKeys).method(method)
          .onlyFrom(Set.copyOf(from)).build();
      List<S3Object> objects = S3Listing.objects(s3, where);
      Progress progress = new Progress(root.io(), "rekey", objects.size(), "objects");
      Parallel.each(objects, parallel, "rekey", object -> {
        String resource = "s3://" + where.bucket() + "/" + object.key();
        ObjectNode line = Json.object();
        line.put("bucket", where.bucket());
        line.put("key", object.key());
        try {
          if (done.contains(object.key())) {
            tally.skipped(resource, "done in an earlier run (checkpoint)");
            return;
          }
          if (dryRun) {
            ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, where.bucket(), object.key());
            boolean would = info.format().isPresent() && info.message().isPresent()
                && (from.isEmpty() || !Collections.disjoint(info.wrappingKeyIds(), from));
            line.put("outcome", would ? "WOULD_REKEY" : "SKIPPED");
            line.set("previousKeyIds", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
            tally.done(0);
          } else {
            RekeyResult result = rekeyer.rekey(where.bucket(), object.key());
            line = Json.MAPPER.valueToTree(result);
            down.addAndGet(result.bytesDownloaded());
            up.addAndGet(result.bytesUploaded());
            copied.addAndGet(result.bytesCopiedInS3());
            if (result.outcome() == RekeyResult.Outcome.SKIPPED) {
              tally.skipped(resource, result.reason());
            } else {
              tally.done(result.bytesDownloaded() + result.bytesUploaded());
            }
            done.add(object.key(), line);
          }
        } catch (Exception e) {
          tally.failed(resource, EnvelopeCli.describe(e));
          line.put("outcome", "FAILED");
          line.put("error", EnvelopeCli.describe(e));
        } finally {
          if (reportOut != null) {
            synchronized (reportOut) {
              reportOut.println(Json.line(line));
            }
          }
          progress.advance(1);
        }
      });
      progress.finish();
    } finally {
      if (audit instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    print(where, tally, down.get(), up.get(), copied.get());
    return tally.exitCode();
  }

  private Keyring unwrapping() {
    if (from.isEmpty()) {
      return KmsDiscoveryKeyring.builder().kmsClient(aws.kms(null)).build();
    }
    List<Keyring> keyrings = new ArrayList<>();
    for (String arn : from) {
      if (KmsArn.parse(arn).isEmpty()) {
        throw new UsageException("--from " + arn + " is not a KMS key ARN (inventory prints the ARNs objects name)");
      }
      keyrings.add(KmsKeyring.create(aws.kms(KmsArn.parse(arn).get().region()), arn));
    }
    return keyrings.size() == 1 ? keyrings.get(0) : MultiKeyring.ofChildren(keyrings);
  }

  private void print(S3Location where, Tally tally, long down, long up, long copied) {
    OutputFormat format = output != null ? output : root.output;
    if (format == OutputFormat.JSON) {
      ObjectNode doc = tally.json();
      doc.put("location", where.toString());
      doc.put("method", method.name());
      doc.put("bytesDownloaded", down);
      doc.put("bytesUploaded", up);
      doc.put("bytesCopiedInS3", copied);
      root.io().out().println(Json.pretty(doc));
    } else {
      tally.print(root.io().out());
      root.io().out().printf("  moved through this machine: %s down, %s up; copied inside S3: %s%n",
          Progress.bytes(down), Progress.bytes(up), Progress.bytes(copied));
    }
  }
}
