package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link ItemHeaderInfo}: which keys protect an item, from its header attribute alone, in both formats. */
class ItemHeaderInfoTest {
  @ParameterizedTest
  @EnumSource(ItemStorageFormat.class)
  void namesEveryWrappingKeyOfAnItemFromItsHeaderAlone(ItemStorageFormat format) {
    ItemEncryptor encryptor = ItemEncryptor.create(TestItems.config("Orders", MultiKeyring.create(
        DdbTestParts.kmsKeyring(), List.of(DdbTestParts.aesKeyring()))).format(format).build());
    Map<String, AttributeValue> stored = encryptor.encrypt(TestItems.everyType("alice", 1));
    String header = format == ItemStorageFormat.DB_ESDK ? DbeItemCodec.HEADER : ItemFormat.HEADER_ATTRIBUTE;
    ItemHeaderInfo info = ItemHeaderInfo.read(Map.of(header, stored.get(header)));
    assertEquals(Optional.of(format), info.format());
    assertEquals(List.of(DdbTestParts.keyArn(), "ddb-tests/aes-1"), info.wrappingKeyIds());
    assertEquals(64, info.messageId().length());
    assertTrue(info.suite().startsWith("0x"), info.suite());
  }

  @Test
  void plaintextAndForgedHeaders() {
    assertEquals(Optional.empty(), ItemHeaderInfo.read(Map.of("pk", AttributeValue.fromS("a"))).format());
    IllegalArgumentException forged = assertThrows(IllegalArgumentException.class, () -> ItemHeaderInfo.read(
        Map.of(DbeItemCodec.HEADER, AttributeValue.fromB(SdkBytes.fromUtf8String("not a header")))));
    assertTrue(forged.getMessage().startsWith("aws_dbe_head is not a Database Encryption SDK header"),
        forged.getMessage());
  }
}
