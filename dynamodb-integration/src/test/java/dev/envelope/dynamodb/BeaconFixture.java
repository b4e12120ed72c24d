package dev.envelope.dynamodb;

import dev.envelope.dynamodb.beacon.BeaconConfig;
import dev.envelope.dynamodb.beacon.BeaconStyle;
import dev.envelope.dynamodb.beacon.Beacons;
import dev.envelope.dynamodb.beacon.CompoundBeacon;
import dev.envelope.dynamodb.beacon.StandardBeacon;
import dev.envelope.dynamodb.beacon.VirtualField;
import dev.envelope.dynamodb.beacon.VirtualTransform;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.AsSet;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconKeySource;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.BeaconVersion;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Constructor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.ConstructorPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTableEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.DynamoDbTablesEncryptionConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.EncryptedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.GetPrefix;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.GetSegment;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.GetSegments;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.GetSubstring;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.GetSuffix;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Insert;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Lower;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.PartOnly;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SearchConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Shared;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SignedPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.SingleKeyStore;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Upper;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.VirtualPart;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.DynamoDbEncryptionTransforms;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * One beacon configuration on both sides, for the beacon interop tests: a key store on the emulators with one branch
 * key, the AWS Database Encryption SDK 3.9.0's transforms configured with it, and the same beacons on our side
 * (standard beacons of every length, sets, Shared, PartOnly, compound beacons with default and explicit
 * constructors, a signed beacon). Close it after the tests.
 */
final class BeaconFixture implements AutoCloseable {
  static final String TABLE = "Customers";
  static final int[] LENGTHS = {1, 4, 7, 9, 16, 32, 63};
  final KmsEmulator kmsEmulator;
  final DynamoDbEmulator ddbEmulator;
  final DynamoDbEncryptionTransforms theirs;
  final Beacons ours;
  final BeaconConfig config;
  /** Our table actions, matching theirs. */
  final Map<String, dev.envelope.dynamodb.CryptoAction> actions = new HashMap<>();

  static List<StandardBeacon> ourStandard() {
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
    for (VirtualField f : ourVirtual()) {
      out.add(StandardBeacon.of("b_" + f.name(), 16).withLocation(f.name()));
    }
    out.add(StandardBeacon.of("addrZip", 12).withLocation("addr.zip"));
    return out;
  }

  /** Every transform, negative and out-of-range positions, nested locations, encrypted and signed parts mixed. */
  static List<VirtualField> ourVirtual() {
    return List.of(
        VirtualField.of("vf1", VirtualField.Part.of("w1", VirtualTransform.lower(), VirtualTransform.insert("-x")),
            VirtualField.Part.of("ts", VirtualTransform.prefix(4))),
        VirtualField.of("vf2", VirtualField.Part.of("w2", VirtualTransform.upper(), VirtualTransform.suffix(-2))),
        VirtualField.of("vf3", VirtualField.Part.of("w3", VirtualTransform.substring(1, 999))),
        VirtualField.of("vf4", VirtualField.Part.of("w4", VirtualTransform.substring(-3, -1),
            VirtualTransform.insert("!"), VirtualTransform.suffix(9))),
        VirtualField.of("vf5", VirtualField.Part.of("w5", VirtualTransform.segment('.', -1))),
        VirtualField.of("vf6", VirtualField.Part.of("w6", VirtualTransform.segments('.', 1, 99))),
        VirtualField.of("vf7", VirtualField.Part.of("w7", VirtualTransform.segment('.', 7),
            VirtualTransform.prefix(-1)), VirtualField.Part.of("w8", VirtualTransform.prefix(3),
            VirtualTransform.segments('.', -2, -1))),
        VirtualField.of("vf8", VirtualField.Part.of("addr.lines[1]", VirtualTransform.suffix(3)),
            VirtualField.Part.of("region", VirtualTransform.upper())));
  }

  private static software.amazon.cryptography.dbencryptionsdk.dynamodb.model.VirtualTransform theirs(
      VirtualTransform t) {
    var b = software.amazon.cryptography.dbencryptionsdk.dynamodb.model.VirtualTransform.builder();
    if (t instanceof VirtualTransform.Upper) {
      b.upper(Upper.builder().build());
    } else if (t instanceof VirtualTransform.Lower) {
      b.lower(Lower.builder().build());
    } else if (t instanceof VirtualTransform.Insert i) {
      b.insert(Insert.builder().literal(i.literal()).build());
    } else if (t instanceof VirtualTransform.Prefix p) {
      b.prefix(GetPrefix.builder().length(p.length()).build());
    } else if (t instanceof VirtualTransform.Suffix x) {
      b.suffix(GetSuffix.builder().length(x.length()).build());
    } else if (t instanceof VirtualTransform.Substring x) {
      b.substring(GetSubstring.builder().low(x.low()).high(x.high()).build());
    } else if (t instanceof VirtualTransform.Segment x) {
      b.segment(GetSegment.builder().split(String.valueOf(x.split())).index(x.index()).build());
    } else if (t instanceof VirtualTransform.Segments x) {
      b.segments(GetSegments.builder().split(String.valueOf(x.split())).low(x.low()).high(x.high()).build());
    }
    return b.build();
  }

  static List<CompoundBeacon> ourCompound() {
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

  BeaconFixture() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    KmsClient kms = kmsEmulator.client();
    DynamoDbClient ddb = ddbEmulator.client();
    String keyArn = kms.createKey(b -> b.description("beacons")).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("beacons").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("tenant-a", Map.of("tenant", "a"));
    ours = Beacons.create(store.beaconKey(branchKeyId).key(), ourStandard(), ourCompound(), ourVirtual());
    config = BeaconConfig.of(() -> store.beaconKey(branchKeyId).key(), ourStandard(), ourCompound())
        .withVirtualFields(ourVirtual());

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
    List<software.amazon.cryptography.dbencryptionsdk.dynamodb.model.VirtualField> theirVirtual = new ArrayList<>();
    for (VirtualField f : ourVirtual()) {
      List<VirtualPart> parts = new ArrayList<>();
      for (VirtualField.Part p : f.parts()) {
        parts.add(VirtualPart.builder().loc(p.location().toString()).trans(p.transforms().isEmpty() ? null
            : p.transforms().stream().map(BeaconFixture::theirs).toList()).build());
      }
      theirVirtual.add(software.amazon.cryptography.dbencryptionsdk.dynamodb.model.VirtualField.builder()
          .name(f.name()).parts(parts).build());
    }
    Map<String, CryptoAction> actions = new HashMap<>();
    for (String name : List.of("email", "zip", "photo", "tags", "codes", "backupEmail", "ssn", "addr", "w1", "w2",
        "w3", "w4", "w5", "w6", "w7", "w8")) {
      actions.put(name, CryptoAction.ENCRYPT_AND_SIGN);
    }
    for (int length : LENGTHS) {
      actions.put("v" + length, CryptoAction.ENCRYPT_AND_SIGN);
    }
    actions.put("pk", CryptoAction.SIGN_ONLY);
    actions.put("ts", CryptoAction.SIGN_ONLY);
    actions.put("region", CryptoAction.SIGN_ONLY);
    actions.forEach((name, action) -> this.actions.put(name, dev.envelope.dynamodb.CryptoAction.valueOf(
        action.name())));
    DynamoDbTableEncryptionConfig table = DynamoDbTableEncryptionConfig.builder().logicalTableName(TABLE)
        .partitionKeyName("pk").attributeActionsOnEncrypt(actions).keyring(keyring)
        .search(SearchConfig.builder().writeVersion(1).versions(List.of(BeaconVersion.builder().version(1)
            .keyStore(keyStore).keySource(BeaconKeySource.builder().single(SingleKeyStore.builder()
                .keyId(branchKeyId).cacheTTL(600).build()).build())
            .standardBeacons(standard).compoundBeacons(compound).virtualFields(theirVirtual).build())).build())
        .build();
    theirs = DynamoDbEncryptionTransforms.builder().DynamoDbTablesEncryptionConfig(DynamoDbTablesEncryptionConfig
        .builder().tableEncryptionConfigs(Map.of(TABLE, table)).build()).build();
  }

  @Override
  public void close() {
    ddbEmulator.close();
    kmsEmulator.close();
  }
}
