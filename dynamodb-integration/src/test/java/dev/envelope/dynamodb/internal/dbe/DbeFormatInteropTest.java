package dev.envelope.dynamodb.internal.dbe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.dynamodb.CryptoAction;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Items in the DB-ESDK format, both ways with the AWS Database Encryption SDK 3.9.0's item encryptor: both suites,
 * configuration versions 1 and 2, every attribute type (numbers needing normalization, sets needing UTF-16 order,
 * nested maps and lists), names that sort differently by length, UTF-8 and UTF-16, and an unsigned attribute.
 */
class DbeFormatInteropTest {
  private static final String TABLE = "Orders";
  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 7 + 3);
    }
  }

  static List<Arguments> matrix() {
    return List.of(Arguments.of(DbeSuite.SYMMETRIC_SIGNATURE_ONLY, 1), Arguments.of(DbeSuite.ECDSA_P384, 1),
        Arguments.of(DbeSuite.SYMMETRIC_SIGNATURE_ONLY, 2), Arguments.of(DbeSuite.ECDSA_P384, 2));
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(String v) {
    return AttributeValue.fromN(v);
  }

  static Map<String, AttributeValue> item() {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", s("customer-ü-1"));
    item.put("sk", n("7.50"));
    item.put("card", s("4111-1111-1111-1111"));
    item.put("amount", n("010.50"));
    item.put("big", n("+12345678901234567890123456789012345678e-10"));
    item.put("tiny", n("1.2E-3"));
    item.put("zero", n("-0.0"));
    item.put("blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 0xFF})));
    item.put("flag", AttributeValue.fromBool(true));
    item.put("nothing", AttributeValue.fromNul(true));
    item.put("tags", AttributeValue.fromSs(List.of("zeta", "\uffff", "\uD83D\uDE00", "alpha")));
    item.put("scores", AttributeValue.fromNs(List.of("10", "9", "1e2")));
    item.put("blobs", AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[] {(byte) 0x80}),
        SdkBytes.fromByteArray(new byte[] {1, 2}))));
    item.put("address", AttributeValue.fromM(Map.of("street", s("Rue de l'Été"), "zip", n("75001"),
        "geo", AttributeValue.fromL(List.of(n("48.85"), n("2.35"), AttributeValue.fromM(Map.of()))))));
    item.put("lines", AttributeValue.fromL(List.of(s("a"), n("1"), AttributeValue.fromNul(true),
        AttributeValue.fromL(List.of()))));
    item.put("zz", s("short name, sorts before 'set'"));
    item.put("set", s("signed only"));
    item.put("ü", s("non-ASCII name"));
    item.put("\uD83D\uDE00", s("an emoji name"));
    item.put("status", s("PAID"));
    item.put("_ttl", n("1767225600"));
    return item;
  }

  static Map<String, CryptoAction> actions(int version) {
    CryptoAction key = version == 2 ? CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT : CryptoAction.SIGN_ONLY;
    Map<String, CryptoAction> actions = new HashMap<>();
    for (String name : item().keySet()) {
      actions.put(name, CryptoAction.ENCRYPT_AND_SIGN);
    }
    actions.put("pk", key);
    actions.put("sk", key);
    actions.put("set", CryptoAction.SIGN_ONLY);
    actions.put("status", version == 2 ? CryptoAction.SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT : CryptoAction.SIGN_ONLY);
    actions.remove("_ttl");
    return actions;
  }

  static DbeItemCodec oursFor(DbeSuite suite, int version) {
    return new DbeItemCodec(new DbeSchema(TABLE, "pk", "sk", actions(version), Set.of(), "_"),
        RawAesKeyring.builder().keyNamespace("ddb-tests").keyName("aes-1").wrappingKey(KEY).build(), suite);
  }

  static DynamoDbItemEncryptor theirsFor(DbeSuite suite, int version) {
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build();
    IKeyring keyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ddb-tests")
        .keyName("aes-1").wrappingKey(ByteBuffer.wrap(KEY)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
        .build());
    Map<String, software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction> actions =
        new HashMap<>();
    actions(version).forEach((name, action) -> actions.put(name,
        software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction.valueOf(action.name())));
    return DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(actions)
        .allowedUnsignedAttributePrefix("_").keyring(keyring)
        .algorithmSuiteId(suite == DbeSuite.ECDSA_P384
            ? DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384
            : DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384)
        .build()).build();
  }

  /** Each attribute as its canonical bytes: numbers normalized, sets ordered, as both libraries return them. */
  private static Map<String, String> canonical(Map<String, AttributeValue> item) {
    Map<String, String> out = new TreeMap<>();
    item.forEach((name, value) -> out.put(name, DbeAttributes.typeId(value) + ":"
        + java.util.HexFormat.of().formatHex(DbeAttributes.serialize(value))));
    return out;
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void theirItemsDecryptHere(DbeSuite suite, int version) {
    Map<String, AttributeValue> stored = theirsFor(suite, version).EncryptItem(EncryptItemInput.builder()
        .plaintextItem(item()).build()).encryptedItem();
    assertEquals(version, stored.get("aws_dbe_head").b().asByteArrayUnsafe()[0]);
    DbeItemCodec.Decrypted decrypted = oursFor(suite, version).decrypt(stored);
    assertEquals(canonical(item()), canonical(decrypted.item()));
    assertEquals(suite, decrypted.suite());
  }

  @org.junit.jupiter.api.Test
  void signaturesAreAlways103BytesAndHighSIsAcceptedBothWays() {
    DbeItemCodec ours = oursFor(DbeSuite.ECDSA_P384, 1);
    DynamoDbItemEncryptor theirs = theirsFor(DbeSuite.ECDSA_P384, 1);
    Map<String, AttributeValue> small = Map.of("pk", s("p"), "sk", n("1"), "card", s("4111"));
    for (int i = 0; i < 60; i++) {
      Map<String, AttributeValue> fromUs = ours.encrypt(small).item();
      assertEquals(DbeFooter.TAG_LENGTH + DbeFooter.SIGNATURE_LENGTH,
          fromUs.get("aws_dbe_foot").b().asByteArrayUnsafe().length);
      assertEquals(canonical(small), canonical(theirs.DecryptItem(DecryptItemInput.builder().encryptedItem(fromUs)
          .build()).plaintextItem()));
      // About half of theirs carry a high s (they negate s to reach 103 bytes): verified here all the same.
      Map<String, AttributeValue> fromThem = theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(small)
          .build()).encryptedItem();
      assertEquals(canonical(small), canonical(ours.decrypt(fromThem).item()));
    }
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void ourItemsDecryptThere(DbeSuite suite, int version) {
    DbeItemCodec.Encrypted encrypted = oursFor(suite, version).encrypt(item());
    Map<String, AttributeValue> plaintext = theirsFor(suite, version).DecryptItem(DecryptItemInput.builder()
        .encryptedItem(encrypted.item()).build()).plaintextItem();
    assertEquals(canonical(item()), canonical(plaintext));
    Map<String, AttributeValue> theirStored = theirsFor(suite, version).EncryptItem(EncryptItemInput.builder()
        .plaintextItem(item()).build()).encryptedItem();
    assertEquals(theirStored.keySet(), encrypted.item().keySet());
    for (String name : theirStored.keySet()) {
      assertEquals(theirStored.get(name).b() == null ? -1 : theirStored.get(name).b().asByteArrayUnsafe().length,
          encrypted.item().get(name).b() == null ? -1 : encrypted.item().get(name).b().asByteArrayUnsafe().length,
          name + ": the same stored size as theirs");
    }
    assertArrayEquals(new byte[] {(byte) version, (byte) suite.flavor()},
        java.util.Arrays.copyOf(encrypted.item().get("aws_dbe_head").b().asByteArrayUnsafe(), 2));
  }
}
