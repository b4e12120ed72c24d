package dev.envelope.cli;

import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.JsonLinesAuditSink;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options rekey and migrate share: what a bulk run over a bucket leaves behind and how it may be re-run. */
final class BulkOptions {
  @Option(names = "--dry-run", description = "read headers and report what would change; change nothing")
  boolean dryRun;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "remember each object finished; a re-run "
      + "with the same file does only the others")
  String checkpoint;

  @Option(names = "--report", paramLabel = "FILE", description = "one JSON line per object: done, skipped (why) or "
      + "failed (why), keys before and after, bytes moved")
  Path report;

  @Option(names = "--audit-log", paramLabel = "FILE", description = "the audit events of every key use (JSON Lines)")
  Path auditLog;

  @Option(names = "--parallel", paramLabel = "N", description = "objects at a time (default 4)")
  int parallel = 4;

  @Option(names = "--segment", paramLabel = "N", description = "DynamoDB: run only this segment (0-based) of "
      + "--total-segments, so that N machines or Lambda invocations share one table")
  Integer segment;

  @Option(names = "--total-segments", paramLabel = "N", description = "DynamoDB: how many segments the scan is cut "
      + "into (with --segment); without them, --parallel segments all run here")
  Integer totalSegments;

  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json")
  OutputFormat output;

  AuditLog openAuditLog() {
    return new AuditLog(auditLog == null ? AuditSink.none() : JsonLinesAuditSink.toFile(auditLog));
  }
}
