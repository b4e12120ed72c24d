package dev.envelope.core.audit;

/** {@link AuditSink#none()}. */
enum NoAuditSink implements AuditSink {
  INSTANCE;

  @Override
  public void record(AuditEvent event) {
    // dropped, as asked
  }
}
