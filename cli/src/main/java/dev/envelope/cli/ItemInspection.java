package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.dynamodb.ItemHeaderInfo;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * {@code inspect dynamodb://TABLE/pk=VALUE[/sk=VALUE]}: one item's header, fetched with a GetItem that projects only
 * the header attributes. Key values are typed from the table's attribute definitions (S as written, N as a number,
 * B as Base64).
 */
final class ItemInspection {
  private ItemInspection() {}

  static ObjectNode describe(DynamoDbClient dynamoDb, String location) {
    String rest = location.substring("dynamodb://".length());
    String[] parts = rest.split("/");
    String table = parts[0];
    if (table.isEmpty() || parts.length < 2) {
      throw new UsageException("inspect an item as dynamodb://TABLE/partitionKey=VALUE[/sortKey=VALUE], not '"
          + location + "'");
    }
    TableDescription description = dynamoDb.describeTable(b -> b.tableName(table)).table();
    Map<String, String> types = new HashMap<>();
    for (AttributeDefinition d : description.attributeDefinitions()) {
      types.put(d.attributeName(), d.attributeTypeAsString());
    }
    Map<String, AttributeValue> key = new HashMap<>();
    Map<String, String> written = new java.util.LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      String name = eq < 0 ? "" : parts[i].substring(0, eq);
      if (!types.containsKey(name)) {
        throw new UsageException("'" + parts[i] + "' is not name=value of a key attribute of " + table + " ("
            + types.keySet() + ")");
      }
      String value = parts[i].substring(eq + 1);
      written.put(name, value);
      key.put(name, switch (types.get(name)) {
        case "N" -> AttributeValue.fromN(value);
        case "B" -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode(value)));
        default -> AttributeValue.fromS(value);
      });
    }
    // The key attributes too: an item that exists always comes back with something.
    List<String> wanted = new ArrayList<>(key.keySet());
    wanted.addAll(ItemHeaderInfo.HEADER_ATTRIBUTES);
    Map<String, String> names = new HashMap<>();
    List<String> projected = new ArrayList<>();
    for (int i = 0; i < wanted.size(); i++) {
      names.put("#a" + i, wanted.get(i));
      projected.add("#a" + i);
    }
    Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(key)
        .projectionExpression(String.join(", ", projected)).expressionAttributeNames(names)).item();
    if (item == null || item.isEmpty()) {
      throw new CommandFailure("no item " + written + " in " + table);
    }
    ItemHeaderInfo info = ItemHeaderInfo.read(item);
    ObjectNode node = Json.object();
    node.put("format", info.format().map(Enum::name).orElse("unencrypted"));
    node.put("suite", info.suite());
    node.put("messageId", info.messageId());
    node.set("encryptionContext", Json.MAPPER.valueToTree(new java.util.TreeMap<>(info.encryptionContext())));
    node.set("wrappingKeys", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
    ObjectNode where = node.putObject("item");
    where.put("table", table);
    written.forEach(where::put);
    return node;
  }
}
