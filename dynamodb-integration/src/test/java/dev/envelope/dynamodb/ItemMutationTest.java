package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.adversarial.Adversarial;
import dev.envelope.core.adversarial.Mutation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Random items (every attribute type, nested, random and non-ASCII names, random actions) encrypted, then changed
 * the ways a writer with table access can change them: bytes of an encrypted value or of the header or signature,
 * a signed value replaced, attributes removed, added, swapped or copied from another item, the key changed. Every
 * such item must fail to decrypt with an {@link EnvelopeException}; changing a DO_NOTHING attribute must not.
 * Directly through {@link ItemEncryptor}, and a share of them through the interceptor against the DynamoDB emulator.
 */
class ItemMutationTest {
  private static AttributeValue randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 1 ? 7 : 10);
    return switch (kind) {
      case 0 -> AttributeValue.fromS(Adversarial.text(random, 30));
      case 1 -> AttributeValue.fromN(Long.toString(random.nextLong() % 1_000_000) + "." + random.nextInt(100));
      case 2 -> AttributeValue.fromB(SdkBytes.fromByteArray(dev.envelope.core.TestKeyrings.bytes(
          1 + random.nextInt(40), random.nextLong())));
      case 3 -> AttributeValue.fromBool(random.nextBoolean());
      case 4 -> AttributeValue.fromNul(true);
      case 5 -> AttributeValue.fromSs(List.of("a" + random.nextInt(9), "b" + random.nextInt(9)));
      case 6 -> {
        int n = random.nextInt(50);
        yield AttributeValue.fromNs(List.of(Integer.toString(n), Integer.toString(n + 100)));
      }
      case 7 -> {
        List<AttributeValue> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(randomValue(random, depth + 1));
        }
        yield AttributeValue.fromL(list);
      }
      default -> {
        Map<String, AttributeValue> map = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          map.put(Adversarial.text(random, 8), randomValue(random, depth + 1));
        }
        yield AttributeValue.fromM(map);
      }
    };
  }

  /** A table of random attributes and actions, and an item for it. */
  private record Case(TableConfig config, Map<String, AttributeValue> item, List<String> encrypted,
      List<String> signOnly, List<String> unsigned) {
    String header() {
      return config.format() == ItemStorageFormat.DB_ESDK ? "aws_dbe_head" : ItemFormat.HEADER_ATTRIBUTE;
    }

    String signature() {
      return config.format() == ItemStorageFormat.DB_ESDK ? "aws_dbe_foot" : ItemFormat.SIGNATURE_ATTRIBUTE;
    }
  }

  private static Case randomCase(Random random, String table, ItemStorageFormat format) {
    TableConfig.Builder config = TableConfig.builder().tableName(table).partitionKeyName("pk").sortKeyName("sk")
        .unsignedAttributePrefix("_").keyring(DdbTestParts.aesKeyring()).format(format);
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS(Adversarial.text(random, 20)));
    item.put("sk", AttributeValue.fromN(Integer.toString(random.nextInt(1000))));
    List<String> encrypted = new ArrayList<>();
    List<String> signOnly = new ArrayList<>();
    List<String> unsigned = new ArrayList<>();
    for (int i = 1 + random.nextInt(6); i > 0; i--) {
      int action = random.nextInt(3);
      String name = (action == 2 ? "_" : "") + Adversarial.text(random, 10).replace("_", "x") + i;
      if (ItemFormat.isReserved(name)) {
        continue;
      }
      item.put(name, randomValue(random, 0));
      if (action == 0) {
        config.attributeAction(name, CryptoAction.ENCRYPT_AND_SIGN);
        encrypted.add(name);
      } else if (action == 1) {
        config.attributeAction(name, CryptoAction.SIGN_ONLY);
        signOnly.add(name);
      } else {
        unsigned.add(name);
      }
    }
    return new Case(config.build(), item, encrypted, signOnly, unsigned);
  }

  /** One change to a stored item, described; null when the item offers nothing to change that way. */
  private static Map.Entry<String, Map<String, AttributeValue>> mutate(Case c, Map<String, AttributeValue> stored,
      Map<String, AttributeValue> otherStored, Random random) {
    Map<String, AttributeValue> out = new HashMap<>(stored);
    switch (random.nextInt(10)) {
      case 0 -> {
        if (c.encrypted().isEmpty()) {
          return null;
        }
        String name = c.encrypted().get(random.nextInt(c.encrypted().size()));
        Mutation m = Mutation.of(stored.get(name).b().asByteArray(), null, random);
        out.put(name, AttributeValue.fromB(SdkBytes.fromByteArray(m.bytes())));
        return Map.entry("encrypted '" + name + "': " + m, out);
      }
      case 1 -> {
        if (c.signOnly().isEmpty()) {
          return null;
        }
        String name = c.signOnly().get(random.nextInt(c.signOnly().size()));
        AttributeValue replacement = randomValue(random, 0);
        if (TestItems.normalized(replacement).equals(TestItems.normalized(stored.get(name)))) {
          return null;
        }
        out.put(name, replacement);
        return Map.entry("SIGN_ONLY '" + name + "' replaced", out);
      }
      case 2 -> {
        List<String> signed = new ArrayList<>(c.encrypted());
        signed.addAll(c.signOnly());
        if (signed.isEmpty()) {
          return null;
        }
        String name = signed.get(random.nextInt(signed.size()));
        out.remove(name);
        return Map.entry("signed '" + name + "' removed", out);
      }
      case 3 -> {
        out.put("added" + random.nextInt(100), randomValue(random, 0));
        return Map.entry("attribute added", out);
      }
      case 4 -> {
        if (c.encrypted().size() < 2) {
          return null;
        }
        String a = c.encrypted().get(0);
        String b = c.encrypted().get(1);
        out.put(a, stored.get(b));
        out.put(b, stored.get(a));
        return Map.entry("encrypted '" + a + "' and '" + b + "' swapped", out);
      }
      case 5 -> {
        out.put("pk", AttributeValue.fromS(stored.get("pk").s() + "x"));
        return Map.entry("partition key changed", out);
      }
      case 6, 7 -> {
        String attribute = random.nextBoolean() ? c.header() : c.signature();
        Mutation m = Mutation.of(stored.get(attribute).b().asByteArray(), null, random);
        out.put(attribute, AttributeValue.fromB(SdkBytes.fromByteArray(m.bytes())));
        return Map.entry(attribute + ": " + m, out);
      }
      case 8 -> {
        if (c.encrypted().isEmpty() || !otherStored.containsKey(c.encrypted().get(0))) {
          return null;
        }
        String name = c.encrypted().get(0);
        out.put(name, otherStored.get(name));
        return Map.entry("encrypted '" + name + "' copied from another item", out);
      }
      default -> {
        out.put(c.header(), otherStored.get(c.header()));
        out.put(c.signature(), otherStored.get(c.signature()));
        return Map.entry("header and signature copied from another item", out);
      }
    }
  }

  private static void expectRefused(String what, Function<Map<String, AttributeValue>, ?> read,
      Map<String, AttributeValue> item) {
    try {
      read.apply(item);
    } catch (EnvelopeException expected) {
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": " + e.getClass().getName() + " escaped: " + e.getMessage(), e);
    }
    fail(what + ": a changed item decrypted");
  }

  @ParameterizedTest
  @EnumSource(ItemStorageFormat.class)
  void changedItemsNeverDecryptAndOnlyEnvelopeExceptionsLeave(ItemStorageFormat format) {
    long seed = Adversarial.seed("ItemMutationTest");
    Random random = new Random(seed);
    String table = DdbTestParts.createTable("mutation", "pk", "sk");
    int rounds = Adversarial.rounds(300);
    int refused = 0;
    try (DynamoDbClient raw = DdbTestParts.rawClient()) {
      for (int round = 0; round < rounds; round++) {
        Case c = randomCase(random, table, format);
        ItemEncryptor encryptor = ItemEncryptor.create(c.config());
        Map<String, AttributeValue> stored = encryptor.encrypt(c.item());
        Map<String, AttributeValue> other = new HashMap<>(c.item());
        other.put("sk", AttributeValue.fromN(Integer.toString(1000 + round)));
        Map<String, AttributeValue> otherStored = encryptor.encrypt(other);
        String where = "seed " + seed + " round " + round;
        assertEquals(TestItems.normalized(c.item()), TestItems.normalized(encryptor.decrypt(stored)), where);
        for (int m = 0; m < 6; m++) {
          var mutation = mutate(c, stored, otherStored, random);
          if (mutation == null) {
            continue;
          }
          expectRefused(where + ": " + mutation.getKey(), encryptor::decrypt, mutation.getValue());
          refused++;
          if (round % 10 == 0 && m == 0) {
            // Through the interceptor: the changed item stored by a writer without the client, read with it.
            Map<String, AttributeValue> changed = mutation.getValue();
            if (changed.get("pk") != null && changed.get("sk") != null) {
              raw.putItem(b -> b.tableName(table).item(changed));
              try (DynamoDbClient ddb = DdbTestParts.client(DynamoDbEncryptionInterceptor.builder()
                  .table(c.config()).build())) {
                Map<String, AttributeValue> key = Map.of("pk", changed.get("pk"), "sk", changed.get("sk"));
                expectRefused(where + " via GetItem: " + mutation.getKey(),
                    k -> ddb.getItem(b -> b.tableName(table).key(k).consistentRead(true)), key);
              }
            }
          }
        }
        if (!c.unsigned().isEmpty()) {
          Map<String, AttributeValue> changed = new HashMap<>(stored);
          String name = c.unsigned().get(0);
          changed.put(name, AttributeValue.fromS("changed"));
          Map<String, AttributeValue> expected = new HashMap<>(c.item());
          expected.put(name, AttributeValue.fromS("changed"));
          assertEquals(TestItems.normalized(expected), TestItems.normalized(encryptor.decrypt(changed)),
              where + ": a DO_NOTHING attribute may change");
        }
      }
    }
    System.out.println("ItemMutationTest " + format + ": " + rounds + " items, " + refused + " changed items refused");
  }

  @ParameterizedTest
  @EnumSource(ItemStorageFormat.class)
  void setsDynamoDbWouldRefuseAreRefusedBeforeTheyAreHidden(ItemStorageFormat format) {
    ItemEncryptor encryptor = ItemEncryptor.create(TableConfig.builder().tableName("sets-table")
        .partitionKeyName("pk").attributeAction("e", CryptoAction.ENCRYPT_AND_SIGN)
        .attributeAction("s", CryptoAction.SIGN_ONLY).keyring(DdbTestParts.aesKeyring()).format(format).build());
    boolean dbe = format == ItemStorageFormat.DB_ESDK;
    Map<AttributeValue, String> refusals = Map.of(
        AttributeValue.fromNs(List.of("1", "1.0")), dbe ? "Number Set had duplicate values after normalization."
            : "DynamoDB refuses",
        AttributeValue.fromSs(List.of("a", "a")), dbe ? "String Set had duplicate values" : "DynamoDB refuses",
        AttributeValue.fromSs(List.of()), "DynamoDB refuses");
    refusals.forEach((bad, message) -> {
      for (String name : List.of("e", "s")) {
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
            () -> encryptor.encrypt(Map.of("pk", AttributeValue.fromS("k"), name, bad)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(message), e.getMessage());
      }
    });
  }
}
