package dev.envelope.dynamodb.enhanced;

import dev.envelope.dynamodb.CryptoAction;
import java.util.Map;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTag;

/**
 * Turns the action annotations into table metadata the extension reads, and gives users of
 * {@code StaticTableSchema} the same tags: {@code .tags(ActionTags.signOnly())}.
 */
public final class ActionTags {
  /** Custom metadata key: a map from attribute name to {@link CryptoAction}. */
  static final String METADATA_KEY = "dev.envelope.dynamodb:actions";

  private ActionTags() {}

  public static StaticAttributeTag signOnly() {
    return tag(CryptoAction.SIGN_ONLY);
  }

  public static StaticAttributeTag doNothing() {
    return tag(CryptoAction.DO_NOTHING);
  }

  public static StaticAttributeTag encryptAndSign() {
    return tag(CryptoAction.ENCRYPT_AND_SIGN);
  }

  // Called reflectively by the bean table schema, one method per annotation type.
  public static StaticAttributeTag attributeTagFor(SignOnly annotation) {
    return signOnly();
  }

  public static StaticAttributeTag attributeTagFor(DoNothing annotation) {
    return doNothing();
  }

  public static StaticAttributeTag attributeTagFor(EncryptAndSign annotation) {
    return encryptAndSign();
  }

  private static StaticAttributeTag tag(CryptoAction action) {
    return (attributeName, type) -> metadata -> metadata.addCustomMetadataObject(METADATA_KEY,
        Map.<Object, Object>of(attributeName, action));
  }
}
