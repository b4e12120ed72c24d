package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link ConditionsAndQueriesContract} in process, through the SDK client without sockets. */
class ConditionsAndQueriesTest extends ConditionsAndQueriesContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return emulator.client();
  }
}
