package dev.envelope.cli;

import dev.envelope.localaws.LocalAws;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code envelope local serve}: KMS, DynamoDB, S3 and STS on one port until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve KMS (the KMS emulator: key policies, grants, key states), DynamoDB, S3 and STS on one "
        + "port, as LocalStack's edge port does, until stopped (Ctrl-C). Prints one line when every service "
        + "answers.")
final class LocalServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "N", description = "TCP port (default 4566); 0 picks a free one")
  int port = LocalAws.DEFAULT_PORT;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "the one address to listen on (default: "
      + "127.0.0.1 and ::1); 0.0.0.0 makes it reachable from other hosts")
  String bind;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "keep keys, tables and objects in DIR across "
      + "restarts (default: memory)")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "the KMS emulator's JSON configuration "
      + "(principals, policies, enforced authorization, seeded keys)")
  Path config;

  /** Set by tests to stop a serving command; a process stops on SIGTERM or Ctrl-C. */
  static volatile CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    LocalAws.Builder builder = LocalAws.builder().port(port);
    if (bind != null) {
      builder.bindAddress(InetAddress.getByName(bind));
    }
    if (dataDir != null) {
      builder.dataDirectory(dataDir);
    }
    if (config != null) {
      builder.config(config);
    }
    Io io = ((EnvelopeCli) spec.root().userObject()).io();
    try (LocalAws aws = builder.build()) {
      if (bind != null && !InetAddress.getByName(bind).isLoopbackAddress()) {
        io.err().println("envelope local serve: WARNING: listening on " + bind + ", reachable from other hosts");
      }
      io.out().printf("local AWS listening on %s: kms, dynamodb, s3, sts (account %s, %s)%n", aws.endpoint(),
          aws.kms().defaultAccount(), aws.kms().enforcesAuthorization() ? "authorization enforced"
              : "open mode: every caller is the administrator");
      io.out().flush();
      Thread hook = new Thread(() -> stop.countDown(), "envelope-local-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        stop.await();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: the JVM is stopping
        }
      }
    }
    return ExitCode.OK;
  }
}
