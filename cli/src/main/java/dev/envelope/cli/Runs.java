package dev.envelope.cli;

/** How bulk commands end: the tally printed (text to stderr, or JSON to stdout) and the exit status. */
final class Runs {
  private Runs() {}

  static int files(EnvelopeCli root, String mode, FileJobs.Operation operation, String suffix, FileOptions files)
      throws Exception {
    Io io = root.io();
    try (MetadataOutput metadata = MetadataOutput.to(files.metadataOutput, io)) {
      Tally tally = new FileJobs(mode, operation, suffix, files.overwrite, files.buffer, files.parallel, io,
          metadata)
          .run(files.input, files.output, files.recursive);
      finish(root, tally, !files.output.equals("-") && !"-".equals(files.metadataOutput));
      return tally.exitCode();
    }
  }

  /** Prints the tally: JSON on stdout when asked and stdout is free, else text on stderr. */
  static void finish(EnvelopeCli root, Tally tally, boolean stdoutFree) {
    if (root.output == OutputFormat.JSON && stdoutFree) {
      root.io().out().println(Json.pretty(tally.json()));
    } else if (tally.failedCount() > 0 || tally.doneCount() + tally.skippedCount() > 1) {
      tally.print(root.io().err());
    }
  }
}
