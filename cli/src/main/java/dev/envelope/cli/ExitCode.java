package dev.envelope.cli;

/**
 * The exit statuses of the {@code envelope} command, the same for every subcommand. Scripts can rely on them:
 * they are part of the command's interface (README, "Command line").
 */
public final class ExitCode {
  /** Everything asked was done (skipped items, such as objects already on the new key, count as done). */
  public static final int OK = 0;
  /** Some items were done and some failed: the report names each failure; a re-run does only what is left. */
  public static final int PARTIAL = 1;
  /** The command line itself is wrong (an unknown option, a missing value); nothing was done. */
  public static final int USAGE = 2;
  /** The command failed before or without doing anything (no key could be used, not a message, no bucket). */
  public static final int FAILED = 3;
  /**
   * Stopped by an interrupt (Ctrl-C; the JVM exits with 143 for SIGTERM) after the items in flight ended; what was
   * finished is in the report and checkpoint.
   */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}

  /** The status of a bulk run: done and failed counts. */
  static int of(long done, long failed) {
    return failed == 0 ? OK : done == 0 ? FAILED : PARTIAL;
  }
}
