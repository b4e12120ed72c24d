package dev.envelope.mlkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The keyrings' JDK implementation of ML-KEM ({@code javax.crypto.KEM}), which only a JDK 24+ can run: the checks of
 * {@link JdkEngineCheck} in a child process on the Temurin 25 JDK this machine type has ({@code
 * -Denvelope.jdk25.home} overrides where), and on this JDK 17 the fallback to Bouncy Castle.
 */
class MlKemJdkEngineTest {
  @Test
  void onJdk25TheKeyringsUseTheJdksMlKemWhichAgreesWithBouncyCastle() throws Exception {
    Path java = Path.of(System.getProperty("envelope.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin",
        "java");
    assertTrue(Files.isExecutable(java), "No JDK 24+ at " + java + ": set -Denvelope.jdk25.home");
    Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        JdkEngineCheck.class.getName()).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the JDK 25 process did not end");
    assertEquals(0, child.exitValue(), output);
    assertEquals(List.of("PASS default JDK", "PASS vectors", "PASS ML-KEM-512", "PASS ML-KEM-768",
        "PASS ML-KEM-1024"), output.lines().filter(l -> l.startsWith("PASS")).toList(), output);
  }

  @Test
  void onJdk17TheKeyringsUseBouncyCastleAndRefuseToBeToldOtherwise() {
    assertEquals(null, MlKem.jdk(), "JDK " + Runtime.version() + " has no javax.crypto.KEM");
    assertEquals("Bouncy Castle", MlKem.engine().name());
    RawMlKemKeyring.KeyPair pair = RawMlKemKeyring.generateKeyPair(MlKemParameterSet.ML_KEM_768);
    IllegalArgumentException shortCiphertext = assertThrows(IllegalArgumentException.class, () -> MlKem.engine()
        .decapsulationKey(pair.privateKey(), MlKemParameterSet.ML_KEM_768).decapsulate(new byte[1087]));
    assertEquals("ML-KEM-768 ciphertexts are 1088 bytes; this one has 1087", shortCiphertext.getMessage());
    String before = System.getProperty(MlKem.PROPERTY);
    try {
      System.setProperty(MlKem.PROPERTY, "jdk");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> RawMlKemKeyring.builder()
          .keyNamespace("pq").keyName("k").parameterSet(MlKemParameterSet.ML_KEM_768).publicKey(pair.publicKey())
          .build());
      assertEquals(MlKem.PROPERTY + "=jdk, but this JDK (" + Runtime.version() + ") has no ML-KEM: it needs JDK 24 "
          + "or later; remove the property to use Bouncy Castle", e.getMessage());
      System.setProperty(MlKem.PROPERTY, "openssl");
      e = assertThrows(IllegalStateException.class, () -> MlKem.engine());
      assertEquals(MlKem.PROPERTY + " is 'openssl'; use 'jdk', 'bouncycastle', or leave it unset (the JDK's ML-KEM "
          + "when present)", e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(MlKem.PROPERTY);
      } else {
        System.setProperty(MlKem.PROPERTY, before);
      }
    }
  }
}
