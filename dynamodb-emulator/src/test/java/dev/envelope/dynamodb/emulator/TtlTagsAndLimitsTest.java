package dev.envelope.dynamodb.emulator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link TtlTagsAndLimitsContract} in process, through the SDK client without sockets. */
class TtlTagsAndLimitsTest extends TtlTagsAndLimitsContract {
  @Override
  DynamoDbClient client(DynamoDbEmulator emulator) {
    return emulator.client();
  }
}
