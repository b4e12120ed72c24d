package dev.envelope.cli;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.Envelope;
import java.util.List;
import picocli.CommandLine.Option;

/** The options encrypt and decrypt share, named as in the AWS Encryption SDK CLI. */
final class FileOptions {
  @Option(names = {"-i", "--input"}, required = true, paramLabel = "PATH",
      description = "file, directory (with --recursive), or - for standard input")
  String input;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATH",
      description = "file, directory, or - for standard output")
  String output;

  @Option(names = {"-w", "--wrapping-keys"}, required = true, arity = "1..*", paramLabel = "ATTR",
      description = "key=<KMS key ARN> (repeatable), discovery=true [discovery-account=ID "
          + "discovery-partition=aws], or provider=raw-aes key-file=FILE namespace=NS name=NAME")
  List<String> wrappingKeys;

  @Option(names = {"-c", "--encryption-context"}, arity = "1..*", paramLabel = "NAME[=VALUE]",
      description = "encrypt: the name=value pairs to bind; decrypt: pairs the message must have been made with, "
          + "and names alone that its context must have")
  List<String> encryptionContext = List.of();

  @Option(names = "--commitment-policy", paramLabel = "POLICY", description = "require-encrypt-require-decrypt "
      + "(default), require-encrypt-allow-decrypt, forbid-encrypt-allow-decrypt")
  String commitmentPolicy = "require-encrypt-require-decrypt";

  @Option(names = "--max-encrypted-data-keys", paramLabel = "N",
      description = "refuse messages with more encrypted data keys (default 10)")
  int maxEncryptedDataKeys = Envelope.DEFAULT_MAX_ENCRYPTED_DATA_KEYS;

  @Option(names = {"-r", "-R", "--recursive"}, description = "every file under the input directory")
  boolean recursive;

  @Option(names = "--metadata-output", paramLabel = "FILE",
      description = "one JSON line per file (input, output, status, header or error); - for standard output")
  String metadataOutput;

  @Option(names = "--overwrite", description = "replace outputs that exist (by default they are skipped: an "
      + "output appears only when whole, so a re-run continues an interrupted one)")
  boolean overwrite;

  @Option(names = {"-b", "--buffer"}, description = "standard output: hold the output until the input is done "
      + "(on decrypt: until the whole message, signature included, is authenticated), so a truncated or tampered "
      + "message writes nothing; held in memory, up to a quarter of the heap. Output files are always written whole.")
  boolean buffer;

  @Option(names = "--parallel", paramLabel = "N", description = "files at a time (default: the processors)")
  int parallel = Runtime.getRuntime().availableProcessors();

  CommitmentPolicy policy() {
    try {
      return CommitmentPolicy.valueOf(commitmentPolicy.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--commitment-policy " + commitmentPolicy + " is not one of "
          + "require-encrypt-require-decrypt, require-encrypt-allow-decrypt, forbid-encrypt-allow-decrypt");
    }
  }

  void check() {
    if (parallel < 1) {
      throw new UsageException("--parallel must be at least 1");
    }
    if (maxEncryptedDataKeys < 1) {
      throw new UsageException("--max-encrypted-data-keys must be at least 1");
    }
  }
}
