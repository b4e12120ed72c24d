package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link UpdatesBatchesAndTransactionsContract} in process, through the SDK client without sockets. */
class UpdatesBatchesAndTransactionsTest extends UpdatesBatchesAndTransactionsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return emulator.client();
  }
}
