package dev.envelope.cli;

import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.audit.JsonLinesAuditSink;

/** The audit sink of one run ({@code --audit-log}, or none), closed with the run. */
record AuditLog(AuditSink sink) implements AutoCloseable {
  @Override
  public void close() {
    if (sink instanceof JsonLinesAuditSink file) {
      file.close();
    }
  }
}
