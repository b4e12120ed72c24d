package dev.envelope.core.audit;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each event as one JSON line at INFO on the logger {@code dev.envelope.audit} (or one you give), so that
 * whatever collects the application's logs collects the audit trail. Thread-safe.
 */
public final class Slf4jAuditSink implements AuditSink {
  /** The default logger name: route it to its own appender to keep the audit trail apart. */
  public static final String LOGGER_NAME = "dev.envelope.audit";

  private final Logger logger;

  private Slf4jAuditSink(Logger logger) {
    this.logger = logger;
  }

  public static Slf4jAuditSink create() {
    return new Slf4jAuditSink(LoggerFactory.getLogger(LOGGER_NAME));
  }

  public static Slf4jAuditSink create(Logger logger) {
    return new Slf4jAuditSink(Objects.requireNonNull(logger, "logger"));
  }

  @Override
  public void record(AuditEvent event) {
    if (logger.isInfoEnabled()) {
      logger.info(AuditEventJson.toJson(event));
    }
  }
}
