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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@code envelope inventory}: which wrapping keys protect which objects, from headers only. */
@Command(name = "inventory", mixinStandardHelpOptions = true, sortOptions = false,
    description = "List which wrapping keys protect the objects under an S3 prefix, reading only headers (one "
        + "ranged GET of each object's first 8 KiB, plus the instruction file of S3 Encryption Client objects "
        + "that have one): counts and bytes per key, and a JSON Lines manifest. With --key, what still depends on "
        + "that key.")
final class InventoryCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "s3://BUCKET[/PREFIX]")
  String location;

  @Option(names = "--key", paramLabel = "KEY", description = "only objects depending on this wrapping key (a KMS "
      + "key ARN, key id, alias or alias ARN; namespace/name of a raw key); repeatable")
  List<String> keys = List.of();

  @Option(names = "--manifest", paramLabel = "FILE", description = "write one JSON line per object (bucket, key, "
      + "eTag, size, format, wrappingKeys)")
  Path manifest;

  @Option(names = "--batch-manifest", paramLabel = "FILE", description = "write the objects as an S3 Batch "
      + "Operations manifest (CSV: bucket, URL-encoded key)")
  Path batchManifest;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "remember each object read; a re-run with the "
      + "same file reads only the others")
  String checkpoint;

  @Option(names = "--parallel", paramLabel = "N", description = "objects read at a time (default 16)")
  int parallel = 16;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    S3Location where = S3Location.parse(location);
    Set<String> wanted = Set.copyOf(KeyNames.resolve(keys, aws));
    Tally tally = new Tally("inventory");
    Map<String, long[]> perKey = new TreeMap<>();
    List<JsonNode> selected = new ArrayList<>();
    AtomicLong requests = new AtomicLong();
    AtomicLong bytesRead = new AtomicLong();
    try (S3Client s3 = aws.s3(); Checkpoint done = Checkpoint.open(checkpoint)) {
      List<S3Object> objects = S3Listing.objects(s3, where);
      requests.incrementAndGet();
      Progress progress = new Progress(root.io(), "inventory", objects.size(), "objects");
      Parallel.each(objects, parallel, "inventory", object -> {
        JsonNode record = done.record(object.key());
        if (record == null || !object.eTag().equals(record.path("eTag").asText())) {
          try {
            ObjectHeaderInfo info = ObjectHeaderInfo.read(s3, where.bucket(), object.key());
            requests.addAndGet(info.requests());
            bytesRead.addAndGet(info.bytesRead());
            ObjectNode fresh = Json.object();
            fresh.put("bucket", where.bucket());
            fresh.put("key", object.key());
            fresh.put("eTag", info.eTag());
            fresh.put("size", info.size());
            fresh.put("format", info.format().map(Enum::name).orElse("unencrypted"));
            fresh.set("wrappingKeys", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
            done.add(object.key(), fresh);
            record = fresh;
          } catch (Exception e) {
            tally.failed("s3://" + where.bucket() + "/" + object.key(), EnvelopeCli.describe(e));
            progress.advance(1);
            return;
          }
        }
        tally.done(record.path("size").asLong());
        List<String> ids = new ArrayList<>();
        record.path("wrappingKeys").forEach(k -> ids.add(k.asText()));
        synchronized (perKey) {
          if (wanted.isEmpty() || ids.stream().anyMatch(wanted::contains)) {
            selected.add(record);
          }
          if (ids.isEmpty()) {
            count(perKey, "(unencrypted)", record);
          }
          for (String id : ids) {
            count(perKey, id, record);
          }
        }
        progress.advance(1);
      });
      progress.finish();
    }
    selected.sort((a, b) -> a.path("key").asText().compareTo(b.path("key").asText()));
    writeManifests(selected);
    print(where, perKey, selected, tally, requests.get(), bytesRead.get());
    return tally.exitCode();
  }

  private static void count(Map<String, long[]> perKey, String id, JsonNode record) {
    long[] c = perKey.computeIfAbsent(id, k -> new long[2]);
    c[0]++;
    c[1] += record.path("size").asLong();
  }

  private void writeManifests(List<JsonNode> selected) throws java.io.IOException {
    if (manifest != null) {
      try (PrintStream out = new PrintStream(Files.newOutputStream(manifest), false, StandardCharsets.UTF_8)) {
        selected.forEach(r -> out.println(Json.line(r)));
      }
    }
    if (batchManifest != null) {
      try (PrintStream out = new PrintStream(Files.newOutputStream(batchManifest), false, StandardCharsets.UTF_8)) {
        // S3 Batch Operations CSV manifests: bucket,key with the key URL-encoded
        selected.forEach(r -> out.println(r.path("bucket").asText() + ","
            + URLEncoder.encode(r.path("key").asText(), StandardCharsets.UTF_8).replace("+", "%20")));
      }
    }
  }

  private void print(S3Location where, Map<String, long[]> perKey, List<JsonNode> selected, Tally tally,
      long requests, long bytesRead) {
    OutputFormat format = output != null ? output : root.output;
    PrintStream out = root.io().out();
    if (format == OutputFormat.JSON) {
      ObjectNode doc = Json.object();
      doc.put("location", where.toString());
      doc.put("objects", tally.doneCount());
      doc.put("failed", tally.failedCount());
      doc.put("selected", selected.size());
      doc.put("requests", requests);
      doc.put("bytesRead", bytesRead);
      ObjectNode byKey = doc.putObject("keys");
      perKey.forEach((id, c) -> byKey.putObject(id).put("objects", c[0]).put("bytes", c[1]));
      doc.set("summary", tally.json());
      out.println(Json.pretty(doc));
    } else {
      out.printf("%s: %d objects read from headers (%d requests, %s)%n", where, tally.doneCount(), requests,
          Progress.bytes(bytesRead));
      perKey.forEach((id, c) -> out.printf("  %8d objects  %12s  %s%n", c[0], Progress.bytes(c[1]), id));
      if (!keys.isEmpty()) {
        out.printf("%d objects depend on %s%n", selected.size(), String.join(", ", keys));
      }
      if (tally.failedCount() > 0) {
        tally.print(root.io().err());
      }
    }
  }
}
