package dev.envelope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.TableConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The part of a table's encryption configuration items do not carry, from a JSON file: the attribute actions and
 * key names the application configures in code ({@code TableConfig}).
 * <pre>
 * {"partitionKey": "pk", "sortKey": "sk", "unsignedAttributePrefix": "_",
 *  "attributeActions": {"card": "ENCRYPT_AND_SIGN", "status": "SIGN_ONLY"}}
 * </pre>
 */
final class TableConfigFile {
  private TableConfigFile() {}

  static TableConfig.Builder read(Path file, String table, Keyring keyring) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UsageException("cannot read --table-config " + file + ": " + e.getMessage());
    }
    if (json == null || !json.hasNonNull("partitionKey")) {
      throw new UsageException("--table-config " + file + " needs at least \"partitionKey\" and \"attributeActions\"");
    }
    TableConfig.Builder b = TableConfig.builder().tableName(table).partitionKeyName(json.get("partitionKey").asText())
        .keyring(keyring);
    if (json.hasNonNull("sortKey")) {
      b.sortKeyName(json.get("sortKey").asText());
    }
    if (json.hasNonNull("unsignedAttributePrefix")) {
      b.unsignedAttributePrefix(json.get("unsignedAttributePrefix").asText());
    }
    for (Map.Entry<String, JsonNode> e : json.path("attributeActions").properties()) {
      try {
        b.attributeAction(e.getKey(), CryptoAction.valueOf(e.getValue().asText().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException bad) {
        throw new UsageException("--table-config: " + e.getKey() + " has action " + e.getValue() + "; one of "
            + java.util.Arrays.toString(CryptoAction.values()));
      }
    }
    return b;
  }
}
