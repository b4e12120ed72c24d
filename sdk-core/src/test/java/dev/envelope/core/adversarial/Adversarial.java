package dev.envelope.core.adversarial;

import java.util.Random;

/**
 * Settings of the adversarial suites: how many rounds, and the seed. Short mode (the default, in CI) runs a few
 * hundred cases per suite in seconds; {@code -Denvelope.adversarial=long} runs twenty times as many;
 * {@code -Denvelope.adversarial.seed=N} replays a run (every failure message names its seed and case).
 */
public final class Adversarial {
  private Adversarial() {}

  /** {@code shortMode} rounds, or twenty times as many in long mode. */
  public static int rounds(int shortMode) {
    return "long".equals(System.getProperty("envelope.adversarial")) ? shortMode * 20 : shortMode;
  }

  /** The run's seed: from {@code envelope.adversarial.seed}, else fresh (and printed, so a failure can be replayed). */
  public static long seed(String suite) {
    String given = System.getProperty("envelope.adversarial.seed");
    long seed = given != null ? Long.parseLong(given) : new Random().nextLong();
    System.out.println(suite + ": seed " + seed + " (replay with -Denvelope.adversarial.seed=" + seed + ")");
    return seed;
  }

  /** A random string of {@code 1..maxLength} code points from ASCII, Latin-1, CJK, emoji and combining marks. */
  public static String text(Random random, int maxLength) {
    int length = 1 + random.nextInt(maxLength);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(6);
      int cp = switch (kind) {
        case 0, 1 -> 0x21 + random.nextInt(0x5E);
        case 2 -> 0xA0 + random.nextInt(0x60);
        case 3 -> 0x4E00 + random.nextInt(0x1000);
        case 4 -> 0x1F300 + random.nextInt(0x200);
        default -> 0x300 + random.nextInt(0x70);
      };
      s.appendCodePoint(cp);
    }
    return s.toString();
  }
}
