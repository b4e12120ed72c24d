package dev.envelope.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keystore.BranchKeyMaterials;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.dynamodb.emulator.DynamoDbHttpServer;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.KmsHttpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.CreateKeyInput;
import software.amazon.cryptography.keystore.model.GetActiveBranchKeyInput;
import software.amazon.cryptography.keystore.model.GetBeaconKeyInput;
import software.amazon.cryptography.keystore.model.GetBranchKeyVersionInput;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.keystore.model.VersionKeyInput;
import software.amazon.cryptography.materialproviders.IBranchKeyIdSupplier;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.GetBranchKeyIdInput;
import software.amazon.cryptography.materialproviders.model.GetBranchKeyIdOutput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Our key store and hierarchical keyring against the AWS Material Providers Library 1.11.0 (and the AWS Encryption
 * SDK for Java 3.0.2), both on one key store table of the project's DynamoDB emulator and one key of the KMS
 * emulator, each reached over its HTTP server by unmodified SDK clients: branch keys created and versioned by
 * either side are read by the other, and messages written by either keyring decrypt with the other.
 */
class HierarchicalInteropTest {
  static final String TABLE = "KeyStoreTable";
  static final String LOGICAL = "interop-keys";

  private static KmsEmulator kmsEmulator;
  private static KmsHttpServer kmsServer;
  private static DynamoDbEmulator ddbEmulator;
  private static DynamoDbHttpServer ddbServer;
  private static KmsClient kms;
  private static DynamoDbClient ddb;
  private static String keyArn;
  private static DynamoDbBranchKeyStore ours;
  private static KeyStore theirs;

  @BeforeAll
  static void start() throws IOException {
    kmsEmulator = KmsEmulator.create();
    kmsServer = kmsEmulator.startHttpServer(0);
    ddbEmulator = DynamoDbEmulator.create();
    ddbServer = ddbEmulator.startHttpServer(0);
    StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
        "test"));
    kms = KmsClient.builder().endpointOverride(kmsServer.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials).build();
    ddb = DynamoDbClient.builder().endpointOverride(ddbServer.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials).build();
    keyArn = kms.createKey(b -> b.description("branch keys")).keyMetadata().arn();
    ours = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName(TABLE).logicalKeyStoreName(LOGICAL)
        .kmsKeyArn(keyArn).build();
    ours.createTable();
    theirs = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName(TABLE)
        .logicalKeyStoreName(LOGICAL).kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(ddb).kmsClient(kms).build()).build();
  }

  @AfterAll
  static void stop() {
    kms.close();
    ddb.close();
    ddbServer.close();
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private static software.amazon.cryptography.keystore.model.BranchKeyMaterials theirActive(String id) {
    return theirs.GetActiveBranchKey(GetActiveBranchKeyInput.builder().branchKeyIdentifier(id).build())
        .branchKeyMaterials();
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer copy = b.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  private static void assertSameKey(software.amazon.cryptography.keystore.model.BranchKeyMaterials expected,
      BranchKeyMaterials actual) {
    assertEquals(expected.branchKeyIdentifier(), actual.branchKeyId());
    assertEquals(expected.branchKeyVersion(), actual.version());
    assertArrayEquals(bytes(expected.branchKey()), actual.key());
    assertEquals(expected.encryptionContext(), actual.encryptionContext());
  }

  @Test
  void branchKeysTheyCreateAndVersionAreReadHere() {
    String id = theirs.CreateKey(CreateKeyInput.builder().branchKeyIdentifier("their-tenant")
        .encryptionContext(Map.of("department", "sales", "région", "île-de-france")).build()).branchKeyIdentifier();
    var first = theirActive(id);
    assertSameKey(first, ours.activeBranchKey(id));
    theirs.VersionKey(VersionKeyInput.builder().branchKeyIdentifier(id).build());
    var second = theirActive(id);
    assertSameKey(second, ours.activeBranchKey(id));
    assertSameKey(first, ours.branchKeyVersion(id, first.branchKeyVersion()));
    assertArrayEquals(bytes(theirs.GetBeaconKey(GetBeaconKeyInput.builder().branchKeyIdentifier(id).build())
        .beaconKeyMaterials().beaconKey()), ours.beaconKey(id).key(), "their beacon key, read here");
    String generated = theirs.CreateKey(CreateKeyInput.builder().build()).branchKeyIdentifier();
    assertSameKey(theirActive(generated), ours.activeBranchKey(generated));
  }

  @Test
  void branchKeysWeCreateAndVersionAreReadByThem() {
    String id = ours.createKey("our-tenant", Map.of("department", "finance"));
    BranchKeyMaterials first = ours.activeBranchKey(id);
    assertSameKey(theirActive(id), first);
    assertSameKey(theirs.GetBranchKeyVersion(GetBranchKeyVersionInput.builder().branchKeyIdentifier(id)
        .branchKeyVersion(first.version()).build()).branchKeyMaterials(), first);
    var theirBeacon = theirs.GetBeaconKey(GetBeaconKeyInput.builder().branchKeyIdentifier(id).build())
        .beaconKeyMaterials();
    assertEquals(Map.of("department", "finance"), theirBeacon.encryptionContext());
    BeaconKey ourBeacon = ours.beaconKey(id);
    assertArrayEquals(bytes(theirBeacon.beaconKey()), ourBeacon.key());
    assertEquals(theirBeacon.encryptionContext(), ourBeacon.encryptionContext());

    ours.versionKey(id);
    BranchKeyMaterials second = ours.activeBranchKey(id);
    assertEquals(false, second.version().equals(first.version()));
    assertSameKey(theirActive(id), second);
    // Their VersionKey on top of ours, then ours on top of theirs.
    theirs.VersionKey(VersionKeyInput.builder().branchKeyIdentifier(id).build());
    assertSameKey(theirActive(id), ours.activeBranchKey(id));
    ours.versionKey(id);
    assertSameKey(theirActive(id), ours.activeBranchKey(id));
    assertSameKey(theirs.GetBranchKeyVersion(GetBranchKeyVersionInput.builder().branchKeyIdentifier(id)
        .branchKeyVersion(first.version()).build()).branchKeyMaterials(), ours.branchKeyVersion(id,
        first.version()));
  }

  private static IKeyring theirKeyring(String branchKeyId) {
    return MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build()
        .CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(theirs)
            .branchKeyId(branchKeyId).ttlSeconds(600).build());
  }

  private static HierarchicalKeyring ourKeyring(String branchKeyId) {
    return HierarchicalKeyring.builder().keyStore(ours).branchKeyId(branchKeyId).ttl(Duration.ofMinutes(10))
        .build();
  }

  private static AwsCrypto esdk(AlgorithmSuite suite) {
    return AwsCrypto.builder()
        .withCommitmentPolicy(suite.isCommitting() ? CommitmentPolicy.RequireEncryptRequireDecrypt
            : CommitmentPolicy.ForbidEncryptAllowDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name())).build();
  }

  private static Envelope envelope(HierarchicalKeyring keyring, AlgorithmSuite suite) {
    return Envelope.builder().keyring(keyring).suite(suite)
        .commitmentPolicy(suite.isCommitting() ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }

  @ParameterizedTest
  @EnumSource(value = AlgorithmSuite.class, names = {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384",
      "AES_256_GCM_HKDF_SHA512_COMMIT_KEY", "AES_128_GCM_IV12_TAG16_HKDF_SHA256",
      "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"})
  void messagesRoundTripBothWays(AlgorithmSuite suite) {
    String id = ours.createKey("messages-" + suite.name().toLowerCase(), Map.of("suite", suite.name()));
    byte[] plaintext = new byte[3000];
    new Random(7).nextBytes(plaintext);
    for (Map<String, String> context : java.util.List.of(Map.<String, String>of(),
        Map.of("tenant", "acme", "日本", "注文 🛒"))) {
      byte[] theirMessage = esdk(suite).encryptData(theirKeyring(id), plaintext, context).getResult();
      assertArrayEquals(plaintext, envelope(ourKeyring(id), suite).decrypt(theirMessage, context).plaintext());
      byte[] ourMessage = envelope(ourKeyring(id), suite).encrypt(plaintext, context);
      assertArrayEquals(plaintext, esdk(suite).decryptData(theirKeyring(id), ourMessage).getResult());
    }
  }

  /** Multi-tenant: both libraries choose the branch key from the context with a supplier. */
  @Test
  void messagesOfTenantsChosenBySuppliersRoundTripBothWays() {
    for (String tenant : java.util.List.of("north", "south")) {
      theirs.CreateKey(CreateKeyInput.builder().branchKeyIdentifier("supplied-" + tenant)
          .encryptionContext(Map.of("tenant", tenant)).build());
    }
    IKeyring theirSupplied = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder()
        .keyStore(theirs).ttlSeconds(600).branchKeyIdSupplier(new IBranchKeyIdSupplier() {
          @Override
          public GetBranchKeyIdOutput GetBranchKeyId(GetBranchKeyIdInput input) {
            return GetBranchKeyIdOutput.builder().branchKeyId("supplied-" + input.encryptionContext().get("tenant"))
                .build();
          }
        }).build());
    HierarchicalKeyring ourSupplied = HierarchicalKeyring.builder().keyStore(ours).ttl(Duration.ofMinutes(10))
        .branchKeyIdSupplier(context -> "supplied-" + context.get("tenant")).build();
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
    for (String tenant : java.util.List.of("north", "south")) {
      Map<String, String> context = Map.of("tenant", tenant);
      byte[] plaintext = ("order of " + tenant).getBytes(StandardCharsets.UTF_8);
      byte[] theirMessage = esdk(suite).encryptData(theirSupplied, plaintext, context).getResult();
      assertArrayEquals(plaintext, envelope(ourSupplied, suite).decrypt(theirMessage, context).plaintext());
      byte[] ourMessage = envelope(ourSupplied, suite).encrypt(plaintext, context);
      assertArrayEquals(plaintext, esdk(suite).decryptData(theirSupplied, ourMessage).getResult());
      // Each message names its tenant's branch key: the other tenant's fixed-id keyring cannot open it.
      String other = tenant.equals("north") ? "south" : "north";
      org.junit.jupiter.api.Assertions.assertThrows(dev.envelope.core.NoKeyringCouldDecryptException.class,
          () -> envelope(ourKeyring("supplied-" + other), suite).decrypt(ourMessage, context));
    }
  }

  @Test
  void messagesFromBeforeAVersionKeyStillDecryptOnBothSides() {
    String id = theirs.CreateKey(CreateKeyInput.builder().build()).branchKeyIdentifier();
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    byte[] plaintext = "before the version".getBytes(StandardCharsets.UTF_8);
    byte[] theirOld = esdk(suite).encryptData(theirKeyring(id), plaintext).getResult();
    byte[] ourOld = envelope(ourKeyring(id), suite).encrypt(plaintext, Map.of());
    ours.versionKey(id);
    theirs.VersionKey(VersionKeyInput.builder().branchKeyIdentifier(id).build());
    for (byte[] message : new byte[][] {theirOld, ourOld}) {
      assertArrayEquals(plaintext, envelope(ourKeyring(id), suite).decrypt(message, Map.of()).plaintext());
      assertArrayEquals(plaintext, esdk(suite).decryptData(theirKeyring(id), message).getResult());
    }
  }
}
