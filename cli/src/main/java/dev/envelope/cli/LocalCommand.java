package dev.envelope.cli;

import picocli.CommandLine.Command;

/** {@code envelope local}: the local AWS endpoint. */
@Command(name = "local", mixinStandardHelpOptions = true, subcommands = LocalServeCommand.class,
    description = "Local AWS for development and test suites.")
final class LocalCommand {}
