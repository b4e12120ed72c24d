package dev.envelope.mlkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bouncy Castle's ML-KEM (what this module and the KMS emulator use on JDK 17) against the JDK's own (FIPS 203, in
 * the JDK since 24), both ways: the JDK encapsulates to a Bouncy Castle key and Bouncy Castle decapsulates, then the
 * reverse, each shared secret compared. The JDK runs in a child process: the Temurin 25 JDK this machine type has
 * ({@code -Denvelope.jdk25.home} overrides where).
 */
class MlKemJdkCrossCheckTest {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @EnumSource(MlKemParameterSet.class)
  void bouncyCastleAndTheJdkAgree(MlKemParameterSet set) throws Exception {
    Path java = Path.of(System.getProperty("envelope.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin",
        "java");
    assertTrue(Files.isExecutable(java), "No JDK 24+ at " + java + ": set -Denvelope.jdk25.home");
    RawMlKemKeyring.KeyPair ours = RawMlKemKeyring.generateKeyPair(set);
    MLKEMPrivateKeyParameters privateKey = BouncyCastleMlKem.privateKey(ours.privateKey(), set);
    Process jdk = new ProcessBuilder(java.toString(), "src/test/jdk25/JdkMlKem.java", set.standardName())
        .redirectErrorStream(true).start();
    try (PrintWriter toJdk = new PrintWriter(jdk.getOutputStream(), true, StandardCharsets.US_ASCII);
        BufferedReader fromJdk = new BufferedReader(new InputStreamReader(jdk.getInputStream(),
            StandardCharsets.US_ASCII))) {
      toJdk.println(HEX.formatHex(ours.publicKey()));
      byte[] jdkCiphertext = HEX.parseHex(fromJdk.readLine());
      byte[] jdkSecret = HEX.parseHex(fromJdk.readLine());
      assertEquals(set.ciphertextLength(), jdkCiphertext.length);
      assertEquals(HEX.formatHex(jdkSecret), HEX.formatHex(BouncyCastleMlKem.decapsulate(privateKey, jdkCiphertext)),
          "Bouncy Castle decapsulates what the JDK encapsulated");

      byte[] jdkPublicKey = HEX.parseHex(fromJdk.readLine());
      MlKem.Encapsulated ourEncapsulation = BouncyCastleMlKem.encapsulate(BouncyCastleMlKem.publicKey(jdkPublicKey, set),
          new SecureRandom());
      toJdk.println(HEX.formatHex(ourEncapsulation.ciphertext()));
      assertEquals(HEX.formatHex(ourEncapsulation.sharedSecret()), fromJdk.readLine(),
          "the JDK decapsulates what Bouncy Castle encapsulated");
    } finally {
      assertTrue(jdk.waitFor(60, TimeUnit.SECONDS), "the JDK process did not end");
    }
    assertEquals(0, jdk.exitValue());
  }
}
