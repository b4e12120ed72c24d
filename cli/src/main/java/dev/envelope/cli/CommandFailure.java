package dev.envelope.cli;

/** What a command could not do, said plainly: exit status {@link ExitCode#FAILED}. */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CommandFailure(String message) {
    super(message);
  }
}
