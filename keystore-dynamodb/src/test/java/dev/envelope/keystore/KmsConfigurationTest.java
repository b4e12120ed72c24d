package dev.envelope.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.Envelope;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keystore.BranchKeyMaterials;
import dev.envelope.core.keystore.BranchKeyStoreException;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.kms.KmsEmulator;
import dev.envelope.kms.Principal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.GetActiveBranchKeyInput;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.keystore.model.MRDiscovery;
import software.amazon.cryptography.keystore.model.VersionKeyInput;

/**
 * The four KMS configurations of the key store ({@link KmsConfiguration}) on a multi-Region key with a primary in
 * us-east-1 and a replica in us-west-2, and against the AWS key store (Material Providers Library 1.11.0) configured
 * the same way: which items each accepts, which key it calls, and the refusals with their exact messages.
 */
class KmsConfigurationTest {
  private static final String TABLE = "KeyStore";
  private static final byte[] PLAINTEXT = "multi-Region order".getBytes(StandardCharsets.UTF_8);
  private static final Map<String, String> CONTEXT = Map.of("tenant", "acme");

  private KmsEmulator kmsEmulator;
  private DynamoDbEmulator ddbEmulator;
  private DynamoDbClient ddb;
  private KmsClient east;
  private KmsClient west;
  private String primary;
  private String replica;
  private DynamoDbBranchKeyStore eastStore;
  private String branchKeyId;

  @BeforeEach
  void start() {
    kmsEmulator = KmsEmulator.create();
    ddbEmulator = DynamoDbEmulator.create();
    ddb = ddbEmulator.client();
    east = kmsEmulator.client();
    primary = east.createKey(b -> b.multiRegion(true).description("branch keys")).keyMetadata().arn();
    String account = primary.split(":")[4];
    replica = east.replicateKey(b -> b.keyId(primary).replicaRegion("us-west-2")).replicaKeyMetadata().arn();
    west = kmsEmulator.client(Principal.root(account), Region.US_WEST_2);
    eastStore = store(east, KmsConfiguration.keyArn(primary));
    eastStore.createTable();
    branchKeyId = eastStore.createKey("acme", Map.of("tenant", "acme"));
  }

  @AfterEach
  void stop() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  private DynamoDbBranchKeyStore store(KmsClient kms, KmsConfiguration configuration) {
    return DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName(TABLE).logicalKeyStoreName("ks")
        .kmsConfiguration(configuration).build();
  }

  private Envelope envelope(DynamoDbBranchKeyStore store) {
    return Envelope.builder().keyring(HierarchicalKeyring.builder().keyStore(store).branchKeyId(branchKeyId)
        .ttl(Duration.ofMinutes(5)).build()).build();
  }

  private String storedArn(String type) {
    return ddb.getItem(b -> b.tableName(TABLE).key(Map.of("branch-key-id", AttributeValue.fromS(branchKeyId),
        "type", AttributeValue.fromS(type)))).item().get("kms-arn").s();
  }

  @Test
  void aMultiRegionStoreReadsAndVersionsKeysOfAnotherReplicaAndTheItemsKeepTheirArn() {
    DynamoDbBranchKeyStore westStore = store(west, KmsConfiguration.mrKeyArn(replica));
    byte[] fromEast = envelope(eastStore).encrypt(PLAINTEXT, CONTEXT);
    assertArrayEquals(PLAINTEXT, envelope(westStore).decrypt(fromEast, CONTEXT).plaintext());

    String before = westStore.activeBranchKey(branchKeyId).version();
    westStore.versionKey(branchKeyId);
    BranchKeyMaterials after = westStore.activeBranchKey(branchKeyId);
    assertEquals(false, before.equals(after.version()));
    assertEquals(primary, storedArn("branch:ACTIVE"), "a versioned item keeps the ARN it was created with");
    assertEquals(primary, storedArn("branch:version:" + after.version()));

    byte[] fromWest = envelope(westStore).encrypt(PLAINTEXT, CONTEXT);
    assertArrayEquals(PLAINTEXT, envelope(eastStore).decrypt(fromWest, CONTEXT).plaintext(),
        "the store configured with the primary's exact ARN reads the new version");
  }

  @Test
  void anExactArnRefusesAReplicaAndAMultiRegionArnRefusesAnotherKey() {
    DynamoDbBranchKeyStore exactReplica = store(west, KmsConfiguration.keyArn(replica));
    BranchKeyStoreException e = assertThrows(BranchKeyStoreException.class,
        () -> exactReplica.activeBranchKey(branchKeyId));
    assertEquals("Branch key acme (branch:ACTIVE) is protected by KMS key " + primary + ", not by this store's "
        + replica + ": configure the store with the key the branch key was created under", e.getMessage());

    String otherMrk = east.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    DynamoDbBranchKeyStore otherKey = store(east, KmsConfiguration.mrKeyArn(otherMrk));
    e = assertThrows(BranchKeyStoreException.class, () -> otherKey.versionKey(branchKeyId));
    assertEquals("Branch key acme (branch:ACTIVE) is protected by KMS key " + primary + ", which is not a replica "
        + "of this store's multi-Region key " + otherMrk + ": configure the store with the key the branch key was "
        + "created under", e.getMessage());

    String single = east.createKey(b -> { }).keyMetadata().arn();
    IllegalArgumentException notMrk = assertThrows(IllegalArgumentException.class,
        () -> KmsConfiguration.mrKeyArn(single));
    assertEquals("kmsMRKeyArn must name a multi-Region key (key id mrk-...): " + single + "; use keyArn for a "
        + "single-Region key", notMrk.getMessage());
    IllegalArgumentException alias = assertThrows(IllegalArgumentException.class,
        () -> KmsConfiguration.keyArn("alias/branch-keys"));
    assertEquals("kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or a key "
        + "id: the ARN is written into every item and compared on each read: alias/branch-keys", alias.getMessage());
  }

  @Test
  void oneBuilderBuildsAsOftenAsAskedAndRefusesTwoKmsSettings() {
    DynamoDbBranchKeyStore.Builder builder = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(east)
        .tableName(TABLE).logicalKeyStoreName("ks").kmsKeyArn(primary);
    assertEquals(builder.build().activeBranchKey(branchKeyId).version(),
        builder.build().activeBranchKey(branchKeyId).version());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> builder.kmsConfiguration(KmsConfiguration.discovery()).build());
    assertEquals("Give kmsKeyArn or kmsConfiguration, not both", both.getMessage());
  }

  @Test
  void discoveryReadsWhateverKeyAnItemNamesAndWritesNothing() {
    byte[] message = envelope(eastStore).encrypt(PLAINTEXT, CONTEXT);
    DynamoDbBranchKeyStore discovery = store(east, KmsConfiguration.discovery());
    assertArrayEquals(PLAINTEXT, envelope(discovery).decrypt(message, CONTEXT).plaintext());
    IllegalStateException create = assertThrows(IllegalStateException.class,
        () -> discovery.createKey("other", Map.of("tenant", "other")));
    assertEquals("A key store configured for discovery only reads branch keys, so it cannot create keys: configure "
        + "it with keyArn or mrKeyArn to create and version keys", create.getMessage());
    IllegalStateException version = assertThrows(IllegalStateException.class, () -> discovery.versionKey("acme"));
    assertEquals("A key store configured for discovery only reads branch keys, so it cannot version keys: "
        + "configure it with keyArn or mrKeyArn to create and version keys", version.getMessage());
  }

  @Test
  void multiRegionDiscoveryCallsTheReplicaInItsOwnRegionWherePlainDiscoveryCannot() {
    byte[] message = envelope(eastStore).encrypt(PLAINTEXT, CONTEXT);
    DynamoDbBranchKeyStore mrDiscovery = store(west, KmsConfiguration.mrDiscovery("us-west-2"));
    assertArrayEquals(PLAINTEXT, envelope(mrDiscovery).decrypt(message, CONTEXT).plaintext());

    // A us-west-2 client asked to use the us-east-1 ARN the item names: KMS keys live in one Region.
    DynamoDbBranchKeyStore discoveryInWest = store(west, KmsConfiguration.discovery());
    NoKeyringCouldDecryptException e = assertThrows(NoKeyringCouldDecryptException.class,
        () -> envelope(discoveryInWest).decrypt(message, CONTEXT));
    assertEquals(true, e.getMessage().contains("KMS Decrypt for branch key acme version "), e.getMessage());
  }

  @Test
  void theAwsKeyStoreInTheSameConfigurationsReadsAndVersionsOurItems() {
    BranchKeyMaterials ours = eastStore.activeBranchKey(branchKeyId);
    KeyStore theirMrDiscovery = theirs(west, KMSConfiguration.builder()
        .mrDiscovery(MRDiscovery.builder().region("us-west-2").build()).build());
    var theirs = theirMrDiscovery.GetActiveBranchKey(GetActiveBranchKeyInput.builder()
        .branchKeyIdentifier(branchKeyId).build()).branchKeyMaterials();
    assertEquals(ours.version(), theirs.branchKeyVersion());
    assertArrayEquals(ours.key(), bytes(theirs.branchKey()));

    KeyStore theirMrk = theirs(west, KMSConfiguration.builder().kmsMRKeyArn(replica).build());
    theirMrk.VersionKey(VersionKeyInput.builder().branchKeyIdentifier(branchKeyId).build());
    assertEquals(primary, storedArn("branch:ACTIVE"), "the AWS key store also keeps the item's ARN");
    BranchKeyMaterials versioned = store(west, KmsConfiguration.mrKeyArn(replica)).activeBranchKey(branchKeyId);
    assertEquals(false, versioned.version().equals(ours.version()));
    assertArrayEquals(versioned.key(), eastStore.activeBranchKey(branchKeyId).key());
  }

  private KeyStore theirs(KmsClient kms, KMSConfiguration configuration) {
    return KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName(TABLE).logicalKeyStoreName("ks")
        .kmsConfiguration(configuration).ddbClient(ddb).kmsClient(kms).build()).build();
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer copy = b.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
