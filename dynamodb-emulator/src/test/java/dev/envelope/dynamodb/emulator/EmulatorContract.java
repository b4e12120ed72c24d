package dev.envelope.dynamodb.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * A behaviour suite written once and run against each face: a fresh emulator per test, and a client of it that
 * the concrete class chooses (in process, or over HTTP).
 */
abstract class EmulatorContract {
  final DynamoDbEmulator emulator = configure(DynamoDbEmulator.builder()).build();
  final DynamoDbClient ddb = client(emulator);

  /** The emulator every test of the suite gets; the defaults unless a suite needs other limits. */
  DynamoDbEmulator.Builder configure(DynamoDbEmulator.Builder builder) {
    return builder;
  }

  /** The face under test: a client of {@code emulator}. */
  abstract DynamoDbClient client(DynamoDbEmulator emulator);

  /** An item or a set of expression values from name/value pairs: Integers as numbers, Strings as strings. */
  static Map<String, AttributeValue> values(Object... pairs) {
    Map<String, AttributeValue> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1] instanceof Integer n ? AttributeValue.fromN(n.toString())
          : AttributeValue.fromS((String) pairs[i + 1]));
    }
    return m;
  }

  /** The call fails with a ValidationException carrying exactly DynamoDB's message. */
  static void assertValidation(String expected, Executable call) {
    DynamoDbException e = assertThrows(DynamoDbException.class, call);
    assertEquals("ValidationException", e.awsErrorDetails().errorCode(), e.getMessage());
    assertEquals(expected, e.awsErrorDetails().errorMessage());
  }

  @AfterEach
  void closeClientAndEmulator() {
    ddb.close();
    emulator.close();
  }
}
