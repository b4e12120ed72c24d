package dev.envelope.core.spi;

import java.security.SecureRandom;

/** One shared {@link SecureRandom}: thread-safe, and seeding one per call would cost more than it buys. */
public final class SecureRandoms {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecureRandoms() {}

  public static SecureRandom get() {
    return RANDOM;
  }

  public static byte[] bytes(int length) {
    byte[] out = new byte[length];
    RANDOM.nextBytes(out);
    return out;
  }
}
