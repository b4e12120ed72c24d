package dev.envelope.dynamodb.internal.dbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateMultiKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * DB-ESDK items under the KMS keyring, the hierarchical keyring and a multi-keyring, both ways with the AWS
 * Database Encryption SDK 3.9.0 and the Material Providers Library 1.11.0, on the KMS and DynamoDB emulators.
 */
class DbeKeyringInteropTest {
  private static final String TABLE = "Orders";
  private static final byte[] AES_KEY = new byte[32];
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static KmsEmulator kmsEmulator;
  private static DynamoDbEmulator ddbEmulator;
  private static KmsClient kms;
  private static DynamoDbClient ddb;
  private static String keyArn;

  @BeforeAll
  static void start() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    kms = kmsEmulator.client();
    ddb = ddbEmulator.client();
    keyArn = kms.createKey(b -> b.description("items")).keyMetadata().arn();
  }

  @AfterAll
  static void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private static Map<String, CryptoAction> actions() {
    return Map.of("pk", CryptoAction.SIGN_ONLY, "sk", CryptoAction.SIGN_ONLY, "card", CryptoAction.ENCRYPT_AND_SIGN,
        "status", CryptoAction.SIGN_ONLY);
  }

  private static Map<String, AttributeValue> item() {
    return Map.of("pk", AttributeValue.fromS("c-1"), "sk", AttributeValue.fromN("1"),
        "card", AttributeValue.fromS("4111-1111-1111-1111"), "status", AttributeValue.fromS("PAID"));
  }

  private static DbeItemCodec ours(Keyring keyring) {
    return new DbeItemCodec(new DbeSchema(TABLE, "pk", "sk", actions(), Set.of(), null), keyring,
        DbeSuite.ECDSA_P384);
  }

  private static DynamoDbItemEncryptor theirs(IKeyring keyring) {
    Map<String, software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction> actions =
        new HashMap<>();
    actions().forEach((name, action) -> actions.put(name,
        software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction.valueOf(action.name())));
    return DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(actions)
        .keyring(keyring).build()).build();
  }

  private static void bothWays(Keyring ourKeyring, IKeyring theirKeyring) {
    Map<String, AttributeValue> fromUs = ours(ourKeyring).encrypt(item()).item();
    assertEquals(item(), theirs(theirKeyring).DecryptItem(DecryptItemInput.builder().encryptedItem(fromUs).build())
        .plaintextItem());
    Map<String, AttributeValue> fromThem = theirs(theirKeyring).EncryptItem(EncryptItemInput.builder()
        .plaintextItem(item()).build()).encryptedItem();
    assertEquals(item(), ours(ourKeyring).decrypt(fromThem).item());
  }

  private static IKeyring theirKms() {
    return MPL.CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(keyArn).kmsClient(kms).build());
  }

  private static IKeyring theirAes() {
    return MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ns").keyName("aes")
        .wrappingKey(ByteBuffer.wrap(AES_KEY)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
  }

  private static RawAesKeyring ourAes() {
    return RawAesKeyring.builder().keyNamespace("ns").keyName("aes").wrappingKey(AES_KEY).build();
  }

  @Test
  void kmsKeyring() {
    bothWays(KmsKeyring.create(kms, keyArn), theirKms());
  }

  @Test
  void hierarchicalKeyring() {
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("items").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("tenant-a", Map.of("tenant", "a"));
    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("items").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(ddb).kmsClient(kms).build()).build();
    bothWays(HierarchicalKeyring.builder().keyStore(store).branchKeyId(branchKeyId).ttl(Duration.ofMinutes(5))
            .build(),
        MPL.CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(300L).build()));
  }

  @Test
  void multiKeyringGivesEachRecipientItsOwnKeyAndTag() {
    Map<String, AttributeValue> fromUs = ours(MultiKeyring.create(ourAes(), List.of(KmsKeyring.create(kms, keyArn))))
        .encrypt(item()).item();
    assertEquals(2 * DbeFooter.TAG_LENGTH + DbeFooter.SIGNATURE_LENGTH,
        fromUs.get("aws_dbe_foot").b().asByteArrayUnsafe().length, "one recipient tag per EDK, then the signature");
    assertEquals(item(), theirs(theirKms()).DecryptItem(DecryptItemInput.builder().encryptedItem(fromUs).build())
        .plaintextItem(), "their KMS keyring alone reads it");
    assertEquals(item(), theirs(theirAes()).DecryptItem(DecryptItemInput.builder().encryptedItem(fromUs).build())
        .plaintextItem(), "their AES keyring alone reads it");
    assertEquals(item(), ours(ourAes()).decrypt(fromUs).item());

    IKeyring theirMulti = MPL.CreateMultiKeyring(CreateMultiKeyringInput.builder().generator(theirAes())
        .childKeyrings(List.of(theirKms())).build());
    Map<String, AttributeValue> fromThem = theirs(theirMulti).EncryptItem(EncryptItemInput.builder()
        .plaintextItem(item()).build()).encryptedItem();
    assertEquals(item(), ours(KmsKeyring.create(kms, keyArn)).decrypt(fromThem).item());
    assertEquals(item(), ours(ourAes()).decrypt(fromThem).item());
  }

  @Test
  void anItemListingMoreThanSixteenKeysIsRefusedBeforeAnyIsTried() {
    List<Keyring> seventeen = new java.util.ArrayList<>();
    for (int i = 0; i < 17; i++) {
      seventeen.add(RawAesKeyring.builder().keyNamespace("ns").keyName("k" + i).wrappingKey(AES_KEY).build());
    }
    Map<String, AttributeValue> stored = ours(MultiKeyring.create(seventeen.get(0), seventeen.subList(1, 17)))
        .encrypt(item()).item();
    dev.envelope.core.MalformedMessageException e = assertThrows(dev.envelope.core.MalformedMessageException.class,
        () -> ours(ourAes()).decrypt(stored));
    assertEquals("aws_dbe_head lists 17 encrypted data keys; a read tries at most 16, which bounds the KMS calls a "
        + "forged item can cause", e.getMessage());
  }

  @Test
  void aKeyringThatWrapsTwiceIsRefused() {
    Keyring twice = new Keyring() {
      @Override
      public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
        EncryptionMaterials once = ourAes().onEncrypt(materials);
        return RawAesKeyring.builder().keyNamespace("ns").keyName("other").wrappingKey(new byte[32]).build()
            .onEncrypt(once);
      }

      @Override
      public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
        return materials;
      }

      @Override
      public String toString() {
        return "TwoKeys";
      }
    };
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> ours(twice).encrypt(item()));
    assertEquals("Keyring TwoKeys wrapped the key 2 times; the DB-ESDK format gives every wrapping key an "
        + "intermediate key of its own, so use a MultiKeyring of single-key keyrings", e.getMessage());
  }
}
