package dev.envelope.benchmarks;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.RawEcdhKeyring;
import dev.envelope.core.keyring.RawRsaKeyring;
import dev.envelope.core.keyring.RsaPadding;
import dev.envelope.mlkem.MlKemParameterSet;
import dev.envelope.mlkem.RawMlKemKeyring;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
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

/**
 * Messages per second with local asymmetric keyrings, 1 KiB, suite 0x0478 (no signature, so the keyring is what
 * differs): the raw ML-KEM keyring for each parameter set (Bouncy Castle 1.81) against the raw RSA-3072 keyring
 * (OAEP SHA-256) and the raw ECDH keyring on P-384 (static keys), all in this JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PostQuantumKeyringBenchmark {
  private static final Map<String, String> CONTEXT = Map.of("tenant", "bench");

  @Param({"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024", "RSA_3072", "ECDH_P384"})
  public String keyring;

  private Envelope encrypting;
  private Envelope decrypting;
  private byte[] plaintext;
  private byte[] message;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Keyring sender;
    Keyring recipient;
    switch (keyring) {
      case "RSA_3072" -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(3072);
        KeyPair pair = g.generateKeyPair();
        sender = RawRsaKeyring.builder().keyNamespace("bench").keyName("rsa").padding(RsaPadding.OAEP_SHA256_MGF1)
            .publicKey(pair.getPublic()).build();
        recipient = RawRsaKeyring.builder().keyNamespace("bench").keyName("rsa").padding(RsaPadding.OAEP_SHA256_MGF1)
            .privateKey(pair.getPrivate()).build();
      }
      case "ECDH_P384" -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair alice = g.generateKeyPair();
        KeyPair bob = g.generateKeyPair();
        sender = RawEcdhKeyring.staticKeys(alice, bob.getPublic());
        recipient = RawEcdhKeyring.staticKeys(bob, alice.getPublic());
      }
      default -> {
        MlKemParameterSet set = MlKemParameterSet.valueOf(keyring);
        RawMlKemKeyring.KeyPair pair = RawMlKemKeyring.generateKeyPair(set);
        sender = RawMlKemKeyring.builder().keyNamespace("bench").keyName("pq").parameterSet(set)
            .publicKey(pair.publicKey()).build();
        recipient = RawMlKemKeyring.builder().keyNamespace("bench").keyName("pq").parameterSet(set)
            .privateKey(pair.privateKey()).build();
      }
    }
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    encrypting = Envelope.builder().keyring(sender).suite(suite).build();
    decrypting = Envelope.builder().keyring(recipient).suite(suite).build();
    plaintext = new byte[1024];
    message = encrypting.encrypt(plaintext, CONTEXT);
  }

  @Benchmark
  public byte[] encrypt() {
    return encrypting.encrypt(plaintext, CONTEXT);
  }

  @Benchmark
  public byte[] decrypt() {
    return decrypting.decrypt(message, CONTEXT).plaintext();
  }
}
