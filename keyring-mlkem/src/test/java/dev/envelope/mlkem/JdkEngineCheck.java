package dev.envelope.mlkem;

import dev.envelope.core.Envelope;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Run by {@link MlKemJdkEngineTest} on a JDK with ML-KEM (24 or later), with this module's test class path: checks
 * this module's JDK implementation ({@link JdkMlKem}) against Bouncy Castle's in one JVM and prints one {@code PASS}
 * line per check; any failure ends the process with a stack trace and a non-zero status.
 */
public final class JdkEngineCheck {
  private JdkEngineCheck() {}

  public static void main(String[] args) throws Exception {
    MlKemEngine jdk = MlKem.jdk();
    check(jdk != null, "this JDK offers no ML-KEM: " + Runtime.version());
    check(MlKem.engine() == jdk, "the keyrings do not pick the JDK's ML-KEM by default");
    System.out.println("PASS default JDK");

    List<String> mismatches = MlKemKnownAnswerTest.mismatches(jdk);
    check(mismatches.isEmpty(), "the JDK's ML-KEM differs from the published vectors in " + mismatches);
    System.out.println("PASS vectors");

    byte[] plaintext = new byte[3000];
    new Random(5).nextBytes(plaintext);
    Map<String, String> context = Map.of("tenant", "acme");
    for (MlKemParameterSet set : MlKemParameterSet.values()) {
      RawMlKemKeyring.KeyPair pair = RawMlKemKeyring.generateKeyPair(set);
      Envelope onJdk = envelope(set, pair, jdk);
      Envelope onBouncyCastle = envelope(set, pair, BouncyCastleMlKem.INSTANCE);
      check(Arrays.equals(plaintext, onBouncyCastle.decrypt(onJdk.encrypt(plaintext, context), context)
          .plaintext()), set + ": Bouncy Castle cannot read what the JDK wrote");
      check(Arrays.equals(plaintext, onJdk.decrypt(onBouncyCastle.encrypt(plaintext, context), context)
          .plaintext()), set + ": the JDK cannot read what Bouncy Castle wrote");

      // Implicit rejection is deterministic (FIPS 203: J(z || c)), so both must derive the same wrong secret.
      MlKem.Encapsulated good = jdk.encapsulationKey(pair.publicKey(), set).encapsulate(new java.security
          .SecureRandom());
      byte[] changed = good.ciphertext().clone();
      changed[changed.length / 2] ^= 1;
      byte[] byJdk = jdk.decapsulationKey(pair.privateKey(), set).decapsulate(changed);
      byte[] byBouncyCastle = BouncyCastleMlKem.INSTANCE.decapsulationKey(pair.privateKey(), set)
          .decapsulate(changed);
      check(Arrays.equals(byJdk, byBouncyCastle) && !Arrays.equals(byJdk, good.sharedSecret()),
          set + ": implicit rejection differs between the JDK and Bouncy Castle");

      // The JDK reads the private key as the keyring hands it over (else the keyring falls back to Bouncy Castle).
      KeyFactory.getInstance("ML-KEM").generatePrivate(new PKCS8EncodedKeySpec(
          BouncyCastleMlKem.expandedPkcs8(pair.privateKey(), set)));
      try {
        jdk.decapsulationKey(pair.privateKey(), set).decapsulate(Arrays.copyOf(changed, changed.length - 1));
        check(false, set + ": the JDK decapsulated a ciphertext one byte short");
      } catch (IllegalArgumentException expected) {
        check(expected.getMessage().equals(set.standardName() + " ciphertexts are " + set.ciphertextLength()
            + " bytes; this one has " + (set.ciphertextLength() - 1)), "unexpected message " + expected.getMessage());
      }
      System.out.println("PASS " + set.standardName());
    }
  }

  private static Envelope envelope(MlKemParameterSet set, RawMlKemKeyring.KeyPair pair, MlKemEngine engine) {
    return Envelope.builder().keyring(RawMlKemKeyring.builder().keyNamespace("pq").keyName("k").parameterSet(set)
        .privateKey(pair.privateKey()).engine(engine).build()).build();
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new AssertionError(failure);
    }
  }
}
