package dev.envelope.dynamodb.emulator;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -cp ... dev.envelope.dynamodb.emulator.DynamoDbEmulatorMain [--port N]}: the emulator over HTTP on
 * 127.0.0.1 (port 8000 by default, as DynamoDB Local's), until the process is stopped. Tables live in memory.
 */
public final class DynamoDbEmulatorMain {
  private DynamoDbEmulatorMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 8000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port") && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: DynamoDbEmulatorMain [--port N]");
        System.exit(2);
      }
    }
    DynamoDbEmulator emulator = DynamoDbEmulator.create();
    DynamoDbHttpServer server = emulator.startHttpServer(port);
    System.out.println("DynamoDB emulator listening on " + server.endpoint());
    Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
    new CountDownLatch(1).await(); // until the process is stopped
  }
}
