package dev.envelope.dynamodb;

import dev.envelope.dynamodb.internal.BeaconQueries;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The interceptor's part of beacon searches: a Query's or Scan's expressions rewritten on the way out, and on the
 * way back the items of other tenants dropped unread and the false positives dropped after decryption; what the
 * response needs travels in the call's execution attributes.
 */
final class BeaconSearches {
  /** The check that drops beacon false positives from a Query's or Scan's decrypted items. */
  private static final ExecutionAttribute<Predicate<Map<String, AttributeValue>>> BEACON_MATCH =
      new ExecutionAttribute<>("dev.envelope.dynamodb.BeaconMatch");
  /** The branch key id of a multi-tenant beacon search: items of other tenants are dropped unread. */
  private static final ExecutionAttribute<String> BEACON_KEY_ID =
      new ExecutionAttribute<>("dev.envelope.dynamodb.BeaconKeyId");

  private BeaconSearches() {}

  /**
   * The request's beacon clauses rewritten to compare {@code aws_dbe_b_*} attributes with beacon values, the check
   * of its results kept for the response; null when the table has no beacons or the request names none.
   */
  static BeaconQueries.Rewritten rewrite(ItemEncryptor encryptor, String operation, String keyCondition,
      String filter, Map<String, String> names, Map<String, AttributeValue> values, Select select,
      ExecutionAttributes attributes) {
    if (!searchable(encryptor)) {
      return null;
    }
    TableConfig config = encryptor.config();
    BeaconQueries.Rewritten rewritten = BeaconQueries.rewrite(config.beacons().get(),
        name -> config.actionFor(name).orElse(null) == CryptoAction.ENCRYPT_AND_SIGN, config.tableName(),
        keyCondition, filter, names, values);
    if (rewritten != null && rewritten.matches() != null) {
      // DynamoDB counts beacon matches, false positives included; only items can be checked after decryption.
      if (select == Select.COUNT) {
        throw new UnsupportedRequestException(operation + " on encrypted table " + config.tableName() + " with "
            + "Select COUNT searches a beacon: DynamoDB would count the false positives of its truncated hashes "
            + "too. Read the items and count them");
      }
      attributes.putAttribute(BEACON_MATCH, rewritten.matches());
      if (rewritten.beaconKeyId() != null) {
        attributes.putAttribute(BEACON_KEY_ID, rewritten.beaconKeyId());
      }
    }
    return rewritten;
  }

  /** Whether the table has beacons: then {@link BeaconQueries} has checked the request's expressions. */
  static boolean searchable(ItemEncryptor encryptor) {
    return encryptor != null && encryptor.config().beacons().isPresent();
  }

  /**
   * The stored items of a multi-tenant search's tenant: those whose one data key is of its branch key, as in the
   * AWS library (another tenant's beacon may equal the searched one by chance, under another beacon key).
   */
  static List<Map<String, AttributeValue>> ofTenant(List<Map<String, AttributeValue>> items,
      ExecutionAttributes attributes) {
    String keyId = attributes.getAttribute(BEACON_KEY_ID);
    return keyId == null ? items : items.stream().filter(i -> keyId.equals(DbeItemCodec.beaconKeyIdOrNull(i)))
        .toList();
  }

  /** The decrypted items that really match the beacon clauses of their request (all of them if it had none). */
  static List<Map<String, AttributeValue>> matching(List<Map<String, AttributeValue>> items,
      ExecutionAttributes attributes) {
    Predicate<Map<String, AttributeValue>> matches = attributes.getAttribute(BEACON_MATCH);
    return matches == null ? items : items.stream().filter(matches).toList();
  }
}
