package dev.envelope.cli;

import dev.envelope.core.DecryptingInputStream;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.Envelope;
import dev.envelope.core.MessageInfo;
import dev.envelope.core.PolicyViolationException;
import java.io.BufferedInputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code envelope decrypt}: AWS Encryption SDK messages back to plaintext. */
@Command(name = "decrypt", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Decrypt AWS Encryption SDK messages (from any ESDK or the ESDK CLI): files, a directory tree "
        + "(in parallel) or standard input. Plaintext reaches an output file only once the whole message, "
        + "signature included, is authenticated; standard output receives each frame once its tag verifies, or "
        + "with --buffer only once the whole message is authenticated.")
final class DecryptCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  FileOptions files;

  @Mixin
  AwsOptions aws;

  @Option(names = "--suffix", paramLabel = "SUFFIX", description = "added to output names in a directory "
      + "(default .decrypted)")
  String suffix = ".decrypted";

  @Option(names = "--decrypt-unsigned", description = "refuse signed messages (the ESDK CLI's option), read "
      + "before any key is used: with unsigned suites each frame released is authenticated on its own, so "
      + "streamed output is never undone by a signature that fails at the end")
  boolean unsignedOnly;

  @Override
  public Integer call() throws Exception {
    files.check();
    ContextArguments required = ContextArguments.forDecrypt(files.encryptionContext);
    Map<String, String> expected = required.pairs();
    Envelope envelope = Envelope.builder().keyring(WrappingKeys.parse(files.wrappingKeys).forDecrypt(aws))
        .commitmentPolicy(files.policy()).maxEncryptedDataKeys(files.maxEncryptedDataKeys).build();
    FileJobs.Operation decrypt = (in, out, source) -> {
      BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
      buffered.mark(1 << 16);
      MessageInfo info = MessageInfo.read(buffered);
      if (unsignedOnly && info.suite().isSigned()) {
        throw new PolicyViolationException("The message is signed (suite " + info.suite() + ") and "
            + "--decrypt-unsigned refuses signed messages");
      }
      // The names checked here are authenticated with the rest of the header as the message is decrypted.
      for (String name : required.names()) {
        if (!info.encryptionContext().containsKey(name)) {
          throw new EncryptionContextMismatchException("The message's encryption context has no '" + name
              + "', which --encryption-context requires");
        }
      }
      buffered.reset();
      try (DecryptingInputStream dec = envelope.decryptingStream(buffered, expected)) {
        dec.transferTo(out);
      }
      return Json.header(info);
    };
    return Runs.files(root, "decrypt", decrypt, suffix, files);
  }
}
