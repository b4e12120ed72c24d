package dev.envelope.benchmarks;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.dynamodb.ItemEncryptor;
import dev.envelope.dynamodb.ItemStorageFormat;
import dev.envelope.dynamodb.TableConfig;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Items per second to encrypt and to decrypt one item of 10 attributes (about 1 KiB), ours against the AWS
 * Database Encryption SDK 3.9.0's item encryptor: the same raw AES-256 wrapping key, the same actions (8 encrypted,
 * 2 keys signed), no caching on either side (a data key per item), no network. {@code suite=sym} compares our
 * 0x0478 with its HMAC-only 0x6700; {@code suite=ecdsa} our 0x0578 with its default 0x6701. The {@code envelopeDbe*}
 * benchmarks write and read the DB-ESDK format itself (same bytes as theirs, 0x6700 or 0x6701): like for like.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DynamoDbItemBenchmark {
  @Param({"sym", "ecdsa"})
  public String suite;

  private static final String TABLE = "Orders";

  private Map<String, AttributeValue> item;
  private ItemEncryptor ours;
  private Map<String, AttributeValue> oursStored;
  private ItemEncryptor oursDbe;
  private Map<String, AttributeValue> oursDbeStored;
  private DynamoDbItemEncryptor theirs;
  private Map<String, AttributeValue> theirsStored;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] wrappingKey = new byte[32];
    new SecureRandom().nextBytes(wrappingKey);
    item = item();
    boolean signed = suite.equals("ecdsa");

    TableConfig.Builder config = TableConfig.builder().tableName(TABLE).partitionKeyName("pk").sortKeyName("sk")
        .keyring(RawAesKeyring.builder().keyNamespace("bench").keyName("key").wrappingKey(wrappingKey).build())
        .suite(signed ? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
            : AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY);
    Map<String, CryptoAction> theirActions = new HashMap<>();
    for (String name : item.keySet()) {
      boolean key = name.equals("pk") || name.equals("sk");
      if (!key) {
        config.attributeAction(name, dev.envelope.dynamodb.CryptoAction.ENCRYPT_AND_SIGN);
      }
      theirActions.put(name, key ? CryptoAction.SIGN_ONLY : CryptoAction.ENCRYPT_AND_SIGN);
    }
    ours = ItemEncryptor.create(config.build());
    oursStored = ours.encrypt(item);
    oursDbe = ItemEncryptor.create(config.format(ItemStorageFormat.DB_ESDK).build());
    oursDbeStored = oursDbe.encrypt(item);

    MaterialProviders mpl = MaterialProviders.builder()
        .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
    theirs = DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").sortKeyName("sk").attributeActionsOnEncrypt(theirActions)
        .keyring(mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("bench").keyName("key")
            .wrappingKey(ByteBuffer.wrap(wrappingKey)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
            .build()))
        .algorithmSuiteId(signed
            ? DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384
            : DBEAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384)
        .build()).build();
    theirsStored = theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(item).build()).encryptedItem();
  }

  /** Ten attributes, about 1 KiB: two keys, strings, numbers, a map and a list. */
  static Map<String, AttributeValue> item() {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS("customer-000042"));
    item.put("sk", AttributeValue.fromN("20261122093000"));
    item.put("name", AttributeValue.fromS("Alice Example-Longname of Springfield"));
    item.put("email", AttributeValue.fromS("alice.example@example.com"));
    item.put("card", AttributeValue.fromS("4111-1111-1111-1111"));
    item.put("total", AttributeValue.fromN("1234.56"));
    item.put("address", AttributeValue.fromM(Map.of("street", AttributeValue.fromS("742 Evergreen Terrace"),
        "city", AttributeValue.fromS("Springfield"), "zip", AttributeValue.fromS("49007"))));
    item.put("lines", AttributeValue.fromL(java.util.List.of(AttributeValue.fromS("sku-1 x2 widget, blue"),
        AttributeValue.fromS("sku-2 x1 gadget, large"), AttributeValue.fromS("sku-3 x5 sprocket"))));
    item.put("status", AttributeValue.fromS("PAID"));
    item.put("notes", AttributeValue.fromS("Leave at the back door. ".repeat(28)));
    return item;
  }

  @Benchmark
  public Map<String, AttributeValue> envelopeEncrypt() {
    return ours.encrypt(item);
  }

  @Benchmark
  public Map<String, AttributeValue> envelopeDecrypt() {
    return ours.decrypt(oursStored);
  }

  @Benchmark
  public Map<String, AttributeValue> envelopeDbeEncrypt() {
    return oursDbe.encrypt(item);
  }

  @Benchmark
  public Map<String, AttributeValue> envelopeDbeDecrypt() {
    return oursDbe.decrypt(oursDbeStored);
  }

  @Benchmark
  public Map<String, AttributeValue> dbEsdkEncrypt() {
    return theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(item).build()).encryptedItem();
  }

  @Benchmark
  public Map<String, AttributeValue> dbEsdkDecrypt() {
    return theirs.DecryptItem(DecryptItemInput.builder().encryptedItem(theirsStored).build()).plaintextItem();
  }
}
