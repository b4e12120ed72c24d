package dev.envelope.core.keystore;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Branch key versions: the key store writes a version as a lowercase hyphenated UUID string, and the hierarchical
 * keyring's EDK carries its 16 raw bytes (most significant half first). Uppercase is refused: the AWS library looks
 * versions up by the lowercase string and would never find an item written with another form.
 */
public final class BranchKeyVersions {
  private static final Pattern LOWERCASE_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

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
    if (!LOWERCASE_UUID.matcher(version).matches()) {
      throw new IllegalArgumentException("branch key version '" + version + "' is not a lowercase UUID");
    }
    UUID uuid = UUID.fromString(version);
    return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
        .array();
  }

  /** The version whose 16 bytes start at {@code offset} of {@code bytes}, as the key store writes it. */
  public static String fromBytes(byte[] bytes, int offset) {
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, 16);
    return new UUID(b.getLong(), b.getLong()).toString();
  }
}
