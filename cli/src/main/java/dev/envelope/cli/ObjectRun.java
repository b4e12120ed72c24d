package dev.envelope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.s3.ObjectHeaderInfo;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bulk run of an {@link ObjectRekeyer} over the objects under a prefix, for rekey and migrate: in parallel,
 * each object's outcome in the report, finished objects in the checkpoint, progress on a terminal, the summary
 * and the exit status at the end.
 */
final class ObjectRun {
  private final EnvelopeCli root;
  private final String name;
  private final BulkOptions options;
  private final ObjectNode settings;

  /**
   * {@code settings}: what decides where the run takes an object (target and source keys, formats), to which its
   * checkpoint is bound; not the method, which takes an object to the same place either way.
   */
  ObjectRun(EnvelopeCli root, String name, BulkOptions options, ObjectNode settings) {
    this.root = root;
    this.name = name;
    this.options = options;
    this.settings = settings;
  }

  /** {@code wouldChange} answers for a dry run, from the header alone. */
  int run(S3Client s3, S3Location where, ObjectRekeyer rekeyer, Predicate<ObjectHeaderInfo> wouldChange,
      String method) throws Exception {
    Tally tally = new Tally(options.dryRun ? name + " (dry run)" : name);
    AtomicLong down = new AtomicLong();
    AtomicLong up = new AtomicLong();
    AtomicLong copied = new AtomicLong();
    try (Checkpoint done = Checkpoint.open(options.checkpoint, Checkpoint.run(name, where).setAll(settings));
        PrintStream report = options.report == null ? null : new PrintStream(Files.newOutputStream(options.report,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
      List<S3Object> objects = S3Listing.objects(s3, where);
      Progress progress = new Progress(root.io(), name, objects.size(), "objects");
      Parallel.each(objects, options.parallel, name, object -> {
        String resource = "s3://" + where.bucket() + "/" + object.key();
        ObjectNode line = Json.object();
        line.put("bucket", where.bucket());
        line.put("key", object.key());
        try {
          if (leftAsItIs(done.record(object.key()), object)) {
            tally.skipped(resource, "done in an earlier run (checkpoint)");
            return;
          }
          if (options.dryRun) {
            ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, where.bucket(), object.key());
            line.put("outcome", wouldChange.test(info) ? "WOULD_CHANGE" : "SKIPPED");
            line.put("format", info.format().map(Enum::name).orElse("unencrypted"));
            line.set("previousKeyIds", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
            tally.done(0);
          } else {
            RekeyResult result = rekeyer.rekey(where.bucket(), object.key());
            line = Json.MAPPER.valueToTree(result);
            down.addAndGet(result.bytesDownloaded());
            up.addAndGet(Math.max(0, result.bytesUploaded()));
            copied.addAndGet(result.bytesCopiedInS3());
            if (result.outcome() == RekeyResult.Outcome.SKIPPED) {
              tally.skipped(resource, result.reason());
            } else {
              tally.done(result.bytesDownloaded() + Math.max(0, result.bytesUploaded()));
            }
            done.add(object.key(), line);
          }
        } catch (Exception e) {
          tally.failed(resource, EnvelopeCli.describe(e));
          line.put("outcome", "FAILED");
          line.put("error", EnvelopeCli.describe(e));
        } finally {
          if (report != null) {
            synchronized (report) {
              report.println(Json.line(line));
            }
          }
          progress.advance(1);
        }
      });
      progress.finish();
    }
    // Every object changed got a new current version; where the bucket keeps versions, the older one is still
    // there as it was, under its old key or unencrypted, which a user about to delete that key must hear.
    boolean olderVersionsKept = !options.dryRun && tally.doneCount() > 0
        && S3Listing.keepsVersions(s3, where).orElse(false);
    print(where, tally, method, down.get(), up.get(), copied.get(), olderVersionsKept);
    return tally.exitCode();
  }

  /**
   * Whether an earlier run finished {@code object} and nothing wrote it since: its ETag is the one that run left
   * (the new object's, or the one it read if it skipped it). An object written again since, by an application
   * still on the old key for instance, is done again.
   */
  private static boolean leftAsItIs(JsonNode record, S3Object object) {
    if (record == null) {
      return false;
    }
    String left = record.path("newETag").isTextual() ? record.path("newETag").asText()
        : record.path("previousETag").asText(null);
    return left != null && unquoted(left).equals(unquoted(object.eTag()));
  }

  private static String unquoted(String eTag) {
    return eTag == null ? "" : eTag.replace("\"", "");
  }

  private void print(S3Location where, Tally tally, String method, long down, long up, long copied,
      boolean olderVersionsKept) {
    OutputFormat format = options.output != null ? options.output : root.output;
    if (format == OutputFormat.JSON) {
      ObjectNode doc = tally.json();
      doc.put("location", where.toString());
      doc.put("method", method);
      doc.put("bytesDownloaded", down);
      doc.put("bytesUploaded", up);
      doc.put("bytesCopiedInS3", copied);
      doc.put("olderVersionsKept", olderVersionsKept);
      root.io().out().println(Json.pretty(doc));
    } else {
      tally.print(root.io().out());
      root.io().out().printf("  moved through this machine: %s down, %s up; copied inside S3: %s%n",
          Progress.bytes(down), Progress.bytes(up), Progress.bytes(copied));
      if (olderVersionsKept) {
        root.io().out().println("  the bucket keeps versions: each object changed keeps its older version as it "
            + "was (under its old key, or unencrypted) until that version is deleted; envelope inventory lists them");
      }
    }
  }
}
