package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link UpdatesBatchesAndTransactionsContract} over HTTP, through the SDK client and the JSON 1.0 protocol. */
class UpdatesBatchesAndTransactionsOverHttpTest extends UpdatesBatchesAndTransactionsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return OverHttp.client(emulator);
  }
}
