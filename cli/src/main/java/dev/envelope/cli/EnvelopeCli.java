package dev.envelope.cli;

import dev.envelope.core.EnvelopeException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The {@code envelope} command. {@link #main} runs it as a process; {@link #run} runs it on given streams and
 * returns the exit status ({@link ExitCode}), which is how the tests drive it.
 */
@Command(name = "envelope", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Client-side envelope encryption in the AWS Encryption SDK message format: encrypt and decrypt "
        + "files, inspect messages and S3 objects, find what depends on a key, re-key, serve local AWS.",
    subcommands = {EncryptCommand.class, DecryptCommand.class, InspectCommand.class, InventoryCommand.class,
        RekeyCommand.class, MigrateCommand.class, LocalCommand.class, HelpCommand.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:everything asked was done (skipped items included)",
        "1:partial: some items failed; the report names them and a re-run does the rest",
        "2:usage: the command line is wrong; nothing was done",
        "3:failed: nothing could be done (no usable key, not a message, no such bucket)",
        "130:interrupted; finished items are in the report and checkpoint"})
public final class EnvelopeCli {
  @Option(names = "--output", paramLabel = "FORMAT", description = "text (default) or json: a JSON document on "
      + "stdout for scripts (also accepted after inspect, inventory and rekey)")
  OutputFormat output = OutputFormat.TEXT;

  private Io io;

  private EnvelopeCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err, System.console() != null));
  }

  /** Runs the command on these streams and returns its exit status. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
    EnvelopeCli root = new EnvelopeCli();
    root.io = new Io(in, out, err, terminal);
    CommandLine line = new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("envelope " + cmd.getCommandName() + ": " + describe(e));
      return e instanceof UsageException ? ExitCode.USAGE
          : e instanceof InterruptedException ? ExitCode.INTERRUPTED : ExitCode.FAILED;
    });
    return line.execute(args);
  }

  Io io() {
    return io;
  }

  /** The first line a person needs: what failed and why, never a stack trace, never key material. */
  static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u) {
      e = u.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof EnvelopeException || e instanceof UsageException || e instanceof CommandFailure) {
      return message;
    }
    if (e instanceof SdkException) {
      return "AWS: " + message;
    }
    return e.getClass().getSimpleName() + ": " + message;
  }
}
