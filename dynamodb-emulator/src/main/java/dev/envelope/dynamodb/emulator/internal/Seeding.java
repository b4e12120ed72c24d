package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tables from a configuration file, created as CreateTable and PutItem would create them (so they are checked the
 * same way): {@code {"tables": [{<CreateTable request>, "Items": [<item>, ...]}, ...]}}. A table that exists
 * already (kept in a data directory) is skipped with its items, so a restart does not duplicate or overwrite.
 */
public final class Seeding {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Seeding() {}

  public static void seed(Path file, Engine engine) {
    JsonNode config;
    try {
      config = MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the emulator configuration " + file, e);
    }
    if (config == null || !config.path("tables").isArray()) {
      throw new IllegalArgumentException("The emulator configuration " + file + " must be a JSON object with a "
          + "\"tables\" array of CreateTable requests");
    }
    for (JsonNode declared : config.get("tables")) {
      ObjectNode create = ((ObjectNode) declared).deepCopy();
      JsonNode items = create.remove("Items");
      String name = create.path("TableName").asText();
      if (call(engine, "DescribeTable", MAPPER.createObjectNode().put("TableName", name)) == null) {
        continue;
      }
      String error = call(engine, "CreateTable", create);
      if (error != null) {
        throw new IllegalArgumentException("The emulator configuration " + file + " declares table " + name
            + " that DynamoDB would refuse: " + error);
      }
      int index = 0;
      for (JsonNode item : items == null ? MAPPER.createArrayNode() : items) {
        ObjectNode put = MAPPER.createObjectNode().put("TableName", name);
        put.set("Item", item);
        error = call(engine, "PutItem", put);
        if (error != null) {
          throw new IllegalArgumentException("The emulator configuration " + file + " has an item (number "
              + index + " of table " + name + ") that DynamoDB would refuse: " + error);
        }
        index++;
      }
    }
  }

  /** Runs one operation (not recorded in the request trail); null when it succeeded, else "Code: message". */
  private static String call(Engine engine, String operation, ObjectNode request) {
    try {
      engine.execute(operation, request);
      return null;
    } catch (DynamoDbError e) {
      return e.code() + ": " + e.getMessage();
    }
  }
}
