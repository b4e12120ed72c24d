package dev.envelope.dynamodb;

import dev.envelope.dynamodb.internal.ExpressionNames;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.ClientType;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The requests {@link DynamoDbEncryptionInterceptor} refuses before anything is sent, each with the reason and the
 * fix: clients it cannot serve, projections and conditions on encrypted attributes, writes of the DB-ESDK's own
 * attribute names, PartiQL on encrypted tables. Stateless.
 */
final class RequestChecks {
  private RequestChecks() {}

  /**
   * The AWS library's guards: this interceptor only understands DynamoDB's requests, and only a synchronous client
   * may run it, since decrypting a response can call KMS and the key store, which would block an asynchronous
   * client's event loop.
   */
  static void client(ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    if (!"DynamoDb".equals(service)) {
      throw new UnsupportedRequestException("DynamoDbEncryptionInterceptor does not support use with services other "
          + "than DynamoDb (this client is " + service + "): add it to a DynamoDbClient only");
    }
    if (attributes.getAttribute(SdkExecutionAttribute.CLIENT_TYPE) != ClientType.SYNC) {
      throw new UnsupportedRequestException("DynamoDbEncryptionInterceptor does not support use with the Async "
          + "client: decrypting a response may call KMS, which would block its event loop. Use a DynamoDbClient, "
          + "or ItemEncryptor on the items of an async client's responses off the event loop");
    }
  }

  /** Refuses projections on an encrypted table ({@code encryptor} null for a plaintext one). */
  static void projection(ItemEncryptor encryptor, String projection, boolean attributesToGet, Select select) {
    if (encryptor != null && (projection != null || attributesToGet || select == Select.SPECIFIC_ATTRIBUTES)) {
      throw new UnsupportedRequestException("Projection on encrypted table " + encryptor.config().tableName()
          + ": the item signature covers every signed attribute and the header, so a partial item cannot be "
          + "verified. Read whole items (no ProjectionExpression or AttributesToGet), or Select COUNT");
    }
  }

  /** Refuses a condition or filter naming an encrypted attribute, where DynamoDB would compare ciphertext. */
  static void condition(ItemEncryptor encryptor, String expression, Map<String, String> names, String what) {
    if (encryptor == null || expression == null) {
      return;
    }
    names(encryptor, ExpressionNames.referenced(expression, names), what);
  }

  static void legacyConditions(ItemEncryptor encryptor, Collection<String> names) {
    if (encryptor != null) {
      names(encryptor, names, "Legacy condition parameter");
    }
  }

  private static void names(ItemEncryptor encryptor, Collection<String> referenced, String what) {
    for (String name : referenced) {
      if (encryptor.config().actionFor(name).orElse(null) == CryptoAction.ENCRYPT_AND_SIGN
          || ItemFormat.isReserved(name)) {
        throw new UnsupportedRequestException(what + " on encrypted table " + encryptor.config().tableName()
            + " refers to '" + name + "', which is ENCRYPT_AND_SIGN: DynamoDB would compare ciphertext, never your "
            + "value. Filter after reading, or make the attribute SIGN_ONLY if its value may be stored in the clear");
      }
    }
  }

  /**
   * {@code item}, if it names none of the attributes the DB-ESDK format keeps for itself ({@code aws_dbe_*}:
   * header, footer, beacons), which the AWS library also refuses to write: a caller's value there would be silently
   * replaced, or would corrupt a beacon.
   */
  static Map<String, AttributeValue> writable(ItemEncryptor encryptor, Map<String, AttributeValue> item,
      String operation) {
    for (String name : item.keySet()) {
      if (name.startsWith(DbeItemCodec.RESERVED_PREFIX)) {
        throw new UnsupportedRequestException(operation + " on encrypted table " + encryptor.config().tableName()
            + " writes attribute '" + name + "', a name the DB-ESDK format keeps for its own attributes (header, "
            + "footer, beacons): rename the attribute");
      }
    }
    return item;
  }

  /**
   * PartiQL bypasses item encryption, so a statement may only name tables declared plaintext. Fails closed: a
   * statement that mentions an encrypted table's name anywhere, or whose tables cannot be found, is refused.
   */
  static void statement(TableResolver tables, String statement) {
    for (String table : tables.encryptedNames()) {
      if (statement != null && statement.contains(table)) {
        throw new UnsupportedRequestException("PartiQL statement names encrypted table " + table + ": statements "
            + "bypass item encryption. Use PutItem, GetItem, Query, Scan, or the batch and transaction calls");
      }
    }
    Set<String> named = PartiqlTables.named(statement);
    if (named.isEmpty()) {
      throw new UnsupportedRequestException("PartiQL statement names no table this client can find; on a client "
          + "with encrypted tables " + tables.encryptedNames() + ", statements may only address tables declared "
          + "plaintext");
    }
    for (String table : named) {
      if (tables.isEncrypted(table, "PartiQL statement")) {
        throw new UnsupportedRequestException("PartiQL statement names encrypted table " + table + ": statements "
            + "bypass item encryption. Use PutItem, GetItem, Query, Scan, or the batch and transaction calls");
      }
    }
  }
}
