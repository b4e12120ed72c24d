package dev.envelope.core.keystore;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Branch key versions: the key store writes a version as a lowercase hyphenated UUID string, and the hierarchical
 * keyring's EDK carries its 16 raw bytes (most significant half first). Uppercase is refused: the AWS library looks
 * versions up by the lowercase string and would never find an item written with another form.
 */
public final class BranchKeyVersions {
  private BranchKeyVersions() {}

  /** A new version: a random (v4) UUID, lowercase. */
  public static String newVersion() {
    return UUID.randomUUID().toString();
  }

  /**
   * The 16 bytes of {@code version}.
   *
   * @throws IllegalArgumentException if it is not a lowercase hyphenated UUID
   */
  public static byte[] toBytes(String version) {
    // By hand rather than with a regular expression: this runs once per message.
    byte[] out = new byte[16];
    boolean valid = version.length() == 36;
    for (int i = 0, n = 0; valid && i < 36; i++) {
      char c = version.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        valid = c == '-';
        continue;
      }
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      valid = digit >= 0;
      out[n / 2] |= (byte) (n % 2 == 0 ? digit << 4 : digit);
      n++;
    }
    if (!valid) {
      throw new IllegalArgumentException("branch key version '" + version + "' is not a lowercase UUID");
    }
    return out;
  }

  /** The version whose 16 bytes start at {@code offset} of {@code bytes}, as the key store writes it. */
  public static String fromBytes(byte[] bytes, int offset) {
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, 16);
    return new UUID(b.getLong(), b.getLong()).toString();
  }
}
