package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DuplicateItemException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The simple PartiQL statements, and the refusal of the rest. */
abstract class PartiQlContract extends EmulatorContract {
  @Test
  void insertSelectUpdateAndDelete() {
    ddb.createTable(b -> b.tableName("Notes").keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
    ddb.executeStatement(b -> b.statement("INSERT INTO \"Notes\" VALUE {'pk': 'a', 'text': 'it''s here', 'n': 2}"));
    ddb.executeStatement(b -> b.statement("INSERT INTO \"Notes\" VALUE {'pk': ?, 'n': ?}")
        .parameters(AttributeValue.fromS("b"), AttributeValue.fromN("3")));
    assertThrows(DuplicateItemException.class, () -> ddb.executeStatement(b -> b.statement(
        "INSERT INTO \"Notes\" VALUE {'pk': 'a'}")));

    var a = ddb.executeStatement(b -> b.statement("SELECT * FROM \"Notes\" WHERE pk = 'a'")).items();
    assertEquals(1, a.size());
    assertEquals("it's here", a.get(0).get("text").s());
    assertEquals(2, ddb.executeStatement(b -> b.statement("SELECT * FROM \"Notes\"")).items().size());
    assertEquals("b", ddb.executeStatement(b -> b.statement("SELECT * FROM \"Notes\" WHERE n = ?")
        .parameters(AttributeValue.fromN("3"))).items().get(0).get("pk").s());

    ddb.executeStatement(b -> b.statement("DELETE FROM \"Notes\" WHERE pk = ?").parameters(AttributeValue.fromS("a")));
    assertFalse(ddb.getItem(b -> b.tableName("Notes").key(Map.of("pk", AttributeValue.fromS("a")))).hasItem());

    ddb.executeStatement(b -> b.statement("UPDATE \"Notes\" SET n = 4, label = ? SET text = 'x' WHERE pk = 'b'")
        .parameters(AttributeValue.fromS("updated")));
    Map<String, AttributeValue> b4 = ddb.getItem(b -> b.tableName("Notes").key(Map.of("pk", AttributeValue.fromS("b"))))
        .item();
    assertEquals(Map.of("pk", AttributeValue.fromS("b"), "n", AttributeValue.fromN("4"), "label",
        AttributeValue.fromS("updated"), "text", AttributeValue.fromS("x")), b4);
    assertThrows(ConditionalCheckFailedException.class, () -> ddb.executeStatement(b -> b.statement(
        "UPDATE \"Notes\" SET n = 5 WHERE pk = 'nobody'")), "PartiQL updates only an existing item");
    assertFalse(ddb.getItem(b -> b.tableName("Notes").key(Map.of("pk", AttributeValue.fromS("nobody")))).hasItem());

    DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.executeStatement(b -> b.statement(
        "UPDATE \"Notes\" REMOVE n WHERE pk = 'b'")));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertTrue(e.awsErrorDetails().errorMessage().contains("does not support this form of UPDATE yet"));
  }
}
