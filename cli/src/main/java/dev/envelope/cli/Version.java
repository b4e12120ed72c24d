package dev.envelope.cli;

import picocli.CommandLine.IVersionProvider;

/** The version the jar was built as. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = EnvelopeCli.class.getPackage().getImplementationVersion();
    return new String[] {"envelope " + (version == null ? "(development build)" : version)};
  }
}
