package dev.envelope.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a run of the command uses: the process's own from {@code main}, captured ones in tests. {@code
 * terminal} says whether progress may be drawn (a terminal is watching stderr).
 */
record Io(InputStream in, PrintStream out, PrintStream err, boolean terminal) {}
