package dev.envelope.dynamodb.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable jar: {@code java -jar dynamodb-emulator.jar [--port N] [--bind ADDRESS] [--data-dir DIR] [--fsync]
 * [--config FILE]}.
 * Serves the DynamoDB JSON 1.0 protocol on 127.0.0.1 until stopped (SIGTERM or Ctrl-C). Prints one line when it
 * is ready, with the port it listens on (useful with {@code --port 0}); errors go to stderr with exit status 2.
 */
public final class DynamoDbEmulatorMain {
  static final String USAGE = """
      usage: java -jar dynamodb-emulator.jar [--port N] [--bind ADDRESS] [--data-dir DIR] [--fsync] [--config FILE]
        --port N        TCP port (8000 by default; 0 picks a free one, the ready line says which)
        --bind ADDRESS  127.0.0.1 by default; ::1 for clients that resolve localhost to IPv6, 0.0.0.0 for other
                        hosts and containers (then anyone who reaches the port can read and write every table)
        --data-dir DIR  keep tables and items in DIR across restarts and crashes (default: memory only)
        --fsync         with --data-dir, force every change to the disk before answering (survives power loss)
        --config FILE   JSON {"tables": [CreateTable request with optional "Items": [...]]} created at start""";

  private DynamoDbEmulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    long started = System.nanoTime();
    int port = 8000;
    String bind = "127.0.0.1";
    Path dataDir = null;
    Path config = null;
    boolean fsync = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (option.equals("--fsync")) {
        fsync = true;
        continue;
      }
      if (i + 1 >= args.length) {
        fail(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--port" -> port = parsePort(value);
        case "--bind" -> bind = value;
        case "--data-dir" -> dataDir = Path.of(value);
        case "--config" -> config = Path.of(value);
        default -> fail("unknown option " + option);
      }
    }
    DynamoDbEmulator.Builder builder = DynamoDbEmulator.builder().fsync(fsync).keepRequests(false);
    if (dataDir != null) {
      builder.dataDirectory(dataDir);
    }
    if (config != null) {
      builder.config(config);
    }
    DynamoDbEmulator emulator = null;
    DynamoDbHttpServer server = null;
    try {
      emulator = builder.build();
      java.net.InetAddress address = java.net.InetAddress.getByName(bind);
      server = emulator.startHttpServer(address, port);
      if (!address.isLoopbackAddress()) {
        System.err.println("dynamodb-emulator: WARNING: listening on " + bind + ", reachable from other hosts, "
            + "without authentication");
      }
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | IOException e) {
      if (emulator != null) {
        emulator.close();
      }
      fail(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    DynamoDbEmulator running = emulator;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "dynamodb-emulator-shutdown"));
    System.out.printf("DynamoDB emulator listening on %s (%s) in %d ms%n", server.endpoint(),
        dataDir == null ? "memory only" : "data in " + dataDir.toAbsolutePath(),
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
    System.err.println("dynamodb-emulator: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
