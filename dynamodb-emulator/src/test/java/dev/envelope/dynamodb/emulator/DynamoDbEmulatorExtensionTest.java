package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The JUnit extension hands each test a fresh emulator, and its client talks to that emulator. */
@ExtendWith(DynamoDbEmulatorExtension.class)
class DynamoDbEmulatorExtensionTest {
  @Test
  void aTestGetsAnEmptyEmulatorAndItsClient(DynamoDbEmulator emulator, DynamoDbClient ddb) {
    assertEquals(List.of(), ddb.listTables().tableNames());
    ddb.createTable(b -> b.tableName("Mine").keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S)));
    assertEquals(List.of("Mine"), emulator.client().listTables().tableNames(), "one emulator per test");
  }

  @Test
  void theNextTestStartsEmptyAgain(DynamoDbClient ddb) {
    assertEquals(List.of(), ddb.listTables().tableNames());
  }
}
