package dev.envelope.cli;

/** The command line asks for something that cannot be: exit status {@link ExitCode#USAGE}, nothing done. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
