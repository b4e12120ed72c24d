package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link PartiQlContract} in process, through the SDK client without sockets. */
class PartiQlTest extends PartiQlContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return emulator.client();
  }
}
