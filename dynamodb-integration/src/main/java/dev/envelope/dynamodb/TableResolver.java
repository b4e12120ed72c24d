package dev.envelope.dynamodb;

import dev.envelope.dynamodb.internal.TableReference;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves the {@code TableName} of a request, in any form DynamoDB accepts (name or table ARN), to the encryptor
 * of a configured table, or to "plaintext" for a table declared plaintext. Anything else is refused: on a client
 * configured with encrypted tables, an item operation on a table nobody declared must not store or return items
 * unencrypted by accident (for example an ARN spelling of an encrypted table, or a typo). Immutable.
 */
final class TableResolver {
  private final Map<String, ItemEncryptor> encrypted;
  private final Set<String> plaintext;

  TableResolver(Map<String, ItemEncryptor> encrypted, Set<String> plaintext) {
    this.encrypted = Map.copyOf(encrypted);
    this.plaintext = Set.copyOf(plaintext);
  }

  /**
   * The encryptor for {@code tableNameOrArn}, or empty if it names a table declared plaintext.
   *
   * @throws UnsupportedRequestException if it names neither, names a configured table in another account or
   *     region, or is not a table name or table ARN at all
   */
  Optional<ItemEncryptor> resolve(String tableNameOrArn, String operation) {
    TableReference reference = TableReference.parse(tableNameOrArn).orElseThrow(() ->
        new UnsupportedRequestException(operation + " names table '" + tableNameOrArn + "', which is neither a "
            + "table name nor a table ARN (arn:<partition>:dynamodb:<region>:<account>:table/<name>); this client "
            + "encrypts " + configured() + " and sends item requests only for tables it can resolve"));
    ItemEncryptor encryptor = encrypted.get(reference.name());
    if (encryptor != null) {
      checkArn(reference, encryptor.config(), tableNameOrArn, operation);
      return Optional.of(encryptor);
    }
    if (plaintext.contains(reference.name())) {
      return Optional.empty();
    }
    throw new UnsupportedRequestException(operation + " names table " + reference.name() + ", which this client "
        + "neither encrypts (it encrypts " + configured() + ") nor was told is plaintext. If the table's items are "
        + "meant to be stored in the clear, declare it: DynamoDbEncryptionInterceptor.builder().plaintextTable(\""
        + reference.name() + "\"); if they should be encrypted, add a TableConfig for it");
  }

  /** Whether {@code tableNameOrArn} resolves to an encrypted table (false for plaintext; throws as resolve). */
  boolean isEncrypted(String tableNameOrArn, String operation) {
    return resolve(tableNameOrArn, operation).isPresent();
  }

  Set<String> encryptedNames() {
    return encrypted.keySet();
  }

  ItemEncryptor configuredEncryptor(String tableNameOrArn) {
    return TableReference.parse(tableNameOrArn).map(r -> encrypted.get(r.name())).orElse(null);
  }

  private static void checkArn(TableReference reference, TableConfig config, String given, String operation) {
    if (!reference.isArn()) {
      return;
    }
    boolean accountDiffers = config.accountId().isPresent() && !config.accountId().equals(reference.account());
    boolean regionDiffers = config.region().isPresent() && !config.region().equals(reference.region());
    if (accountDiffers || regionDiffers) {
      throw new UnsupportedRequestException(operation + " names " + given + ", but encrypted table "
          + config.tableName() + " is configured for account " + config.accountId().orElse("(any)") + " in region "
          + config.region().orElse("(any)") + ": the ARN names another table of the same name. Configure that "
          + "table separately, or fix the ARN");
    }
  }

  private String configured() {
    return new TreeSet<>(encrypted.keySet()).toString();
  }
}
