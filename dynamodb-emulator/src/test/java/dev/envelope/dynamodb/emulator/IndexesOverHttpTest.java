package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link IndexesContract} over HTTP, through the SDK client and the JSON 1.0 protocol. */
class IndexesOverHttpTest extends IndexesContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return OverHttp.client(emulator);
  }
}
