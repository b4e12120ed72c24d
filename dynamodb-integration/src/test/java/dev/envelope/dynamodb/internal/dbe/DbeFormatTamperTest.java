package dev.envelope.dynamodb.internal.dbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;

/**
 * Every part of an item in the DB-ESDK format changed the way an attacker with write access to the table could:
 * each fails here with its own error, and the AWS Database Encryption SDK 3.9.0 refuses the same item. Changes the
 * format leaves free (an unsigned attribute) pass in both.
 */
class DbeFormatTamperTest {
  private record Mutation(String name, UnaryOperator<Map<String, AttributeValue>> change,
      Class<? extends EnvelopeException> error, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static UnaryOperator<Map<String, AttributeValue>> flip(String attribute, int offset) {
    return item -> {
      byte[] bytes = item.get(attribute).b().asByteArray();
      int at = offset >= 0 ? offset : bytes.length + offset;
      bytes[at] ^= 1;
      return with(item, attribute, AttributeValue.fromB(SdkBytes.fromByteArray(bytes)));
    };
  }

  private static Map<String, AttributeValue> with(Map<String, AttributeValue> item, String name,
      AttributeValue value) {
    Map<String, AttributeValue> out = new LinkedHashMap<>(item);
    if (value == null) {
      out.remove(name);
    } else {
      out.put(name, value);
    }
    return out;
  }

  static List<Mutation> mutations() {
    String tag = "The item's recipient tag does not match: one of its signed attributes [";
    String commitment = "The item's header commitment does not match: aws_dbe_head was changed, or it belongs to "
        + "another data key";
    return List.of(
        new Mutation("format version", flip("aws_dbe_head", 0), MalformedMessageException.class,
            "aws_dbe_head has format version 3; versions 1 and 2 exist"),
        // A downgrade to the unsigned suite: the commitment covers the flavor byte.
        new Mutation("suite flavor", flip("aws_dbe_head", 1), AuthenticationFailedException.class, commitment),
        new Mutation("message id", flip("aws_dbe_head", 2), AuthenticationFailedException.class, commitment),
        new Mutation("legend: encrypted becomes signed-only", item -> {
          byte[] header = item.get("aws_dbe_head").b().asByteArray();
          for (int i = 36; i < header.length; i++) {
            if (header[i] == 'e') {
              header[i] = 's';
              break;
            }
          }
          return with(item, "aws_dbe_head", AttributeValue.fromB(SdkBytes.fromByteArray(header)));
        }, AuthenticationFailedException.class, commitment),
        new Mutation("commitment", flip("aws_dbe_head", -1), AuthenticationFailedException.class, commitment),
        new Mutation("EDK ciphertext (the wrapped data key)", flip("aws_dbe_head", -40),
            NoKeyringCouldDecryptException.class, "No keyring could decrypt"),
        new Mutation("header truncated", item -> with(item, "aws_dbe_head", AttributeValue.fromB(SdkBytes.fromByteArray(
            Arrays.copyOf(item.get("aws_dbe_head").b().asByteArrayUnsafe(), 60)))), MalformedMessageException.class,
            "aws_dbe_head is truncated"),
        new Mutation("encrypted value", flip("card", -1), AuthenticationFailedException.class, tag),
        new Mutation("encrypted value's type id", flip("card", 1), AuthenticationFailedException.class, tag),
        new Mutation("signed-only value", item -> with(item, "set", AttributeValue.fromS("other")),
            AuthenticationFailedException.class, tag),
        new Mutation("two encrypted values swapped", item -> with(with(item, "card", item.get("zz")), "zz",
            item.get("card")), AuthenticationFailedException.class, tag),
        new Mutation("footer tag", flip("aws_dbe_foot", 0), AuthenticationFailedException.class, tag),
        new Mutation("footer signature", flip("aws_dbe_foot", -1), AuthenticationFailedException.class,
            "The item's ECDSA signature does not verify: the item was changed after it was signed"),
        new Mutation("footer truncated", item -> with(item, "aws_dbe_foot", AttributeValue.fromB(SdkBytes.fromByteArray(
            Arrays.copyOf(item.get("aws_dbe_foot").b().asByteArrayUnsafe(), 48)))), AuthenticationFailedException.class,
            "aws_dbe_foot is 48 bytes; 1 encrypted data keys and a signature make 151"),
        new Mutation("signed attribute removed", item -> with(item, "zz", null), AuthenticationFailedException.class,
            "Schema changed: something that was signed is now unsigned (the item has 19 signed attributes, its "
            + "header 20)"),
        new Mutation("signed attribute added", item -> with(item, "injected", AttributeValue.fromS("x")),
            AuthenticationFailedException.class, "Schema changed: something that was unsigned is now signed (the "
            + "item has 21 signed attributes, its header 20)"),
        new Mutation("partition key value (bound in the context)", item -> with(item, "pk",
            AttributeValue.fromS("customer-2")), NoKeyringCouldDecryptException.class, "No keyring could decrypt"),
        new Mutation("included attribute value (bound in the context)", item -> with(item, "status",
            AttributeValue.fromS("REFUNDED")), NoKeyringCouldDecryptException.class, "No keyring could decrypt"),
        new Mutation("header removed", item -> with(item, "aws_dbe_head", null), MalformedMessageException.class,
            "The item has no binary aws_dbe_head attribute"));
  }

  private static final DbeItemCodec OURS = ours();
  private static final DynamoDbItemEncryptor THEIRS = DbeFormatInteropTest.theirsFor(DbeSuite.ECDSA_P384, 2);

  private static DbeItemCodec ours() {
    return DbeFormatInteropTest.oursFor(DbeSuite.ECDSA_P384, 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void eachChangeFailsHereWithItsErrorAndThereToo(Mutation mutation) {
    Map<String, AttributeValue> stored = OURS.encrypt(DbeFormatInteropTest.item()).item();
    Map<String, AttributeValue> changed = mutation.change().apply(stored);
    EnvelopeException ours = assertThrows(EnvelopeException.class, () -> OURS.decrypt(changed));
    assertEquals(mutation.error(), ours.getClass(), ours.getMessage());
    assertTrue(ours.getMessage().startsWith(mutation.message()), ours.getMessage());
    assertThrows(RuntimeException.class, () -> THEIRS.DecryptItem(DecryptItemInput.builder().encryptedItem(changed)
        .build()), "DB-ESDK 3.9.0 accepted the item with a changed " + mutation);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("freeChanges")
  void changesTheFormatLeavesFreePassInBoth(String name, UnaryOperator<Map<String, AttributeValue>> change) {
    Map<String, AttributeValue> changed = change.apply(OURS.encrypt(DbeFormatInteropTest.item()).item());
    assertEquals(changed.get("_ttl"), OURS.decrypt(changed).item().get("_ttl"));
    assertEquals(changed.get("_ttl"), THEIRS.DecryptItem(DecryptItemInput.builder().encryptedItem(changed).build())
        .plaintextItem().get("_ttl"));
  }

  static List<org.junit.jupiter.params.provider.Arguments> freeChanges() {
    return List.of(
        org.junit.jupiter.params.provider.Arguments.of("unsigned attribute changed",
            (UnaryOperator<Map<String, AttributeValue>>) item -> with(item, "_ttl", AttributeValue.fromN("1"))),
        org.junit.jupiter.params.provider.Arguments.of("unsigned attribute added",
            (UnaryOperator<Map<String, AttributeValue>>) item -> with(item, "_version", AttributeValue.fromN("2"))));
  }
}
