package dev.envelope.benchmarks;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.dynamodb.CryptoAction;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.TableConfig;
import java.security.SecureRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Items per second to move one DB-ESDK item (the 10 attributes of {@link DynamoDbItemBenchmark}) from one raw
 * AES-256 wrapping key to another, the work of a table re-key without its requests: {@code rewrap} (verify, then a
 * new header and footer: {@code ItemRekeyMethod.HEADER}) against {@code reencrypt} (decrypt, encrypt under a new
 * data key: {@code ItemRekeyMethod.REENCRYPT}). {@code suite=sym} is 0x6700, {@code ecdsa} 0x6701.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ItemRekeyBenchmark {
  @Param({"sym", "ecdsa"})
  public String suite;

  private ItemEncryptor underOld;
  private ItemEncryptor underNew;
  private RawAesKeyring oldKey;
  private Map<String, AttributeValue> stored;

  @Setup(Level.Trial)
  public void setUp() {
    oldKey = keyring("old");
    underOld = ItemEncryptor.create(config(oldKey).build());
    underNew = ItemEncryptor.create(config(keyring("new")).build());
    stored = underOld.encrypt(DynamoDbItemBenchmark.item());
  }

  private static RawAesKeyring keyring(String name) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return RawAesKeyring.builder().keyNamespace("bench").keyName(name).wrappingKey(key).build();
  }

  private TableConfig.Builder config(RawAesKeyring keyring) {
    TableConfig.Builder config = TableConfig.builder().tableName("Orders").partitionKeyName("pk").sortKeyName("sk")
        .format(ItemStorageFormat.DB_ESDK).keyring(keyring).suite(suite.equals("ecdsa")
            ? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
            : AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    for (String name : DynamoDbItemBenchmark.item().keySet()) {
      if (!name.equals("pk") && !name.equals("sk")) {
        config.attributeAction(name, CryptoAction.ENCRYPT_AND_SIGN);
      }
    }
    return config;
  }

  @Benchmark
  public Map<String, AttributeValue> rewrap() {
    return underNew.rewrap(stored, oldKey);
  }

  @Benchmark
  public Map<String, AttributeValue> reencrypt() {
    return underNew.encrypt(underOld.decrypt(stored));
  }
}
