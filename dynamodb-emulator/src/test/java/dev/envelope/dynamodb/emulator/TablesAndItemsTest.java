package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link TablesAndItemsContract} in process, through the SDK client without sockets. */
class TablesAndItemsTest extends TablesAndItemsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return emulator.client();
  }
}
