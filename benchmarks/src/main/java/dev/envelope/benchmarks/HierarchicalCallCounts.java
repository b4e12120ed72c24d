package dev.envelope.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.IBranchKeyIdSupplier;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.GetBranchKeyIdInput;
import software.amazon.cryptography.materialproviders.model.GetBranchKeyIdOutput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * KMS and DynamoDB requests for 100,000 messages of 100 tenants (1,000 each, interleaved), counted by the emulators:
 * our hierarchical keyring, the AWS library's (MPL 1.11.0 through the ESDK 3.0.2), both with a branch key per tenant
 * and a 10-minute TTL, and a KMS keyring without caching (one GenerateDataKey per message). Not a JMH benchmark:
 * the figures are counts. Usage: {@code ./benchmarks/run-main.sh HierarchicalCallCounts}.
 */
public final class HierarchicalCallCounts {
  private static final int TENANTS = 100;
  private static final int MESSAGES_PER_TENANT = 1000;

  private HierarchicalCallCounts() {}

  public static void main(String[] args) {
    AtomicLong kmsRequests = new AtomicLong();
    try (KmsEmulator kmsEmulator = KmsEmulator.builder().keepTrail(false)
            .trailSink(r -> kmsRequests.incrementAndGet()).build();
        DynamoDbEmulator ddbEmulator = DynamoDbEmulator.create()) {
      KmsClient kms = kmsEmulator.client();
      DynamoDbClient ddb = ddbEmulator.client();
      String keyArn = kms.createKey(b -> { }).keyMetadata().arn();
      DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName("KeyStore")
          .logicalKeyStoreName("counts").kmsKeyArn(keyArn).build();
      store.createTable();
      for (int t = 0; t < TENANTS; t++) {
        store.createKey("tenant-" + t, Map.of("tenant", Integer.toString(t)));
      }
      AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
      byte[] plaintext = new byte[1024];

      Envelope ours = Envelope.builder().suite(suite).keyring(HierarchicalKeyring.builder().keyStore(store)
          .ttl(Duration.ofMinutes(10)).branchKeyIdSupplier(c -> "tenant-" + c.get("tenant")).build()).build();
      count("Envelope hierarchical keyring", kmsRequests, ddbEmulator,
          context -> ours.encrypt(plaintext, context));

      KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
          .logicalKeyStoreName("counts").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
          .ddbClient(ddb).kmsClient(kms).build()).build();
      IKeyring theirs = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
          .build()).build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder()
          .keyStore(keyStore).ttlSeconds(600).branchKeyIdSupplier(new IBranchKeyIdSupplier() {
            @Override
            public GetBranchKeyIdOutput GetBranchKeyId(GetBranchKeyIdInput input) {
              return GetBranchKeyIdOutput.builder().branchKeyId("tenant-" + input.encryptionContext().get("tenant"))
                  .build();
            }
          }).build());
      AwsCrypto esdk = AwsCrypto.builder().withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
          .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name())).build();
      count("AWS MPL hierarchical keyring", kmsRequests, ddbEmulator,
          context -> esdk.encryptData(theirs, plaintext, context).getResult());

      Envelope kmsKeyring = Envelope.builder().suite(suite).keyring(KmsKeyring.create(kms, keyArn)).build();
      count("KMS keyring, no caching", kmsRequests, ddbEmulator, context -> kmsKeyring.encrypt(plaintext, context));
    }
  }

  private interface Encrypt {
    byte[] encrypt(Map<String, String> context);
  }

  private static void count(String name, AtomicLong kmsRequests, DynamoDbEmulator ddb, Encrypt encrypt) {
    long kmsBefore = kmsRequests.get();
    long ddbBefore = ddb.requests().size();
    long start = System.nanoTime();
    for (int m = 0; m < MESSAGES_PER_TENANT; m++) {
      for (int t = 0; t < TENANTS; t++) {
        encrypt.encrypt(Map.of("tenant", Integer.toString(t)));
      }
    }
    System.out.printf("%-32s %,d messages: %,d KMS requests, %,d DynamoDB requests, %.1f s%n", name,
        TENANTS * MESSAGES_PER_TENANT, kmsRequests.get() - kmsBefore, ddb.requests().size() - ddbBefore,
        (System.nanoTime() - start) / 1e9);
  }
}
