package dev.envelope.dynamodb;

import dev.envelope.core.keyring.WrappingKeyIds;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.dynamodb.internal.ItemHeader;
import dev.envelope.dynamodb.internal.dbe.DbeHeader;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import dev.envelope.dynamodb.internal.dbe.IntermediateKeyWrapping;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What an item's encryption says, read from its header attribute alone ({@code aws_dbe_head} or {@code env_head})
 * without any key: format, suite, message id, stored encryption context, and the wrapping keys its data key is
 * under (named as {@link WrappingKeyIds} names them). For inventories of tables: a scan may project just the header
 * attribute. Nothing here is authenticated.
 *
 * @param format empty for an item with neither header (not encrypted)
 * @param suite the suite as the trail shows it ({@code 0x6700}, {@code 0x0478}, ...), empty when not encrypted
 */
public record ItemHeaderInfo(Optional<ItemStorageFormat> format, String suite, String messageId,
    Map<String, String> encryptionContext, List<String> wrappingKeyIds) {

  /** The attributes a scan for inventories needs: the two formats' headers. */
  public static final List<String> HEADER_ATTRIBUTES = List.of(DbeItemCodec.HEADER, ItemFormat.HEADER_ATTRIBUTE);

  public ItemHeaderInfo {
    encryptionContext = Map.copyOf(encryptionContext);
    wrappingKeyIds = List.copyOf(wrappingKeyIds);
  }

  /**
   * Describes {@code item} (a whole item or one projected to {@link #HEADER_ATTRIBUTES}).
   *
   * @throws IllegalArgumentException if a header attribute is there but is not a header of its format
   */
  public static ItemHeaderInfo read(Map<String, AttributeValue> item) {
    AttributeValue dbe = item.get(DbeItemCodec.HEADER);
    if (dbe != null && dbe.b() != null) {
      DbeHeader header;
      try {
        header = DbeHeader.parse(dbe.b().asByteArray());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(DbeItemCodec.HEADER + " is not a Database Encryption SDK header: "
            + e.getMessage(), e);
      }
      // Each EDK of the DB-ESDK suites is the wrapped data key (48 bytes) before the keyring's own EDK of its
      // intermediate key, which is what names the wrapping key.
      List<String> keys = header.encryptedDataKeys().stream().map(edk -> WrappingKeyIds.of(EncryptedDataKey.of(
          edk.providerId(), edk.providerInfo(), tail(edk.ciphertext())))).distinct().toList();
      return new ItemHeaderInfo(Optional.of(ItemStorageFormat.DB_ESDK), String.format("0x%04X", header.suite().id()),
          HexFormat.of().formatHex(header.messageId()), header.storedContext(), keys);
    }
    AttributeValue own = item.get(ItemFormat.HEADER_ATTRIBUTE);
    if (own != null && own.b() != null) {
      ItemHeader header = ItemHeader.parse(own.b().asByteArray(), 0xFF);
      return new ItemHeaderInfo(Optional.of(ItemStorageFormat.ENVELOPE_V1),
          String.format("0x%04X", header.suite().id()), HexFormat.of().formatHex(header.messageId()),
          header.storedContext(), header.encryptedDataKeys().stream().map(WrappingKeyIds::of).distinct().toList());
    }
    return new ItemHeaderInfo(Optional.empty(), "", "", Map.of(), List.of());
  }

  private static byte[] tail(byte[] ciphertext) {
    int skip = IntermediateKeyWrapping.WRAPPED_DATA_KEY_LENGTH;
    return ciphertext.length > skip ? Arrays.copyOfRange(ciphertext, skip, ciphertext.length) : ciphertext;
  }
}
