package dev.envelope.dynamodb.emulator;

import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A behaviour suite written once and run against each face: a fresh emulator per test, and a client of it that
 * the concrete class chooses (in process, or over HTTP).
 */
abstract class EmulatorContract {
  final DynamoDbEmulator emulator = DynamoDbEmulator.create();
  final DynamoDbClient ddb = client(emulator);

  /** The face under test: a client of {@code emulator}. */
  abstract DynamoDbClient client(DynamoDbEmulator emulator);

  @AfterEach
  void closeClientAndEmulator() {
    ddb.close();
    emulator.close();
  }
}
