package dev.envelope.dynamodb.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An error DynamoDB answers with: its type (the part after {@code #} in {@code __type}), its message, and whether
 * it is the caller's fault (HTTP 400) or the service's (500).
 */
public final class DynamoDbError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final String SERVICE_PREFIX = "com.amazonaws.dynamodb.v20120810#";
  private static final String VALIDATION_PREFIX = "com.amazon.coral.validate#";

  private final String type;
  private final transient ObjectNode fields;

  private DynamoDbError(String type, String message) {
    this(type, message, null);
  }

  private DynamoDbError(String type, String message, ObjectNode fields) {
    super(message, null, false, false);
    this.type = type;
    this.fields = fields;
  }

  /** A condition that did not hold; {@code item} is returned only when the request asked for it (else null). */
  public static DynamoDbError conditionalCheckFailed(ObjectNode item) {
    ObjectNode fields = null;
    if (item != null) {
      fields = JsonNodeFactory.instance.objectNode();
      fields.set("Item", item);
    }
    return new DynamoDbError(SERVICE_PREFIX + "ConditionalCheckFailedException", "The conditional request failed",
        fields);
  }

  /** A transaction that did not happen, with one reason per item ({@code Code} "None" for items that were fine). */
  public static DynamoDbError transactionCanceled(ArrayNode reasons) {
    List<String> codes = new ArrayList<>();
    reasons.forEach(r -> codes.add(r.get("Code").asText()));
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    fields.set("CancellationReasons", reasons);
    return new DynamoDbError(SERVICE_PREFIX + "TransactionCanceledException", "Transaction cancelled, please refer "
        + "cancellation reasons for specific reasons " + codes, fields);
  }

  /** A write that would grow an item collection of a table with a local secondary index past its limit. */
  public static DynamoDbError itemCollectionSizeLimitExceeded(String table) {
    return new DynamoDbError(SERVICE_PREFIX + "ItemCollectionSizeLimitExceededException", "Collection size "
        + "exceeded: an item collection of table " + table + " (which has a local secondary index) would exceed its "
        + "size limit");
  }

  public static DynamoDbError limitExceeded(String message) {
    return new DynamoDbError(SERVICE_PREFIX + "LimitExceededException", message);
  }

  public static DynamoDbError duplicateItem() {
    return new DynamoDbError(SERVICE_PREFIX + "DuplicateItemException", "Duplicate primary key exists in table");
  }

  public static DynamoDbError idempotentParameterMismatch() {
    return new DynamoDbError(SERVICE_PREFIX + "IdempotentParameterMismatchException", "Request token has been used "
        + "with a different payload");
  }

  /** Fields the error body carries beside {@code __type} and {@code message}, or null. */
  public ObjectNode fields() {
    return fields;
  }

  public static DynamoDbError validation(String message) {
    return new DynamoDbError(VALIDATION_PREFIX + "ValidationException", message);
  }

  /** A parameter this emulator does not model: refused, never silently ignored. */
  public static DynamoDbError notSupported(String parameter) {
    return validation(parameter + " is not supported by this emulator yet (see the dynamodb-emulator "
        + "LIMITATIONS.md); the request was not applied");
  }

  public static DynamoDbError resourceNotFound(String message) {
    return new DynamoDbError(SERVICE_PREFIX + "ResourceNotFoundException", message);
  }

  public static DynamoDbError resourceInUse(String message) {
    return new DynamoDbError(SERVICE_PREFIX + "ResourceInUseException", message);
  }

  /** The emulator's own failure (HTTP 500), such as a data directory that cannot be written. */
  public static DynamoDbError internal(String message) {
    return new DynamoDbError(SERVICE_PREFIX + "InternalServerError", message);
  }

  public static DynamoDbError unknownOperation(String message) {
    return new DynamoDbError("com.amazon.coral.service#UnknownOperationException", message);
  }

  public static DynamoDbError serialization(String message) {
    return new DynamoDbError("com.amazon.coral.service#SerializationException", message);
  }

  /** The full {@code __type}, e.g. {@code com.amazonaws.dynamodb.v20120810#ResourceNotFoundException}. */
  public String type() {
    return type;
  }

  /** The error code the SDK maps to an exception class, e.g. {@code ResourceNotFoundException}. */
  public String code() {
    return type.substring(type.indexOf('#') + 1);
  }
}
