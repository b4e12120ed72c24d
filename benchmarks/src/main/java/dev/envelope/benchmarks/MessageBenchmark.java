package dev.envelope.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.RawAesKeyring;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Encrypt and decrypt throughput of one message, side by side in one run: Envelope, the AWS Encryption SDK for
 * Java 3.0.2 (same raw AES key, same suite, same frame length, same context), and bare JCA AES-256-GCM over the
 * whole buffer as the ceiling (no key wrapping, no framing, no header; it ignores the suite and frame params).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageBenchmark {
  @Param({"0478", "0578"})
  public String suite;

  @Param({"1024", "65536", "1048576"})
  public int size;

  /** Frame length, the same for both libraries: 4096 is the ESDK's default, 65536 ours. */
  @Param({"4096", "65536"})
  public int frame;

  private static final Map<String, String> CONTEXT = Map.of("tenant", "bench", "purpose", "jmh");

  private byte[] plaintext;
  private Envelope envelope;
  private byte[] ourMessage;
  private AwsCrypto esdk;
  private IKeyring esdkKeyring;
  private byte[] esdkMessage;
  private SecretKey aesKey;
  private byte[] jcaCiphertext;
  private byte[] jcaIv;
  private final SecureRandom random = new SecureRandom();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    byte[] wrappingKey = new byte[32];
    random.nextBytes(wrappingKey);
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    AlgorithmSuite ourSuite = AlgorithmSuite.fromId(Integer.parseInt(suite, 16));

    envelope = Envelope.builder()
        .keyring(RawAesKeyring.builder().keyNamespace("bench").keyName("key").wrappingKey(wrappingKey).build())
        .suite(ourSuite)
        .frameLength(frame)
        .build();
    ourMessage = envelope.encrypt(plaintext, CONTEXT);

    MaterialProviders mpl = MaterialProviders.builder()
        .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
    esdkKeyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
        .keyNamespace("bench").keyName("key").wrappingKey(ByteBuffer.wrap(wrappingKey))
        .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
    esdk = AwsCrypto.builder()
        .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + ourSuite.name()))
        .withEncryptionFrameSize(frame)
        .build();
    esdkMessage = esdk.encryptData(esdkKeyring, plaintext, CONTEXT).getResult();

    aesKey = new SecretKeySpec(wrappingKey, "AES");
    jcaIv = new byte[12];
    random.nextBytes(jcaIv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, jcaIv));
    jcaCiphertext = cipher.doFinal(plaintext);
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
  public byte[] esdkEncrypt() {
    return esdk.encryptData(esdkKeyring, plaintext, CONTEXT).getResult();
  }

  @Benchmark
  public byte[] esdkDecrypt() {
    return esdk.decryptData(esdkKeyring, esdkMessage, CONTEXT).getResult();
  }

  /** Ceiling: one AES-GCM pass with a fresh IV, nothing else. Measured for 0478 only; the suite does not apply. */
  @Benchmark
  public byte[] jcaAesGcmEncrypt() throws Exception {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
    return cipher.doFinal(plaintext);
  }

  @Benchmark
  public byte[] jcaAesGcmDecrypt() throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(128, jcaIv));
    return cipher.doFinal(jcaCiphertext);
  }
}
