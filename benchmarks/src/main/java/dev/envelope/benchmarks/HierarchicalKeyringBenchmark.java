package dev.envelope.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.dynamodb.emulator.DynamoDbEmulator;
import dev.envelope.keystore.DynamoDbBranchKeyStore;
import dev.envelope.kms.KmsEmulator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.keystore.KeyStore;
import software.amazon.cryptography.keystore.model.KMSConfiguration;
import software.amazon.cryptography.keystore.model.KeyStoreConfig;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsHierarchicalKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The hierarchical keyring with a warm cache, ours against the AWS Material Providers Library 1.11.0's (through
 * the AWS Encryption SDK for Java 3.0.2), side by side in one run: the same branch key of one key store table (the
 * DynamoDB and KMS emulators in process), the same suite, 1 KiB messages, the same two-pair context. The cache is
 * warm after the first message, so neither touches KMS or DynamoDB while measured: the figures are the keyring
 * (KDF, AES-GCM wrap, cache lookup) plus the message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HierarchicalKeyringBenchmark {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "bench", "purpose", "jmh");

  @Param({"0478", "0578"})
  public String suite;

  private KmsEmulator kmsEmulator;
  private DynamoDbEmulator ddbEmulator;
  private byte[] plaintext;
  private Envelope envelope;
  private byte[] ourMessage;
  private AwsCrypto esdk;
  private IKeyring mplKeyring;
  private byte[] mplMessage;

  @Setup(Level.Trial)
  public void setUp() {
    kmsEmulator = KmsEmulator.builder().keepTrail(false).build();
    ddbEmulator = DynamoDbEmulator.builder().keepRequests(false).build();
    KmsClient kms = kmsEmulator.client();
    DynamoDbClient ddb = ddbEmulator.client();
    String keyArn = kms.createKey(b -> { }).keyMetadata().arn();
    DynamoDbBranchKeyStore store = DynamoDbBranchKeyStore.builder().dynamoDb(ddb).kms(kms).tableName("KeyStore")
        .logicalKeyStoreName("bench").kmsKeyArn(keyArn).build();
    store.createTable();
    String branchKeyId = store.createKey("bench-tenant", Map.of("tenant", "bench"));
    AlgorithmSuite ourSuite = AlgorithmSuite.fromId(Integer.parseInt(suite, 16));
    plaintext = new byte[1024];
    new SecureRandom().nextBytes(plaintext);

    envelope = Envelope.builder().keyring(HierarchicalKeyring.builder().keyStore(store).branchKeyId(branchKeyId)
        .ttl(Duration.ofMinutes(10)).build()).suite(ourSuite).build();
    ourMessage = envelope.encrypt(plaintext, CONTEXT);

    KeyStore keyStore = KeyStore.builder().KeyStoreConfig(KeyStoreConfig.builder().ddbTableName("KeyStore")
        .logicalKeyStoreName("bench").kmsConfiguration(KMSConfiguration.builder().kmsKeyArn(keyArn).build())
        .ddbClient(ddb).kmsClient(kms).build()).build();
    mplKeyring = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
        .build().CreateAwsKmsHierarchicalKeyring(CreateAwsKmsHierarchicalKeyringInput.builder().keyStore(keyStore)
            .branchKeyId(branchKeyId).ttlSeconds(600).build());
    esdk = AwsCrypto.builder().withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + ourSuite.name())).build();
    mplMessage = esdk.encryptData(mplKeyring, plaintext, CONTEXT).getResult();
    // Both caches warm for decryption too.
    envelope.decrypt(ourMessage);
    esdk.decryptData(mplKeyring, mplMessage, CONTEXT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ddbEmulator.close();
    kmsEmulator.close();
  }

  @Benchmark
  public byte[] envelopeEncrypt() {
    return envelope.encrypt(plaintext, CONTEXT);
  }

  @Benchmark
  public byte[] envelopeDecrypt() {
    return envelope.decrypt(ourMessage).plaintext();
  }

  @Benchmark
  public byte[] mplEncrypt() {
    return esdk.encryptData(mplKeyring, plaintext, CONTEXT).getResult();
  }

  @Benchmark
  public byte[] mplDecrypt() {
    return esdk.decryptData(mplKeyring, mplMessage, CONTEXT).getResult();
  }
}
