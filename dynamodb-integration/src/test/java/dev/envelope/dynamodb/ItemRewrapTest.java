package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.dynamodb.internal.dbe.DbeHeader;
import dev.envelope.dynamodb.internal.dbe.DbeItemCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * {@link ItemEncryptor#rewrap}: a DB-ESDK item gets a new header and footer under other wrapping keys, every other
 * attribute byte for byte as it was, and the AWS Database Encryption SDK 3.9.0 reads it with the new key alone
 * (also when it wrote the item); an item changed anywhere is refused before anything is wrapped.
 */
class ItemRewrapTest {
  private static final String TABLE = "Orders";
  private static final byte[] OLD_KEY = key(1);
  private static final byte[] NEW_KEY = key(2);
  private static final byte[] OTHER_KEY = key(3);

  /** The two suites of the format: 0x6700 (recipient tags only) and 0x6701 (also an ECDSA signature). */
  enum Suite {
    SYMMETRIC(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384),
    ECDSA(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384);

    final AlgorithmSuite ours;
    final DBEAlgorithmSuiteId theirs;

    Suite(AlgorithmSuite ours, DBEAlgorithmSuiteId theirs) {
      this.ours = ours;
      this.theirs = theirs;
    }
  }

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  private static RawAesKeyring aes(String name, byte[] key) {
    return RawAesKeyring.builder().keyNamespace("ddb-tests").keyName(name).wrappingKey(key).build();
  }

  private static ItemEncryptor ours(Suite suite, Keyring keyring, InMemoryAuditSink audit) {
    TableConfig.Builder config = TestItems.config(TABLE, keyring).format(ItemStorageFormat.DB_ESDK)
        .suite(suite.ours);
    return ItemEncryptor.create((audit == null ? config : config.auditSink(audit)).build());
  }

  private static DynamoDbItemEncryptor theirs(Suite suite, String name, byte[] key) {
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build();
    IKeyring keyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ddb-tests")
        .keyName(name).wrappingKey(ByteBuffer.wrap(key)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
        .build());
    Map<String, CryptoAction> actions = new HashMap<>();
    TestItems.config(TABLE, aes(name, key)).build().attributeActions().forEach((attribute, action) ->
        actions.put(attribute, CryptoAction.valueOf(action.name())));
    return DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(actions)
        .allowedUnsignedAttributePrefix("_").keyring(keyring).algorithmSuiteId(suite.theirs).build()).build();
  }

  private static Map<String, AttributeValue> theirsDecrypt(DynamoDbItemEncryptor encryptor,
      Map<String, AttributeValue> item) {
    return TestItems.normalized(encryptor.DecryptItem(DecryptItemInput.builder().encryptedItem(item).build())
        .plaintextItem());
  }

  /** Every attribute but the header and footer, as stored. */
  private static Map<String, AttributeValue> body(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>(item);
    out.remove(DbeItemCodec.HEADER);
    out.remove(DbeItemCodec.FOOTER);
    return out;
  }

  private static byte[] bytes(Map<String, AttributeValue> item, String name) {
    return item.get(name).b().asByteArray();
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void ourItemMovesToTheNewKeyAndTheAwsLibraryReadsItWithThatKeyAlone(Suite suite) {
    Map<String, AttributeValue> plain = TestItems.everyType("alice", 1);
    Map<String, AttributeValue> stored = ours(suite, aes("old", OLD_KEY), null).encrypt(plain);
    InMemoryAuditSink audit = new InMemoryAuditSink();

    Map<String, AttributeValue> rewrapped = ours(suite, aes("new", NEW_KEY), audit).rewrap(stored,
        aes("old", OLD_KEY));

    assertEquals(body(stored), body(rewrapped), "no attribute but the header and footer changes");
    DbeHeader before = DbeHeader.parse(bytes(stored, DbeItemCodec.HEADER));
    DbeHeader after = DbeHeader.parse(bytes(rewrapped, DbeItemCodec.HEADER));
    assertArrayEquals(before.messageId(), after.messageId());
    assertArrayEquals(before.legend(), after.legend());
    assertEquals(before.suite(), after.suite());
    assertEquals("new", new String(after.encryptedDataKeys().get(0).providerInfo(), 0, 3, StandardCharsets.UTF_8));
    assertEquals(1, after.encryptedDataKeys().size());
    assertEquals(TestItems.normalized(plain), TestItems.normalized(ours(suite, aes("new", NEW_KEY), null)
        .decrypt(rewrapped)));
    assertEquals(TestItems.normalized(plain), theirsDecrypt(theirs(suite, "new", NEW_KEY), rewrapped));
    assertThrows(NoKeyringCouldDecryptException.class, () -> ours(suite, aes("old", OLD_KEY), null)
        .decrypt(rewrapped), "the old key no longer opens it");
    assertThrows(RuntimeException.class, () -> theirsDecrypt(theirs(suite, "old", OLD_KEY), rewrapped));

    List<AuditEvent> events = audit.events();
    assertEquals(1, events.size());
    assertEquals(AuditEvent.Operation.REWRAP, events.get(0).operation());
    assertEquals(AuditEvent.Outcome.SUCCESS, events.get(0).outcome());
    assertEquals(2, events.get(0).wrappingKeyIds().size(), events.get(0).wrappingKeyIds().toString());
    assertTrue(events.get(0).wrappingKeyIds().get(0).contains("old"), events.get(0).wrappingKeyIds().toString());
    assertTrue(events.get(0).wrappingKeyIds().get(1).contains("new"), events.get(0).wrappingKeyIds().toString());
    assertTrue(events.get(0).resource().orElseThrow().startsWith("dynamodb://Orders/pk=sha256:"));
    assertFalse(events.get(0).toString().contains(TestItems.SECRET), "no plaintext in the audit event");
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void anItemTheAwsLibraryWroteMovesAndBothLibrariesReadItWithTheNewKey(Suite suite) {
    Map<String, AttributeValue> plain = TestItems.everyType("bob", 2);
    Map<String, AttributeValue> stored = theirs(suite, "old", OLD_KEY).EncryptItem(EncryptItemInput.builder()
        .plaintextItem(plain).build()).encryptedItem();

    Map<String, AttributeValue> rewrapped = ours(suite, MultiKeyring.ofChildren(List.of(aes("new", NEW_KEY),
        aes("other", OTHER_KEY))), null).rewrap(stored, aes("old", OLD_KEY));

    assertEquals(body(stored), body(rewrapped));
    assertEquals(2, DbeHeader.parse(bytes(rewrapped, DbeItemCodec.HEADER)).encryptedDataKeys().size());
    assertEquals(TestItems.normalized(plain), theirsDecrypt(theirs(suite, "new", NEW_KEY), rewrapped));
    assertEquals(TestItems.normalized(plain), theirsDecrypt(theirs(suite, "other", OTHER_KEY), rewrapped),
        "each new key reads it alone: its own recipient tag");
    assertEquals(TestItems.normalized(plain), TestItems.normalized(ours(suite, aes("other", OTHER_KEY), null)
        .decrypt(rewrapped)));
  }

  @Test
  void aSignedItemGetsANewSigningKeyBoundToTheNewDataKeys() {
    Map<String, AttributeValue> stored = ours(Suite.ECDSA, aes("old", OLD_KEY), null)
        .encrypt(TestItems.everyType("carol", 3));
    Map<String, AttributeValue> rewrapped = ours(Suite.ECDSA, aes("new", NEW_KEY), null).rewrap(stored,
        aes("old", OLD_KEY));
    String publicKey = "aws-crypto-public-key";
    String oldPublic = DbeHeader.parse(bytes(stored, DbeItemCodec.HEADER)).storedContext().get(publicKey);
    String newPublic = DbeHeader.parse(bytes(rewrapped, DbeItemCodec.HEADER)).storedContext().get(publicKey);
    assertNotEquals(oldPublic, newPublic);

    // The old footer (signed with the old key) on the new header: the recipient tag no longer matches.
    Map<String, AttributeValue> mixed = new LinkedHashMap<>(rewrapped);
    mixed.put(DbeItemCodec.FOOTER, stored.get(DbeItemCodec.FOOTER));
    assertThrows(AuthenticationFailedException.class, () -> ours(Suite.ECDSA, aes("new", NEW_KEY), null)
        .decrypt(mixed));
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void anItemChangedAnywhereIsRefusedAndNothingIsWrapped(Suite suite) {
    Map<String, AttributeValue> stored = ours(suite, aes("old", OLD_KEY), null)
        .encrypt(TestItems.everyType("dave", 4));
    InMemoryAuditSink audit = new InMemoryAuditSink();
    ItemEncryptor target = ours(suite, aes("new", NEW_KEY), audit);
    Keyring old = aes("old", OLD_KEY);

    Map<String, AttributeValue> signOnly = new LinkedHashMap<>(stored);
    signOnly.put("status", AttributeValue.fromS("REFUNDED"));
    assertTrue(message(AuthenticationFailedException.class, () -> target.rewrap(signOnly, old))
        .contains("recipient tag does not match"));

    Map<String, AttributeValue> encrypted = new LinkedHashMap<>(stored);
    byte[] card = bytes(stored, "card");
    card[card.length - 1] ^= 1;
    encrypted.put("card", AttributeValue.fromB(SdkBytes.fromByteArray(card)));
    assertThrows(AuthenticationFailedException.class, () -> target.rewrap(encrypted, old));

    Map<String, AttributeValue> header = new LinkedHashMap<>(stored);
    byte[] head = bytes(stored, DbeItemCodec.HEADER);
    head[2] ^= 1; // the message id
    header.put(DbeItemCodec.HEADER, AttributeValue.fromB(SdkBytes.fromByteArray(head)));
    assertTrue(message(AuthenticationFailedException.class, () -> target.rewrap(header, old))
        .contains("header commitment does not match"));

    Map<String, AttributeValue> footer = new LinkedHashMap<>(stored);
    byte[] foot = bytes(stored, DbeItemCodec.FOOTER);
    foot[foot.length - 1] ^= 1;
    footer.put(DbeItemCodec.FOOTER, AttributeValue.fromB(SdkBytes.fromByteArray(foot)));
    assertThrows(AuthenticationFailedException.class, () -> target.rewrap(footer, old));

    Map<String, AttributeValue> moved = new LinkedHashMap<>(stored);
    moved.put("sk", AttributeValue.fromN("5")); // the key is in the encryption context
    assertThrows(NoKeyringCouldDecryptException.class, () -> target.rewrap(moved, old));

    assertThrows(NoKeyringCouldDecryptException.class, () -> target.rewrap(stored, aes("other", OTHER_KEY)),
        "a key that did not wrap it");

    Map<String, AttributeValue> truncated = new LinkedHashMap<>(stored);
    truncated.put(DbeItemCodec.HEADER, AttributeValue.fromB(SdkBytes.fromByteArray(Arrays.copyOf(
        bytes(stored, DbeItemCodec.HEADER), 40))));
    assertThrows(MalformedMessageException.class, () -> target.rewrap(truncated, old));

    assertEquals(7, audit.events().size());
    audit.events().forEach(e -> {
      assertEquals(AuditEvent.Outcome.FAILURE, e.outcome());
      assertEquals(AuditEvent.Operation.REWRAP, e.operation());
    });
  }

  @Test
  void onlyDbEsdkItemsAreRewrapped() {
    Map<String, AttributeValue> v1 = ItemEncryptor.create(TestItems.config(TABLE, aes("old", OLD_KEY)).build())
        .encrypt(TestItems.everyType("erin", 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ours(Suite.SYMMETRIC, aes("new", NEW_KEY), null).rewrap(v1, aes("old", OLD_KEY)));
    assertTrue(e.getMessage().contains("not in the DB-ESDK format"), e.getMessage());
    assertTrue(e.getMessage().contains("dynamodb://Orders/pk=sha256:"), e.getMessage());
  }

  private static String message(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable call) {
    return assertThrows(type, call).getMessage();
  }
}
