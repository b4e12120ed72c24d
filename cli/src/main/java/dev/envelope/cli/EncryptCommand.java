package dev.envelope.cli;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EncryptingOutputStream;
import dev.envelope.core.Envelope;
import dev.envelope.core.MessageInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code envelope encrypt}: files, directories or stdin into AWS Encryption SDK messages. */
@Command(name = "encrypt", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Encrypt files, a directory tree (in parallel) or standard input into AWS Encryption SDK "
        + "messages, readable by every ESDK (Java, Python, C, .NET, JavaScript, Go, Rust) and the ESDK CLI.")
final class EncryptCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  FileOptions files;

  @Mixin
  AwsOptions aws;

  @Option(names = "--algorithm", paramLabel = "SUITE", description = "suite name or id, e.g. "
      + "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 (default) or 0x0478")
  String algorithm;

  @Option(names = "--frame-length", paramLabel = "BYTES", description = "plaintext bytes per frame (default 65536)")
  int frameLength = Envelope.DEFAULT_FRAME_LENGTH;

  @Option(names = "--suffix", paramLabel = "SUFFIX", description = "added to output names in a directory "
      + "(default .encrypted)")
  String suffix = ".encrypted";

  @Override
  public Integer call() throws Exception {
    files.check();
    Map<String, String> context = ContextArguments.forEncrypt(files.encryptionContext).pairs();
    Envelope.Builder builder = Envelope.builder()
        .keyring(WrappingKeys.parse(files.wrappingKeys).forEncrypt(aws))
        .commitmentPolicy(files.policy()).frameLength(frameLength)
        .maxEncryptedDataKeys(files.maxEncryptedDataKeys);
    if (algorithm != null) {
      builder.suite(suite(algorithm));
    }
    Envelope envelope = builder.build();
    FileJobs.Operation encrypt = (in, out, source) -> {
      HeaderCapture capture = new HeaderCapture(out);
      try (EncryptingOutputStream enc = envelope.encryptingStream(capture, context)) {
        in.transferTo(enc);
      }
      return Json.header(MessageInfo.read(new ByteArrayInputStream(capture.header())));
    };
    return Runs.files(root, "encrypt", encrypt, suffix, files);
  }

  static AlgorithmSuite suite(String name) {
    for (AlgorithmSuite s : AlgorithmSuite.values()) {
      if (s.name().equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name.replaceFirst("(?i)^ALG_", ""))
          || String.format("0x%04X", s.id()).equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new UsageException("--algorithm " + name + " is not a suite of the message format");
  }

  /** Keeps the first bytes written (the header), to describe the message without reading it back. */
  private static final class HeaderCapture extends FilterOutputStream {
    private final ByteArrayOutputStream start = new ByteArrayOutputStream();

    HeaderCapture(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (start.size() < 1 << 16) {
        start.write(b, off, Math.min(len, (1 << 16) - start.size()));
      }
      out.write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    byte[] header() {
      return start.toByteArray();
    }
  }
}
