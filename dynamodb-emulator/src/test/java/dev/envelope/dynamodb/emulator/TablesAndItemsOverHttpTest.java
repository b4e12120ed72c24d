package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link TablesAndItemsContract} over HTTP, through the SDK client and the JSON 1.0 protocol. */
class TablesAndItemsOverHttpTest extends TablesAndItemsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return OverHttp.client(emulator);
  }
}
