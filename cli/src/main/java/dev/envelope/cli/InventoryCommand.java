package dev.envelope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.s3.ObjectHeaderInfo;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope inventory}: which wrapping keys protect which objects or items, from headers only. */
@Command(name = "inventory", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"List which wrapping keys protect the objects under an S3 prefix or the items of a DynamoDB "
        + "table, reading only headers: counts and bytes per key, and a JSON Lines manifest. With --key, what "
        + "still depends on that key.",
        "S3: one ranged GET of each object's first 8 KiB (two for an object without Envelope or S3 Encryption "
            + "Client metadata, to look for an instruction file).",
        "DynamoDB: a parallel scan that projects the primary key and the header attributes (aws_dbe_head, "
            + "env_head); --segment and --total-segments split one scan across machines or Lambda invocations."})
final class InventoryCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "s3://BUCKET[/PREFIX] | dynamodb://TABLE")
  String location;

  @Option(names = "--key", paramLabel = "KEY", description = "only what depends on this wrapping key (a KMS key ARN, "
      + "key id, alias or alias ARN; namespace/name of a raw key); repeatable")
  List<String> keys = List.of();

  @Option(names = "--manifest", paramLabel = "FILE", description = "write one JSON line per object or item (its "
      + "location, format, wrappingKeys)")
  Path manifest;

  @Option(names = "--batch-manifest", paramLabel = "FILE", description = "S3: write the objects as an S3 Batch "
      + "Operations manifest (CSV: bucket, URL-encoded key)")
  Path batchManifest;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "S3: remember each object read; a re-run with "
      + "the same file reads only the others (and those changed since)")
  String checkpoint;

  @Option(names = "--parallel", paramLabel = "N", description = "S3: objects read at a time; DynamoDB: scan "
      + "segments at a time (default 16)")
  int parallel = 16;

  @Option(names = "--segment", paramLabel = "N", description = "DynamoDB: scan only this segment (0-based) of "
      + "--total-segments")
  Integer segment;

  @Option(names = "--total-segments", paramLabel = "N", description = "DynamoDB: how many segments the scan is cut "
      + "into (with --segment: this run does one of them)")
  Integer totalSegments;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json")
  OutputFormat output;

  /** For S3: whether the bucket keeps versions (empty: S3 would not say); null for a table. */
  private Optional<Boolean> versionsKept;

  @Override
  public Integer call() throws Exception {
    Counts counts = new Counts(Set.copyOf(KeyNames.resolve(keys, aws)));
    Tally tally = new Tally("inventory");
    AtomicLong requests = new AtomicLong();
    AtomicLong bytesRead = new AtomicLong();
    if (TableLocation.is(location)) {
      if (batchManifest != null || checkpoint != null) {
        throw new UsageException("--batch-manifest and --checkpoint are for S3; a table's run is cut with --segment");
      }
      TableLocation table = TableLocation.parse(location);
      try (DynamoDbClient dynamoDb = aws.dynamoDb()) {
        TableInventory.Result result = new TableInventory(dynamoDb, table.table(), segment, totalSegments, parallel)
            .run(record -> {
              if (record.path("format").asText().equals("malformed")) {
                tally.failed(location + " " + record.path("key"), record.path("error").asText());
              } else {
                tally.done(0);
                counts.add(record);
              }
            }, root.io());
        requests.set(result.requests());
      }
    } else {
      objects(S3Location.parse(location), counts, tally, requests, bytesRead);
    }
    writeManifests(counts.selected());
    print(counts, tally, requests.get(), bytesRead.get());
    return tally.exitCode();
  }

  private void objects(S3Location where, Counts counts, Tally tally, AtomicLong requests, AtomicLong bytesRead)
      throws Exception {
    // The records are what each object's header says, whatever the run asks of them: only the place binds them.
    try (S3Client s3 = aws.s3(where);
        Checkpoint done = Checkpoint.open(checkpoint, Checkpoint.run("inventory", where))) {
      // A key is still needed by the versions a bucket keeps, which re-keying (a new current version) leaves
      // behind: where the bucket keeps versions, every version is read.
      versionsKept = S3Listing.keepsVersions(s3, where);
      requests.incrementAndGet();
      List<S3Listing.Entry> objects = versionsKept.orElse(false) ? S3Listing.versions(s3, where)
          : S3Listing.current(s3, where);
      requests.incrementAndGet();
      Progress progress = new Progress(root.io(), "inventory", objects.size(), "objects");
      Parallel.each(objects, parallel, "inventory", object -> {
        JsonNode record = done.record(object.checkpointName());
        if (record == null || !object.eTag().equals(record.path("eTag").asText())) {
          try {
            ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, where.bucket(), object.key(), object.versionId());
            requests.addAndGet(info.requests());
            bytesRead.addAndGet(info.bytesRead());
            ObjectNode fresh = Json.object();
            fresh.put("bucket", where.bucket());
            fresh.put("key", object.key());
            if (object.versionId() != null) {
              fresh.put("versionId", object.versionId());
              fresh.put("current", object.current());
            }
            fresh.put("eTag", info.eTag());
            fresh.put("size", info.size());
            fresh.put("format", info.format().map(Enum::name).orElse("unencrypted"));
            fresh.set("wrappingKeys", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
            done.add(object.checkpointName(), fresh);
            record = fresh;
          } catch (Exception e) {
            tally.failed("s3://" + where.bucket() + "/" + object.checkpointName(), EnvelopeCli.describe(e));
            progress.advance(1);
            return;
          }
        }
        tally.done(record.path("size").asLong());
        counts.add(record);
        progress.advance(1);
      });
      progress.finish();
    }
  }

  /** Objects or items per wrapping key, and those that depend on the keys asked about. Thread-safe. */
  static final class Counts {
    private final Set<String> wanted;
    private final Map<String, long[]> perKey = new TreeMap<>();
    private final List<JsonNode> selected = new ArrayList<>();

    Counts(Set<String> wanted) {
      this.wanted = wanted;
    }

    synchronized void add(JsonNode record) {
      List<String> ids = new ArrayList<>();
      record.path("wrappingKeys").forEach(k -> ids.add(k.asText()));
      if (wanted.isEmpty() || ids.stream().anyMatch(wanted::contains)) {
        selected.add(record);
      }
      boolean noncurrent = !record.path("current").asBoolean(true);
      for (String id : ids.isEmpty() ? List.of("(unencrypted)") : ids) {
        long[] c = perKey.computeIfAbsent(id, k -> new long[3]);
        c[noncurrent ? 2 : 0]++;
        c[1] += record.path("size").asLong();
      }
    }

    synchronized List<JsonNode> selected() {
      List<JsonNode> sorted = new ArrayList<>(selected);
      sorted.sort((a, b) -> (a.path("key") + " " + a.path("versionId")).compareTo(b.path("key") + " "
          + b.path("versionId")));
      return sorted;
    }

    /** The selected records that are older versions of their objects. */
    synchronized long selectedNoncurrent() {
      return selected.stream().filter(r -> !r.path("current").asBoolean(true)).count();
    }

    synchronized Map<String, long[]> perKey() {
      return new TreeMap<>(perKey);
    }
  }

  private void writeManifests(List<JsonNode> selected) throws java.io.IOException {
    if (manifest != null) {
      try (PrintStream out = new PrintStream(Files.newOutputStream(manifest), false, StandardCharsets.UTF_8)) {
        selected.forEach(r -> out.println(Json.line(r)));
      }
    }
    if (batchManifest != null) {
      try (PrintStream out = new PrintStream(Files.newOutputStream(batchManifest), false, StandardCharsets.UTF_8)) {
        // S3 Batch Operations CSV manifests: bucket,key with the key URL-encoded. Current versions only: a re-key
        // writes a new current version; an older version cannot be rewritten, only deleted.
        selected.stream().filter(r -> r.path("current").asBoolean(true)).forEach(r -> out.println(
            r.path("bucket").asText() + ","
                + URLEncoder.encode(r.path("key").asText(), StandardCharsets.UTF_8).replace("+", "%20")));
      }
    }
  }

  private void print(Counts counts, Tally tally, long requests, long bytesRead) {
    OutputFormat format = output != null ? output : root.output;
    PrintStream out = root.io().out();
    List<JsonNode> selected = counts.selected();
    String what = TableLocation.is(location) ? "items" : "objects";
    if (format == OutputFormat.JSON) {
      ObjectNode doc = Json.object();
      doc.put("location", location);
      doc.put(what, tally.doneCount());
      doc.put("failed", tally.failedCount());
      doc.put("selected", selected.size());
      if (versionsKept != null) {
        doc.put("versions", versionsKept.map(kept -> kept ? "every version read" : "the bucket keeps none")
            .orElse("unknown: only current versions read"));
        doc.put("selectedNoncurrentVersions", counts.selectedNoncurrent());
      }
      doc.put("requests", requests);
      doc.put("bytesRead", bytesRead);
      ObjectNode byKey = doc.putObject("keys");
      counts.perKey().forEach((id, c) -> {
        ObjectNode perKey = byKey.putObject(id).put(what, c[0]).put("bytes", c[1]);
        if (versionsKept != null) {
          perKey.put("noncurrentVersions", c[2]);
        }
      });
      doc.set("summary", tally.json());
      out.println(Json.pretty(doc));
    } else {
      out.printf("%s: %d %s read from headers (%d requests, %s)%n", location, tally.doneCount(), what, requests,
          Progress.bytes(bytesRead));
      counts.perKey().forEach((id, c) -> out.printf("  %8d %s  %12s  %s%s%n", c[0], what, Progress.bytes(c[1]), id,
          c[2] == 0 ? "" : "  (and " + c[2] + " older versions)"));
      if (!keys.isEmpty()) {
        long older = counts.selectedNoncurrent();
        out.printf("%d %s depend on %s%s%n", selected.size() - older, what, String.join(", ", keys),
            older == 0 ? "" : ", and " + older + " older versions of objects, which keep needing it until they are "
                + "deleted (rekey moves current versions only)");
      }
      if (versionsKept != null && versionsKept.isEmpty()) {
        out.println("S3 did not say whether the bucket keeps versions (GetBucketVersioning was refused): only "
            + "current versions were read, and older ones may still depend on a key");
      }
      if (tally.failedCount() > 0) {
        tally.print(root.io().err());
      }
    }
  }
}
