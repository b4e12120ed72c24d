package dev.envelope.benchmarks;

import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;

/**
 * In-process start-up of the DynamoDB emulator in a fresh JVM (one per fork): the emulator alone, and from nothing
 * to a first answered call through the SDK's {@link DynamoDbClient} (create a table, put an item), as a test
 * suite pays it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class DynamoDbStartupBenchmark {
  @Benchmark
  public Object emulatorOnly() {
    try (DynamoDbEmulator emulator = DynamoDbEmulator.create()) {
      return emulator.requests();
    }
  }

  @Benchmark
  public Object emulatorToFirstCall() {
    try (DynamoDbEmulator emulator = DynamoDbEmulator.create(); DynamoDbClient ddb = emulator.client()) {
      ddb.createTable(b -> b.tableName("First").billingMode("PAY_PER_REQUEST")
          .keySchema(KeySchemaElement.builder().attributeName("id").keyType("HASH").build())
          .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType("S").build()));
      return ddb.putItem(b -> b.tableName("First").item(Map.of("id", AttributeValue.fromS("x"))));
    }
  }
}
