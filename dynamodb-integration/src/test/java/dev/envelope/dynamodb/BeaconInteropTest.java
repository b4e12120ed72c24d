package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.beacon.BeaconStyle;
import dev.envelope.dynamodb.beacon.Beacons;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.AsSet;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconKeySource;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconVersion;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Constructor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.ConstructorPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTableEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTablesEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.EncryptedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.PartOnly;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SearchConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Shared;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SignedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SingleKeyStore;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.DynamoDbEncryptionTransforms;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.model.PutItemInputTransformInput;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Beacon values against the AWS Database Encryption SDK 3.9.0's own: its transforms encrypt items with a beacon
 * configuration (branch and beacon keys in a key store on the emulators), and every {@code aws_dbe_b_*} attribute
 * and signed compound beacon it writes must equal what {@link Beacons} computes from the same beacon key: strings,
 * numbers as written and normalized, binary, non-ASCII, sets, every length from 1 to 63 bits, Shared, PartOnly,
 * compound beacons with default and explicit constructors and optional parts.
 */
class BeaconInteropTest {
  private static final String TABLE = "Customers";
  private static final int[] LENGTHS = {1, 4, 7, 9, 16, 32, 63};
  private static KmsEmulator kmsEmulator;
  private static DynamoDbEmulator ddbEmulator;
  private static DynamoDbEncryptionTransforms theirs;
  private static Beacons ours;

  private static List<StandardBeacon> ourStandard() {
    List<StandardBeacon> out = new ArrayList<>();
    for (int length : LENGTHS) {
      out.add(StandardBeacon.of("email" + length, length).withLocation("email"));
      // Two beacons cannot share a location in the AWS library: the others hash copies of the value.
    }
    out.removeIf(b -> !b.name().equals("email16"));
    for (int length : LENGTHS) {
      out.add(StandardBeacon.of("v" + length, length));
    }
    out.add(StandardBeacon.of("zip", 9));
    out.add(StandardBeacon.of("photo", 12));
    out.add(StandardBeacon.of("tags", 7).withStyle(BeaconStyle.asSet()));
    out.add(StandardBeacon.of("codes", 10).withStyle(BeaconStyle.asSet()));
    out.add(StandardBeacon.of("backupEmail", 16).withStyle(BeaconStyle.shared("email16")));
    out.add(StandardBeacon.of("ssn", 8).withStyle(BeaconStyle.partOnly()));
    return out;
  }

  private static List<CompoundBeacon> ourCompound() {
    return List.of(
        CompoundBeacon.of("cmp", '|', List.of(CompoundBeacon.Part.signed("ts", "T-"),
            CompoundBeacon.Part.encrypted("email16", "E-"))),
        new CompoundBeacon("idx", '~', List.of(CompoundBeacon.Part.signed("region", "R-"),
            CompoundBeacon.Part.encrypted("ssn", "S-"), CompoundBeacon.Part.signed("ts", "T-")),
            List.of(new CompoundBeacon.Constructor(List.of("region", "ssn", "ts"), List.of(true, true, false)),
                CompoundBeacon.Constructor.of("region", "ts"))),
        CompoundBeacon.of("where", '#', List.of(CompoundBeacon.Part.signed("region", "R-"),
            CompoundBeacon.Part.signed("ts", "T-"))));
  }

  @BeforeAll
  static void start() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    KmsClient kms = kmsEmulator.client();
    DynamoDbClient ddb = ddbEmulator.client();
    String keyArn = kms.createKey(b -> b.description("beacons")).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("beacons").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("tenant-a", Map.of("tenant", "a"));
    ours = Beacons.create(store.beaconKey(branchKeyId).key(), ourStandard(), ourCompound());

    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("beacons").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(ddb).kmsClient(kms).build()).build();
    var keyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(600L).build());
    List<software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon> standard = new ArrayList<>();
    for (StandardBeacon b : ourStandard()) {
      var builder = software.amazon.cryptography.dbencryptionsdk.dynamodb.model.StandardBeacon.builder()
          .name(b.name()).length(b.length()).loc(b.location());
      switch (b.style().kind()) {
        case AS_SET -> builder.style(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconStyle.builder()
            .asSet(AsSet.builder().build()).build());
        case SHARED -> builder.style(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconStyle.builder()
            .shared(Shared.builder().other(b.style().other()).build()).build());
        case PART_ONLY -> builder.style(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconStyle
            .builder().partOnly(PartOnly.builder().build()).build());
        default -> { }
      }
      standard.add(builder.build());
    }
    List<software.amazon.cryptography.dbencryptionsdk.dynamodb.model.CompoundBeacon> compound = new ArrayList<>();
    for (CompoundBeacon c : ourCompound()) {
      List<EncryptedPart> encrypted = new ArrayList<>();
      List<SignedPart> signed = new ArrayList<>();
      for (CompoundBeacon.Part p : c.parts()) {
        if (p.encrypted()) {
          encrypted.add(EncryptedPart.builder().name(p.name()).prefix(p.prefix()).build());
        } else {
          signed.add(SignedPart.builder().name(p.name()).prefix(p.prefix()).loc(p.location()).build());
        }
      }
      var builder = software.amazon.cryptography.dbencryptionsdk.dynamodb.model.CompoundBeacon.builder()
          .name(c.name()).split(String.valueOf(c.split()));
      if (!encrypted.isEmpty()) {
        builder.encrypted(encrypted);
      }
      if (!signed.isEmpty()) {
        builder.signed(signed);
      }
      if (!c.constructors().isEmpty()) {
        List<Constructor> constructors = new ArrayList<>();
        for (CompoundBeacon.Constructor k : c.constructors()) {
          List<ConstructorPart> parts = new ArrayList<>();
          for (int i = 0; i < k.parts().size(); i++) {
            parts.add(ConstructorPart.builder().name(k.parts().get(i)).required(k.required().get(i)).build());
          }
          constructors.add(Constructor.builder().parts(parts).build());
        }
        builder.constructors(constructors);
      }
      compound.add(builder.build());
    }
    Map<String, CryptoAction> actions = new HashMap<>();
    for (String name : List.of("email", "zip", "photo", "tags", "codes", "backupEmail", "ssn")) {
      actions.put(name, CryptoAction.ENCRYPT_AND_SIGN);
    }
    for (int length : LENGTHS) {
      actions.put("v" + length, CryptoAction.ENCRYPT_AND_SIGN);
    }
    actions.put("pk", CryptoAction.SIGN_ONLY);
    actions.put("ts", CryptoAction.SIGN_ONLY);
    actions.put("region", CryptoAction.SIGN_ONLY);
    DynamoDbTableEncryptionConfig table = DynamoDbTableEncryptionConfig.builder().logicalTableName(TABLE)
        .partitionKeyName("pk").attributeActionsOnEncrypt(actions).keyring(keyring)
        .search(SearchConfig.builder().writeVersion(1).versions(List.of(BeaconVersion.builder().version(1)
            .keyStore(keyStore).keySource(BeaconKeySource.builder().single(SingleKeyStore.builder()
                .keyId(branchKeyId).cacheTTL(600).build()).build())
            .standardBeacons(standard).compoundBeacons(compound).build())).build())
        .build();
    theirs = DynamoDbEncryptionTransforms.builder().DynamoDbTablesEncryptionConfig(DynamoDbTablesEncryptionConfig
        .builder().tableEncryptionConfigs(Map.of(TABLE, table)).build()).build();
  }

  @AfterAll
  static void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private static Map<String, AttributeValue> theirWrite(Map<String, AttributeValue> item) {
    return theirs.PutItemInputTransform(PutItemInputTransformInput.builder().sdkInput(PutItemRequest.builder()
        .tableName(TABLE).item(item).build()).build()).transformedInput().item();
  }

  /** Their beacon attributes (and signed compound beacons) against ours, set members compared as sets. */
  private static void assertSameBeacons(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> written = theirWrite(item);
    Map<String, Object> theirBeacons = new TreeMap<>();
    written.forEach((name, value) -> {
      if (name.startsWith(Beacons.ATTRIBUTE_PREFIX) || name.equals("where")) {
        theirBeacons.put(name, value.ss().isEmpty() ? value.s() : new HashSet<>(value.ss()));
      }
    });
    Map<String, Object> ourBeacons = new TreeMap<>();
    Map<String, AttributeValue> computed = new LinkedHashMap<>(ours.encryptedBeacons(item));
    computed.putAll(ours.signedBeacons(item));
    computed.forEach((name, value) -> ourBeacons.put(name, value.ss().isEmpty() ? value.s()
        : new HashSet<>(value.ss())));
    assertEquals(theirBeacons, ourBeacons, item.toString());
  }

  private static Map<String, AttributeValue> item(String email, String number) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS("c-" + email));
    item.put("email", AttributeValue.fromS(email));
    item.put("backupEmail", AttributeValue.fromS(email));
    item.put("zip", AttributeValue.fromN(number));
    item.put("photo", AttributeValue.fromB(SdkBytes.fromUtf8String(email + number)));
    item.put("tags", AttributeValue.fromSs(List.of("vip", email, "ünïcode")));
    item.put("codes", AttributeValue.fromNs(List.of(number, "77")));
    item.put("ssn", AttributeValue.fromS("123-45-" + number));
    item.put("ts", AttributeValue.fromS("20260101T" + number));
    item.put("region", AttributeValue.fromS("eu"));
    for (int length : LENGTHS) {
      item.put("v" + length, AttributeValue.fromS(email + length));
    }
    return item;
  }

  @Test
  void everyBeaconEqualsTheAwsLibrarysForAMatrixOfValues() {
    for (String[] values : new String[][] {{"a@b.c", "02139"}, {"jürgen@exämple.de", "1e3"}, {"", "-0.50"},
        {"x", "12345678901234567890"}, {"\uD83D\uDE00@emoji", "7"}}) {
      assertSameBeacons(item(values[0], values[1]));
    }
  }

  @Test
  void optionalPartsAndMissingRequiredPartsBuildWhatTheAwsLibraryBuilds() {
    Map<String, AttributeValue> noSsn = item("a@b.c", "1");
    noSsn.remove("ssn"); // idx falls back to its second constructor
    assertSameBeacons(noSsn);
    Map<String, AttributeValue> noTs = item("a@b.c", "2");
    noTs.remove("ts"); // cmp and where cannot be built; idx skips its optional ts
    assertSameBeacons(noTs);
    assertFalse(ours.encryptedBeacons(noTs).containsKey("aws_dbe_b_cmp"));
    assertTrue(ours.encryptedBeacons(noTs).containsKey("aws_dbe_b_idx"));
  }

  @Test
  void refusalsMatchTheAwsLibrarys() {
    Map<String, AttributeValue> split = item("a@b.c", "3");
    split.put("ts", AttributeValue.fromS("2026|01"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ours.encryptedBeacons(split));
    assertEquals("Compound beacon cmp: the value of ts contains the split character '|'", e.getMessage());
    assertThrows(RuntimeException.class, () -> theirWrite(split));

    Map<String, AttributeValue> notASet = item("a@b.c", "4");
    notASet.put("tags", AttributeValue.fromS("vip"));
    assertThrows(IllegalArgumentException.class, () -> ours.encryptedBeacons(notASet));
    assertThrows(RuntimeException.class, () -> theirWrite(notASet));
  }
}
