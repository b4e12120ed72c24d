package dev.envelope.core.adversarial;

import java.util.Arrays;
import java.util.Random;

/**
 * One random change to a byte string, as an attacker or a broken store would make it: a bit flip, a byte set to
 * another value, bytes inserted or removed, a truncation, an extension, a block duplicated or swapped, or a splice
 * with another message. {@link #apply} never returns the input unchanged.
 */
public record Mutation(String description, byte[] bytes, int firstChanged) {
  /** A random mutation of {@code input} ({@code other}: another valid message to splice from, may be null). */
  public static Mutation of(byte[] input, byte[] other, Random random) {
    while (true) {
      Mutation m = attempt(input, other, random);
      if (!Arrays.equals(m.bytes, input)) {
        return m;
      }
    }
  }

  private static Mutation attempt(byte[] in, byte[] other, Random random) {
    int n = in.length;
    int at = n == 0 ? 0 : random.nextInt(n);
    switch (random.nextInt(10)) {
      case 0 -> {
        byte[] out = in.clone();
        int bit = random.nextInt(8);
        out[at] ^= (byte) (1 << bit);
        return new Mutation("flip bit " + bit + " of byte " + at, out, at);
      }
      case 1 -> {
        byte[] out = in.clone();
        out[at] = (byte) random.nextInt(256);
        return new Mutation("set byte " + at, out, at);
      }
      case 2 -> {
        int len = 1 + random.nextInt(Math.min(64, n - at));
        byte[] out = new byte[n - len];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + len, out, at, n - at - len);
        return new Mutation("remove " + len + " bytes at " + at, out, at);
      }
      case 3 -> {
        int len = 1 + random.nextInt(64);
        byte[] out = new byte[n + len];
        System.arraycopy(in, 0, out, 0, at);
        for (int i = 0; i < len; i++) {
          out[at + i] = (byte) random.nextInt(256);
        }
        System.arraycopy(in, at, out, at + len, n - at);
        return new Mutation("insert " + len + " bytes at " + at, out, at);
      }
      case 4 -> {
        return new Mutation("truncate to " + at, Arrays.copyOf(in, at), at);
      }
      case 5 -> {
        int len = 1 + random.nextInt(100);
        byte[] out = Arrays.copyOf(in, n + len);
        for (int i = n; i < n + len; i++) {
          out[i] = (byte) random.nextInt(256);
        }
        return new Mutation("append " + len + " bytes", out, n);
      }
      case 6 -> {
        int len = 1 + random.nextInt(Math.min(256, n - at));
        byte[] out = new byte[n + len];
        System.arraycopy(in, 0, out, 0, at + len);
        System.arraycopy(in, at, out, at + len, n - at);
        return new Mutation("duplicate " + len + " bytes at " + at, out, at + len);
      }
      case 7 -> {
        int len = 1 + random.nextInt(Math.max(1, Math.min(512, (n - at) / 2)));
        if (at + 2 * len > n) {
          return attempt(in, other, random);
        }
        byte[] out = in.clone();
        System.arraycopy(in, at + len, out, at, len);
        System.arraycopy(in, at, out, at + len, len);
        return new Mutation("swap two " + len + "-byte blocks at " + at, out, at);
      }
      case 8 -> {
        if (other == null || other.length == 0) {
          return attempt(in, null, random);
        }
        int from = random.nextInt(other.length);
        byte[] out = Arrays.copyOf(in, at + other.length - from);
        System.arraycopy(other, from, out, at, other.length - from);
        return new Mutation("splice another message from " + from + " at " + at, out, at);
      }
      default -> {
        byte[] out = in.clone();
        int len = Math.min(n - at, 1 + random.nextInt(32));
        for (int i = 0; i < len; i++) {
          out[at + i] = 0;
        }
        return new Mutation("zero " + len + " bytes at " + at, out, at);
      }
    }
  }

  @Override
  public String toString() {
    return description + " (" + bytes.length + " bytes)";
  }
}
