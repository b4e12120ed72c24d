package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link ConditionsAndQueriesContract} over HTTP, through the SDK client and the JSON 1.0 protocol. */
class ConditionsAndQueriesOverHttpTest extends ConditionsAndQueriesContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return OverHttp.client(emulator);
  }
}
