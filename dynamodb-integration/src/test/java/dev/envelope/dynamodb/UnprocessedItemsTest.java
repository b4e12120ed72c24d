package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ClientType;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Items BatchWriteItem leaves unprocessed go back to the caller as the plaintext items it sent, so that resending
 * them encrypts them afresh instead of encrypting ciphertext. The DynamoDB emulator does not throttle, so the
 * response is made here and passed through the interceptor as the SDK would.
 */
class UnprocessedItemsTest {
  @Test
  void unprocessedItemsComeBackAsTheCallersItems() {
    DynamoDbEncryptionInterceptor interceptor = DynamoDbEncryptionInterceptor.builder()
        .table(TestItems.config("Orders", DdbTestParts.aesKeyring()).build()).build();
    Map<String, AttributeValue> item = TestItems.everyType("alice", 1);
    BatchWriteItemRequest request = BatchWriteItemRequest.builder().requestItems(Map.of("Orders", List.of(
        WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build()))).build();
    ExecutionAttributes attributes = new ExecutionAttributes(); // as a synchronous DynamoDbClient sets them
    attributes.putAttribute(SdkExecutionAttribute.SERVICE_NAME, "DynamoDb");
    attributes.putAttribute(SdkExecutionAttribute.CLIENT_TYPE, ClientType.SYNC);

    BatchWriteItemRequest sent = (BatchWriteItemRequest) interceptor.modifyRequest(
        InterceptorContext.builder().request(request).build(), attributes);
    Map<String, AttributeValue> encrypted = sent.requestItems().get("Orders").get(0).putRequest().item();
    assertNotEquals(item, encrypted);

    BatchWriteItemResponse unprocessed = BatchWriteItemResponse.builder().unprocessedItems(Map.of("Orders",
        List.of(WriteRequest.builder().putRequest(PutRequest.builder().item(encrypted).build()).build()))).build();
    BatchWriteItemResponse returned = (BatchWriteItemResponse) interceptor.modifyResponse(
        InterceptorContext.builder().request(sent).response(unprocessed).build(), attributes);
    assertEquals(item, returned.unprocessedItems().get("Orders").get(0).putRequest().item());
  }
}
