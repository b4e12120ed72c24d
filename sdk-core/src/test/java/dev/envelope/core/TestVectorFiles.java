package dev.envelope.core;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the public ESDK test vectors: the system property {@code envelope.testVectors}, else
 * {@code <repo root>/test-vectors/esdk} (copied from the public AWS repositories, see {@code test-vectors/README.md}).
 * Absent vectors skip the test loudly; under CI they fail it.
 */
public final class TestVectorFiles {
  private TestVectorFiles() {}

  public static Path directory() {
    String override = System.getProperty("envelope.testVectors");
    Path dir;
    if (override != null && !override.isBlank()) {
      dir = Path.of(override);
    } else {
      String root = System.getProperty("envelope.repoRoot", System.getProperty("user.dir") + "/..");
      dir = Path.of(root).resolve("test-vectors/esdk").normalize();
    }
    if (!Files.isDirectory(dir)) {
      String message = "ESDK test vectors not found at " + dir.toAbsolutePath()
          + " -- set -Denvelope.testVectors=<dir> to run them. THE VECTOR TESTS DID NOT RUN.";
      System.err.println("*** SKIPPED: " + message);
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail("Under CI the vectors must be present: " + message);
      }
      Assumptions.abort(message);
    }
    return dir;
  }
}
