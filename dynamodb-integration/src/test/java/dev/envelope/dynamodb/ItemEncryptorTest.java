package dev.envelope.dynamodb;

import static dev.envelope.dynamodb.TestItems.n;
import static dev.envelope.dynamodb.TestItems.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSinkException;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.keyring.RawAesKeyring;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The item format without any client: round trips, every tampering case with its error, audit events. */
class ItemEncryptorTest {
  private static final String TABLE = "Orders";
  private final ItemEncryptor encryptor = ItemEncryptor.create(TestItems.config(TABLE,
      DdbTestParts.aesKeyring()).build());

  @ParameterizedTest
  @EnumSource(value = AlgorithmSuite.class, names = {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
      "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"})
  void everyTypeRoundTripsAndIsStoredEncrypted(AlgorithmSuite suite) {
    ItemEncryptor e = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .suite(suite).build());
    Map<String, AttributeValue> item = TestItems.everyType("alice", 1);
    Map<String, AttributeValue> stored = e.encrypt(item);

    for (String name : List.of("card", "amount", "blob", "flag", "nothing", "lines", "address", "tags", "scores",
        "blobs")) {
      assertEquals(AttributeValue.Type.B, stored.get(name).type(), name + " is stored as Binary");
    }
    assertEquals(item.get("pk"), stored.get("pk"));
    assertEquals(item.get("sk"), stored.get("sk"));
    assertEquals(item.get("status"), stored.get("status"));
    assertEquals(item.get("_ttl"), stored.get("_ttl"));
    assertEquals(item.size() + 2, stored.size());
    assertFalse(stored.toString().contains(TestItems.SECRET), "no plaintext of encrypted attributes");
    assertFalse(new String(stored.get("blob").b().asByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(TestItems.SECRET));

    assertEquals(TestItems.normalized(item), e.decrypt(stored));
  }

  @Test
  void emptyAndNestedValuesRoundTrip() {
    Map<String, AttributeValue> item = new HashMap<>(Map.of("pk", s("p"), "sk", n("0"),
        "card", s(""), "lines", AttributeValue.fromL(List.of()), "address", AttributeValue.fromM(Map.of()),
        "blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[0]))));
    assertEquals(item, encryptor.decrypt(encryptor.encrypt(item)));
  }

  @Test
  void numbersAreNormalizedAsDynamoDbStoresThem() {
    Map<String, AttributeValue> item = Map.of("pk", s("p"), "sk", n("007"), "amount", n("1.50E2"),
        "status", s("x"));
    Map<String, AttributeValue> out = encryptor.decrypt(encryptor.encrypt(item));
    assertEquals("150", out.get("amount").n());
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> encryptor.encrypt(
        Map.of("pk", s("p"), "sk", n("1"), "amount", n("12abc"))));
    assertEquals("Attribute 'amount': N value is not a number", e.getMessage());
  }

  @Test
  void itemMovedToAnotherKeyFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.put("pk", s("mallory"));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().contains("was encrypted for another table or primary key: it was moved or copied "
        + "there without being re-encrypted"), e.getMessage());
    assertTrue(e.getMessage().startsWith("Item dynamodb://Orders/pk=sha256:"), e.getMessage());
    assertFalse(e.getMessage().contains("mallory"), "key values are hashed in messages");

    Map<String, AttributeValue> otherSortKey = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    otherSortKey.put("sk", n("2"));
    assertThrows(AuthenticationFailedException.class, () -> encryptor.decrypt(otherSortKey));
  }

  @Test
  void itemCopiedToAnotherTableFails() {
    Map<String, AttributeValue> stored = encryptor.encrypt(TestItems.everyType("alice", 1));
    ItemEncryptor other = ItemEncryptor.create(TestItems.config("Invoices", DdbTestParts.aesKeyring()).build());
    // The table name is in the encryption context, which the keyring binds: unwrapping already fails.
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> other.decrypt(stored));
    assertEquals("No keyring could decrypt the data key; tried ddb-tests/aes-1: AES-GCM unwrap failed: wrong "
        + "wrapping key, or a different encryption context than the data key was wrapped with", e.getMessage());
  }

  @Test
  void attributeCopiedFromAnotherItemFails() {
    Map<String, AttributeValue> alice = encryptor.encrypt(TestItems.everyType("alice", 1));
    Map<String, AttributeValue> bob = new HashMap<>(encryptor.encrypt(TestItems.everyType("bob", 1)));
    bob.put("card", alice.get("card"));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(bob));
    assertTrue(e.getMessage().endsWith("attribute 'card' does not authenticate; it was modified, or copied from "
        + "another item"), e.getMessage());
  }

  @Test
  void encryptedAttributesSwappedWithinAnItemFail() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    AttributeValue card = stored.get("card");
    stored.put("card", stored.get("blob"));
    stored.put("blob", card);
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("attribute 'blob' does not authenticate; it was modified, or copied from "
        + "another item"), e.getMessage());
  }

  @Test
  void modifiedCiphertextFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    byte[] tags = stored.get("tags").b().asByteArray();
    tags[3] ^= 1;
    stored.put("tags", AttributeValue.fromB(SdkBytes.fromByteArray(tags)));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("attribute 'tags' does not authenticate; it was modified, or copied from "
        + "another item"), e.getMessage());

    stored.put("tags", AttributeValue.fromB(SdkBytes.fromByteArray(java.util.Arrays.copyOf(tags, 5))));
    e = assertThrows(AuthenticationFailedException.class, () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("attribute 'tags' does not authenticate; it was modified, or copied from "
        + "another item"), e.getMessage());
  }

  @Test
  void modifiedSignOnlyAttributeFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.put("status", s("REFUNDED"));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("the signature over its signed attributes does not match; a SIGN_ONLY "
        + "attribute [pk, sk, status] was modified, or attribute values were swapped"), e.getMessage());
  }

  @Test
  void removedSignedAttributeFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.remove("card");
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().contains("was written with 13 signed attributes and now has 12 ["), e.getMessage());
    assertTrue(e.getMessage().contains("a signed attribute was removed after encryption"), e.getMessage());
  }

  @Test
  void addedSignedAttributeFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.remove("status");
    ItemEncryptor withStatus = encryptor;
    Map<String, AttributeValue> withoutStatus = new HashMap<>(TestItems.everyType("alice", 1));
    withoutStatus.remove("status");
    Map<String, AttributeValue> written = new HashMap<>(withStatus.encrypt(withoutStatus));
    written.put("status", s("PAID"));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(written));
    assertTrue(e.getMessage().contains("was written with 12 signed attributes and now has 13"), e.getMessage());
    assertTrue(e.getMessage().contains("a signed attribute was added after encryption"), e.getMessage());
  }

  @Test
  void unknownAttributeAddedAfterEncryptionFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.put("injected", s("x"));
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> encryptor.decrypt(stored));
    assertEquals("Table Orders: attribute 'injected' has no action configured, and the table has no default "
        + "action. Give it one with attributeAction(\"injected\", ...), or it was added to the item after "
        + "encryption; a default action or an unsigned prefix also covers it", e.getMessage());
  }

  @Test
  void doNothingAttributesMayChange() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.put("_ttl", n("1"));
    stored.put("_counter", n("5"));
    Map<String, AttributeValue> out = encryptor.decrypt(stored);
    assertEquals(n("1"), out.get("_ttl"));
    assertEquals(n("5"), out.get("_counter"));
  }

  @Test
  void encryptedAttributeReplacedByPlaintextFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.put("card", s("0000-0000"));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("attribute 'card' was encrypted when written but now holds a plaintext S "
        + "value"), e.getMessage());
  }

  @Test
  void alteredHeaderFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    byte[] header = stored.get(ItemFormat.HEADER_ATTRIBUTE).b().asByteArray();
    header[header.length - 1] ^= 1; // last byte of the key commitment
    stored.put(ItemFormat.HEADER_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArray(header)));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("the key commitment does not match; the header was altered, or its data "
        + "key is not the one the item was written with"), e.getMessage());

    header[5] ^= 1; // inside the message id: the derived keys change, so does the commitment
    header[header.length - 1] ^= 1;
    stored.put(ItemFormat.HEADER_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArray(header)));
    assertThrows(AuthenticationFailedException.class, () -> encryptor.decrypt(stored));
  }

  @Test
  void truncatedOrGarbledHeaderIsMalformed() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    byte[] header = stored.get(ItemFormat.HEADER_ATTRIBUTE).b().asByteArray();
    stored.put(ItemFormat.HEADER_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArray(
        java.util.Arrays.copyOf(header, 40))));
    MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().contains(": header is truncated ("), e.getMessage());

    header[0] = 9;
    stored.put(ItemFormat.HEADER_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArray(header)));
    e = assertThrows(MalformedMessageException.class, () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("header version 9 is not supported (this library reads version 1)"),
        e.getMessage());
  }

  @Test
  void missingSignatureOrHeaderFails() {
    Map<String, AttributeValue> stored = new HashMap<>(encryptor.encrypt(TestItems.everyType("alice", 1)));
    stored.remove(ItemFormat.SIGNATURE_ATTRIBUTE);
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> encryptor.decrypt(stored));
    assertTrue(e.getMessage().endsWith("env_sig is missing; the item was altered after it was written"),
        e.getMessage());
  }

  @Test
  void plaintextItemIsRefusedUnlessAllowed() {
    Map<String, AttributeValue> plain = TestItems.everyType("alice", 1);
    NotEncryptedItemException e = assertThrows(NotEncryptedItemException.class, () -> encryptor.decrypt(plain));
    assertTrue(e.getMessage().contains("has no encryption header (neither aws_dbe_head nor env_head): it was not "
        + "written by an encrypting client"), e.getMessage());
    ItemEncryptor migrating = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .allowPlaintextReads(true).build());
    assertEquals(plain, migrating.decrypt(plain));
  }

  @Test
  void wrongKeyringNamesTheKeysTried() {
    Map<String, AttributeValue> stored = encryptor.encrypt(TestItems.everyType("alice", 1));
    RawAesKeyring other = RawAesKeyring.builder().keyNamespace("ddb-tests").keyName("aes-2")
        .wrappingKey(new byte[32]).build();
    ItemEncryptor wrong = ItemEncryptor.create(TestItems.config(TABLE, other).build());
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> wrong.decrypt(stored));
    assertTrue(e.getMessage().contains("ddb-tests/aes-2"), e.getMessage());
  }

  @Test
  void wrongEncryptionContextFails() {
    ItemEncryptor tenantA = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .encryptionContext(Map.of("tenant", "a")).build());
    ItemEncryptor tenantB = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .encryptionContext(Map.of("tenant", "b")).build());
    Map<String, AttributeValue> stored = tenantA.encrypt(TestItems.everyType("alice", 1));
    assertEquals(TestItems.normalized(TestItems.everyType("alice", 1)), tenantA.decrypt(stored));
    RuntimeException e = assertThrows(RuntimeException.class, () -> tenantB.decrypt(stored));
    assertTrue(e instanceof NoKeyringCouldDecryptException || e instanceof EncryptionContextMismatchException,
        e.toString());
  }

  @Test
  void writesNeedAnActionForEveryAttribute() {
    Map<String, AttributeValue> item = new HashMap<>(TestItems.everyType("alice", 1));
    item.put("notes", s("hello"));
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> encryptor.encrypt(item));
    assertEquals("Table Orders: attribute 'notes' has no action configured, and the table has no default action. "
        + "Give it one with attributeAction(\"notes\", ...); a default action or an unsigned prefix also covers it",
        e.getMessage());
    ItemEncryptor lenient = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .defaultAction(CryptoAction.ENCRYPT_AND_SIGN).build());
    Map<String, AttributeValue> stored = lenient.encrypt(item);
    assertEquals(AttributeValue.Type.B, stored.get("notes").type());
    assertEquals(s("hello"), lenient.decrypt(stored).get("notes"));
  }

  @Test
  void reservedNamesAndMissingKeysAreRefused() {
    Map<String, AttributeValue> item = new HashMap<>(TestItems.everyType("alice", 1));
    item.put(ItemFormat.HEADER_ATTRIBUTE, s("x"));
    assertEquals("Table Orders: attribute name 'env_head' is reserved for the item header and signature; rename "
        + "the attribute", assertThrows(PolicyViolationException.class, () -> encryptor.encrypt(item)).getMessage());
    Map<String, AttributeValue> noSortKey = new HashMap<>(TestItems.everyType("alice", 1));
    noSortKey.remove("sk");
    assertEquals("Item of table Orders lacks key attribute 'sk'; encrypted items are bound to their key, so reads "
        + "must return the key attributes", assertThrows(PolicyViolationException.class,
            () -> encryptor.encrypt(noSortKey)).getMessage());
  }

  @Test
  void keyAttributesCannotBeEncrypted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableConfig.builder()
        .tableName(TABLE).partitionKeyName("pk").attributeAction("pk", CryptoAction.ENCRYPT_AND_SIGN)
        .keyring(DdbTestParts.aesKeyring()).build());
    assertEquals("Table Orders: key attribute 'pk' cannot be ENCRYPT_AND_SIGN (DynamoDB must read keys in the clear "
        + "to find the item); key attributes are always SIGN_ONLY", e.getMessage());
  }

  @Test
  void itemsWrittenBeforeAnActionChangeStillRead() {
    Map<String, AttributeValue> stored = encryptor.encrypt(TestItems.everyType("alice", 1));
    ItemEncryptor changed = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .attributeAction("card", CryptoAction.SIGN_ONLY).attributeAction("status", CryptoAction.ENCRYPT_AND_SIGN)
        .build());
    assertEquals(TestItems.normalized(TestItems.everyType("alice", 1)), changed.decrypt(stored));
  }

  @Test
  void ecdsaSignatureIsChecked() {
    ItemEncryptor signed = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).build());
    Map<String, AttributeValue> stored = new HashMap<>(signed.encrypt(TestItems.everyType("alice", 1)));
    byte[] sig = stored.get(ItemFormat.SIGNATURE_ATTRIBUTE).b().asByteArray();
    sig[sig.length - 1] ^= 1;
    stored.put(ItemFormat.SIGNATURE_ATTRIBUTE, AttributeValue.fromB(SdkBytes.fromByteArray(sig)));
    AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
        () -> signed.decrypt(stored));
    assertTrue(e.getMessage().endsWith("the ECDSA signature does not verify; the item was altered by someone "
        + "holding its data key but not its signing key"), e.getMessage());
  }

  @Test
  void oneAuditEventPerItemWithHashedKeysAndNoPlaintext() {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    ItemEncryptor audited = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .auditSink(sink).build());
    Map<String, AttributeValue> stored = audited.encrypt(TestItems.everyType("alice", 1));
    audited.decrypt(stored);
    Map<String, AttributeValue> tampered = new HashMap<>(stored);
    tampered.put("status", s("x"));
    assertThrows(AuthenticationFailedException.class, () -> audited.decrypt(tampered));

    List<AuditEvent> events = sink.events();
    assertEquals(3, events.size());
    assertEquals(AuditEvent.Operation.ENCRYPT, events.get(0).operation());
    assertEquals(AuditEvent.Operation.DECRYPT, events.get(1).operation());
    assertEquals(AuditEvent.Outcome.FAILURE, events.get(2).outcome());
    assertEquals("AuthenticationFailedException", events.get(2).errorClass().orElseThrow());
    String resource = events.get(0).resource().orElseThrow();
    assertTrue(resource.matches("dynamodb://Orders/pk=sha256:[0-9a-f]{16}/sk=sha256:[0-9a-f]{16}"), resource);
    assertEquals(resource, events.get(1).resource().orElseThrow());
    assertEquals(List.of("ddb-tests/aes-1"), events.get(0).wrappingKeyIds());
    // Values hashed by default, as in every module; the table is still named by the event's resource.
    assertEquals(java.util.Set.of(TableConfig.TABLE_CONTEXT_KEY), events.get(0).encryptionContext().keySet());
    assertTrue(events.get(0).encryptionContext().get(TableConfig.TABLE_CONTEXT_KEY).startsWith("sha256:"));
    for (AuditEvent event : events) {
      assertFalse(event.toString().contains(TestItems.SECRET));
      assertFalse(event.toString().contains("alice"));
    }
  }

  @Test
  void headerStoresNoContextForUnsignedSuites() {
    Map<String, AttributeValue> stored = encryptor.encrypt(TestItems.everyType("alice", 1));
    byte[] header = stored.get(ItemFormat.HEADER_ATTRIBUTE).b().asByteArray();
    assertEquals(1, header[0]);
    assertArrayEquals(new byte[] {0x04, 0x78}, java.util.Arrays.copyOfRange(header, 1, 3));
    assertArrayEquals(new byte[] {0, 0}, java.util.Arrays.copyOfRange(header, 35, 37), "empty stored context");
    assertEquals(48, stored.get(ItemFormat.SIGNATURE_ATTRIBUTE).b().asByteArrayUnsafe().length);
  }

  @Test
  void aFailingAuditSinkFailsTheEncryptWithTheTypeEveryModuleUses() {
    ItemEncryptor broken = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .auditSink(event -> {
          throw new IllegalStateException("audit disk full");
        }).build());
    AuditSinkException e = assertThrows(AuditSinkException.class,
        () -> broken.encrypt(TestItems.everyType("alice", 9)));
    assertEquals("audit disk full", e.getCause().getMessage());
    assertTrue(e.getMessage().startsWith("Audit sink failed to record a successful ENCRYPT of dynamodb://Orders/"),
        e.getMessage());
  }

  @Test
  void contextValuesAreHashedInAuditEventsByDefaultAsInEveryModule() {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    ItemEncryptor audited = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
        .encryptionContext(Map.of("tenant", "acme")).auditSink(sink).build());
    audited.encrypt(TestItems.everyType("alice", 10));
    String value = sink.events().get(0).encryptionContext().get("tenant");
    assertTrue(value.startsWith("sha256:"), value);
  }
}
