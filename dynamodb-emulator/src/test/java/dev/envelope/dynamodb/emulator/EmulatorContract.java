package dev.envelope.dynamodb.emulator;

import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A behaviour suite written once and run against each face: a fresh emulator per test, and a client of it that
 * the concrete class chooses (in process, or over HTTP).
 */
abstract class EmulatorContract {
  final DynamoDbEmulator emulator = configure(DynamoDbEmulator.builder()).build();
  final DynamoDbClient ddb = client(emulator);

  /** The emulator every test of the suite gets; the defaults unless a suite needs other limits. */
  DynamoDbEmulator.Builder configure(DynamoDbEmulator.Builder builder) {
    return builder;
  }

  /** The face under test: a client of {@code emulator}. */
  abstract DynamoDbClient client(DynamoDbEmulator emulator);

  @AfterEach
  void closeClientAndEmulator() {
    ddb.close();
    emulator.close();
  }
}
