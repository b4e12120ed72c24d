package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.TableConfig;
import dev.envelope.dynamodb.migration.MigrationCheckpoint;
import dev.envelope.dynamodb.migration.MigrationResult;
import dev.envelope.dynamodb.migration.TableMigration;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * rekey and migrate on a DynamoDB table: {@link TableMigration} (a parallel scan, each rewrite conditional on the
 * header read, resumable from its per-segment checkpoint), its counts printed and turned into the exit status.
 */
final class TableRun {
  private TableRun() {}

  static int run(EnvelopeCli root, String name, BulkOptions options, DynamoDbClient dynamoDb, TableConfig config,
      UnaryOperator<TableMigration.Builder> configure) {
    if (options.report != null) {
      throw new UsageException("--report is for S3; a table run reports its counts (and the audit log each item)");
    }
    if ((options.segment == null) != (options.totalSegments == null)) {
      throw new UsageException("--segment and --total-segments go together");
    }
    TableMigration.Builder builder = TableMigration.builder().dynamoDb(dynamoDb).table(config);
    if (options.segment != null) {
      if (options.totalSegments < 1 || options.segment < 0 || options.segment >= options.totalSegments) {
        throw new UsageException("--segment must be 0.." + (options.totalSegments - 1));
      }
      builder.segments(options.totalSegments).onlySegment(options.segment);
    } else {
      builder.segments(Math.max(1, options.parallel));
    }
    if (options.checkpoint != null) {
      MigrationCheckpoint checkpoint = MigrationCheckpoint.file(Path.of(options.checkpoint));
      try {
        checkpoint.bindSegments(options.totalSegments != null ? options.totalSegments : Math.max(1, options.parallel));
      } catch (IllegalStateException e) {
        throw new UsageException(e.getMessage());
      }
      builder.checkpoint(checkpoint);
    }
    Progress progress = new Progress(root.io(), name, 0, "items");
    long[] last = {0};
    builder.progress(r -> {
      synchronized (last) {
        progress.advance(r.scanned() - last[0]);
        last[0] = r.scanned();
      }
    });
    MigrationResult result = configure.apply(builder).build().run();
    progress.finish();
    int code = ExitCode.of(result.scanned() - result.failed(), result.failed());
    OutputFormat format = options.output != null ? options.output : root.output;
    if (format == OutputFormat.JSON) {
      ObjectNode doc = Json.object();
      doc.put("table", config.tableName());
      doc.put("scanned", result.scanned());
      doc.put("rekeyed", result.rekeyed());
      doc.put("fromPlaintext", result.fromPlaintext());
      doc.put("fromEnvelopeV1", result.fromEnvelopeV1());
      doc.put("alreadyCurrent", result.alreadyCurrent());
      doc.put("conflicts", result.conflicts());
      doc.put("failed", result.failed());
      doc.put("exitCode", code);
      root.io().out().println(Json.pretty(doc));
    } else {
      root.io().out().println(name + " " + config.tableName() + ": " + result);
    }
    return code;
  }
}
