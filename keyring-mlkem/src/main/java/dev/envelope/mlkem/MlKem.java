package dev.envelope.mlkem;

/**
 * Which ML-KEM implementation runs: the JDK's when it has one (JDK 24 and later), else Bouncy Castle's. The system
 * property {@value #PROPERTY} ({@code jdk} or {@code bouncycastle}) chooses one explicitly.
 */
final class MlKem {
  static final String PROPERTY = "envelope.mlkem.implementation";
  private static final JdkMlKem JDK = JdkMlKem.load();

  private MlKem() {}

  /** A shared secret and its encapsulation. */
  record Encapsulated(byte[] sharedSecret, byte[] ciphertext) {}

  /** The implementation a keyring built now uses. */
  static MlKemEngine engine() {
    String chosen = System.getProperty(PROPERTY, "");
    switch (chosen) {
      case "":
        return JDK != null ? JDK : BouncyCastleMlKem.INSTANCE;
      case "bouncycastle":
        return BouncyCastleMlKem.INSTANCE;
      case "jdk":
        if (JDK == null) {
          throw new IllegalStateException(PROPERTY + "=jdk, but this JDK (" + Runtime.version() + ") has no "
              + "ML-KEM: it needs JDK 24 or later; remove the property to use Bouncy Castle");
        }
        return JDK;
      default:
        throw new IllegalStateException(PROPERTY + " is '" + chosen + "'; use 'jdk', 'bouncycastle', or leave it "
            + "unset (the JDK's ML-KEM when present)");
    }
  }

  /** The JDK's implementation, or null on a JDK without ML-KEM. */
  static MlKemEngine jdk() {
    return JDK;
  }
}
