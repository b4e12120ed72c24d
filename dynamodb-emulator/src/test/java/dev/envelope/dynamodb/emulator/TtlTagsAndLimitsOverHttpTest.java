package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link TtlTagsAndLimitsContract} over HTTP, through the SDK client and the JSON 1.0 protocol. */
class TtlTagsAndLimitsOverHttpTest extends TtlTagsAndLimitsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return OverHttp.client(emulator);
  }
}
