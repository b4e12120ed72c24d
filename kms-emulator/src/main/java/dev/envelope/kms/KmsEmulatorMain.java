package dev.envelope.kms;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable jar: {@code java -jar kms-emulator.jar --port N [--bind ADDRESS] [--data-dir DIR] [--config FILE]
 * [--trail FILE]}. Serves the KMS JSON 1.1 protocol on 127.0.0.1 (or the bind address) until stopped (SIGTERM or
 * Ctrl-C). Prints one line when it is ready, with the port it listens on (useful with {@code --port 0}) and whether
 * authorization is enforced; errors go to stderr with exit status 2.
 */
public final class KmsEmulatorMain {
  static final String USAGE = """
      usage: java -jar kms-emulator.jar --port N [--bind ADDRESS] [--data-dir DIR] [--config FILE] [--trail FILE]
        --port N        TCP port (0 picks a free one; the ready line says which)
        --bind ADDRESS  127.0.0.1 by default; ::1 for clients that resolve localhost to IPv6, 0.0.0.0 for
                        other hosts and containers (then anyone who can reach the port can call it)
        --data-dir DIR  keep keys, aliases and grants in DIR across restarts (default: memory only)
        --config FILE   JSON: defaultAccount, defaultRegion, enforceAuthorization, principals, seeded keys
        --trail FILE    append a CloudTrail-shaped JSON record of every call to FILE""";

  private KmsEmulatorMain() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    Integer port = null;
    Path dataDir = null;
    Path config = null;
    Path trail = null;
    String bind = "127.0.0.1";
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= args.length) {
        fail(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--port" -> port = parsePort(value);
        case "--data-dir" -> dataDir = Path.of(value);
        case "--config" -> config = Path.of(value);
        case "--trail" -> trail = Path.of(value);
        case "--bind" -> bind = value;
        default -> fail("unknown option " + option);
      }
    }
    if (port == null) {
      fail("--port is required");
    }
    KmsEmulator.Builder builder = KmsEmulator.builder().keepTrail(false);
    BufferedWriter trailWriter = null;
    try {
      if (config != null) {
        builder.config(config);
      }
      if (dataDir != null) {
        builder.dataDirectory(dataDir);
      }
      if (trail != null) {
        BufferedWriter writer = Files.newBufferedWriter(trail, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        trailWriter = writer;
        builder.trailSink(event -> {
          try {
            writer.write(dev.envelope.kms.internal.Json.writeString(event));
            writer.newLine();
            writer.flush();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    } catch (IllegalArgumentException | UncheckedIOException | IOException e) {
      fail(e.getMessage());
    }
    KmsEmulator emulator = builder.build();
    java.net.InetAddress address = null;
    try {
      address = java.net.InetAddress.getByName(bind);
    } catch (java.net.UnknownHostException e) {
      fail("--bind is not an address of this machine: " + bind);
    }
    KmsHttpServer server;
    try {
      server = emulator.startHttpServer(address, port);
    } catch (IOException e) {
      fail("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
      return;
    }
    if (!address.isLoopbackAddress()) {
      System.err.println("kms-emulator: WARNING: listening on " + bind + ", reachable from other hosts"
          + (emulator.enforcesAuthorization() ? "" : " and without authorization: every caller is the administrator"));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    BufferedWriter toClose = trailWriter;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.close();
      if (toClose != null) {
        try {
          toClose.close();
        } catch (IOException ignored) {
          // exiting anyway
        }
      }
      stopped.countDown();
    }, "kms-emulator-shutdown"));
    System.out.printf("KMS emulator listening on %s (account %s, region %s, %s, %s) in %d ms%n", server.endpoint(),
        emulator.defaultAccount(), emulator.defaultRegion(),
        dataDir == null ? "memory only" : "data in " + dataDir.toAbsolutePath(),
        emulator.enforcesAuthorization() ? "authorization enforced, SigV4 signatures verified"
            : "open mode: every caller is the administrator, signatures not checked",
        (System.nanoTime() - started) / 1_000_000);
    System.out.flush();
    stopped.await();
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    fail("--port must be 0 to 65535: " + value);
    return -1;
  }

  private static void fail(String message) {
    System.err.println("kms-emulator: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
